package reports

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports/fa"
)

// Status is a certificate's status, as the contract spells it.
type Status string

// The statuses of a certificate.
const (
	StatusValid      Status = "valid"
	StatusRevoked    Status = "revoked"
	StatusSuperseded Status = "superseded"
)

// Mode says which copy of a certificate RenderCertificate draws.
type Mode int

const (
	// ModeFinal is the certificate as issued. Its bytes depend only on the
	// Certificate's issue-time fields, never on its later status, so the
	// PDF rendered at issue can be rendered again identically and checked
	// against the pdf_sha256 of its document payload.
	ModeFinal Mode = iota
	// ModePreview is a draft before issue: a large «پیش‌نویس» watermark, a
	// placeholder instead of the serial, no QR code and no digest. It
	// consumes no serial: Serial, QRURL and PayloadSHA256 are ignored.
	ModePreview
	// ModeAnnulled is a copy of a revoked or superseded certificate: the
	// issued certificate with a large «باطل شد» or «جایگزین شد» watermark
	// and a notice giving the reason (and the replacing serial). Status
	// must be StatusRevoked or StatusSuperseded.
	ModeAnnulled
)

// Certificate is everything a certificate prints. Amounts are in Rials. Its
// JSON form is what the certificate store keeps with an issued certificate,
// so that a revoked or superseded one renders again as it was printed; the
// status fields, which change later, are kept in their own columns.
type Certificate struct {
	// Province is the province's name in Persian, as in «قزوین»; the issuer
	// lines read «اداره کل امور مالیاتی استان قزوین» and «کارگروه تسهیل و
	// رفع موانع تولید استان قزوین».
	Province string `json:"province"`
	// Serial is PROVINCE-YEAR-SEQUENCE; ignored in ModePreview.
	Serial string `json:"serial"`
	// IssuePlace is the place of issue, usually the provincial capital.
	IssuePlace string `json:"issue_place"`
	// IssuedOn is the date of issue, printed in the Solar Hijri calendar;
	// it also fixes the PDF's creation date.
	IssuedOn taahod.Date `json:"issued_on"`

	Unit CertificateUnit `json:"unit"`

	// FiscalYear is the Solar Hijri fiscal year whose tax was offset.
	FiscalYear int `json:"fiscal_year"`
	// TaxDue is the unit's tax due for the year (مالیات متعلق).
	TaxDue decimal.Decimal `json:"tax_due"`
	// EligibleSpendingUsed is the approved school spending the offset used.
	EligibleSpendingUsed decimal.Decimal `json:"eligible_spending_used"`
	// OffsetAmount is the tax met by that spending: the certified amount.
	OffsetAmount decimal.Decimal `json:"offset_amount"`

	// LegalBasis is the year's policy's legal_basis text, printed as given.
	LegalBasis string `json:"legal_basis"`
	// PolicyMode is the year's policy mode: "credit" (spending counted as tax
	// paid) or "deduction" (deducted from taxable income).
	PolicyMode string `json:"policy_mode"`

	// Expenditures are the expenditures the offset used, in the order to
	// print them.
	Expenditures []CertificateExpenditure `json:"expenditures"`

	// Officer is the name of the tax officer who issued the certificate.
	Officer string `json:"officer"`
	// Supersedes is the serial of the certificate this one replaces, or "".
	Supersedes string `json:"supersedes"`

	// Status, StatusReason, StatusOn and SupersededBy describe a revoked or
	// superseded certificate; only ModeAnnulled prints them.
	Status       Status      `json:"-"`
	StatusReason string      `json:"-"`
	StatusOn     taahod.Date `json:"-"`
	SupersededBy string      `json:"-"`

	// PublicURL is TAAHOD_PUBLIC_URL; the certificate tells the reader to
	// verify it at PublicURL/v/SERIAL and names the key at
	// PublicURL/api/v1/verify/key.
	PublicURL string `json:"public_url"`
	// QRURL is what the QR code carries (certificate.CompactQRURL, or the
	// long certificate.QRURL of the first certificates); required unless
	// previewing.
	QRURL string `json:"qr_url"`
	// PayloadSHA256 is the hex SHA-256 of the signed facts payload
	// (certificate.FactsPayload); required unless previewing.
	PayloadSHA256 string `json:"payload_sha256"`
	// VerificationCode is the code printed beside the serial that lets the
	// public verification show what the certificate certifies
	// (certificate.VerificationCode). Certificates issued before codes were printed
	// have none here, and render as they were issued.
	VerificationCode string `json:"verification_code,omitempty"`
}

// CertificateUnit is the production unit a certificate is issued to.
type CertificateUnit struct {
	Name         string `json:"name"`
	NationalID   string `json:"national_id"`
	EconomicCode string `json:"economic_code"` // "" prints as a dash
	County       string `json:"county"`
}

// CertificateExpenditure is one expenditure line of a certificate.
type CertificateExpenditure struct {
	// ExpenditureID identifies the expenditure in the books; it is not
	// printed.
	ExpenditureID int64       `json:"expenditure_id"`
	SpentOn       taahod.Date `json:"spent_on"`
	InvoiceNo     string      `json:"invoice_no"`
	Vendor        string      `json:"vendor"`
	School        string      `json:"school"`
	// AmountUsed is the part of the approved amount this year's offset used.
	AmountUsed decimal.Decimal `json:"amount_used"`
}

// VerifyURL is the address of the certificate's public verify page.
func (c Certificate) VerifyURL() string {
	return strings.TrimRight(c.PublicURL, "/") + "/v/" + c.Serial
}

// KeyURL is the address of the public key that signs certificates.
func (c Certificate) KeyURL() string {
	return strings.TrimRight(c.PublicURL, "/") + "/api/v1/verify/key"
}

// RenderCertificate draws certificate c as an A4 Persian PDF in the given
// mode (see Mode). The same certificate and mode always give the same bytes.
// It returns an EINVALID *taahod.Error if a required field is missing, the
// mode does not fit the status, or a text has a character the certificate
// font cannot draw; other errors are failures of the PDF library.
func RenderCertificate(c Certificate, mode Mode) ([]byte, error) {
	return RenderCertificateVersion(c, mode, RendererVersion)
}

// RenderCertificateVersion is RenderCertificate with the layout of renderer
// version (RendererVersion), to render a stored certificate again as it was
// issued.
func RenderCertificateVersion(c Certificate, mode Mode, version int) ([]byte, error) {
	if err := checkRendererVersion(version); err != nil {
		return nil, err
	}
	if err := c.check(mode); err != nil {
		return nil, err
	}
	title := "گواهی منظور شدن هزینه‌کرد مدرسه‌سازی به‌عنوان مالیات"
	subject := "Taahod certificate preview"
	if mode != ModePreview {
		subject = "Taahod certificate " + c.Serial + " facts-sha256=" + c.PayloadSHA256
	}
	info := docInfo{
		title:   title + " " + c.serialText(mode),
		subject: subject,
		date:    c.IssuedOn,
		version: version,
	}
	switch mode {
	case ModePreview:
		info.watermark = &watermark{text: "پیش‌نویس", color: rgb{120, 120, 120}}
	case ModeAnnulled:
		info.watermark = &watermark{text: annulledWord(c.Status), color: rgb{190, 20, 20}}
	}
	d, err := newDocument(info)
	if err != nil {
		return nil, err
	}
	r := certRenderer{d: d, c: c, mode: mode}
	r.draw(title)
	if info.watermark != nil && d.version == 1 {
		d.overlayV1(*info.watermark)
	}
	d.pageNumbers()
	return d.bytes()
}

// subjectPattern finds the serial and facts digest that RenderCertificate
// writes in the PDF's Subject.
var subjectPattern = regexp.MustCompile(`/Subject \(Taahod certificate ([A-Z]{2,8}-[0-9]{4}-[0-9]{6}) facts-sha256=([0-9a-f]{64})\)`)

// CertificateInfo reads the serial and the facts digest that a certificate
// PDF states in its metadata, for `taahod verify-cert FILE.pdf` to find the
// certificate it claims to be. The metadata is not signed: it only says
// which stored certificate to compare the file with (by its pdf_sha256, or
// by rendering the stored certificate again). It returns an error if the
// file carries no such statement.
func CertificateInfo(pdf []byte) (serial, factsSHA256 string, err error) {
	m := subjectPattern.FindAllSubmatch(pdf, 2)
	if len(m) != 1 {
		return "", "", errors.New("not a Taahod certificate: its metadata names no serial")
	}
	return string(m[0][1]), string(m[0][2]), nil
}

func annulledWord(s Status) string {
	if s == StatusSuperseded {
		return "جایگزین شد"
	}
	return "باطل شد"
}

// check reports what the mode needs and c lacks.
func (c Certificate) check(mode Mode) error {
	var p taahod.Problems
	need := func(field, v string) {
		if strings.TrimSpace(v) == "" {
			p.Add(field, "required", "is required")
		}
	}
	need("province", c.Province)
	need("issue_place", c.IssuePlace)
	need("unit.name", c.Unit.Name)
	need("unit.national_id", c.Unit.NationalID)
	need("unit.county", c.Unit.County)
	need("legal_basis", c.LegalBasis)
	need("officer", c.Officer)
	if c.IssuedOn.IsZero() {
		p.Add("issued_on", "required", "is required")
	}
	if !taahod.ValidFiscalYear(c.FiscalYear) {
		p.Add("fiscal_year", "out_of_range", "must be a Solar Hijri year between 1300 and 1500")
	}
	if c.PolicyMode != "credit" && c.PolicyMode != "deduction" {
		p.Add("policy_mode", "invalid", `must be "credit" or "deduction"`)
	}
	for _, a := range []struct {
		field string
		v     decimal.Decimal
	}{{"tax_due", c.TaxDue}, {"eligible_spending_used", c.EligibleSpendingUsed}, {"offset_amount", c.OffsetAmount}} {
		if a.v.Sign() < 0 {
			p.Add(a.field, "negative", "must not be negative")
		}
	}
	for i, e := range c.Expenditures {
		if e.SpentOn.IsZero() {
			p.Add(fmt.Sprintf("expenditures[%d].spent_on", i), "required", "is required")
		}
	}
	switch mode {
	case ModeFinal, ModeAnnulled:
		need("public_url", c.PublicURL)
		if !serialPattern.MatchString(c.Serial) {
			p.Add("serial", "malformed", "must be of the form PROVINCE-YEAR-SEQUENCE")
		}
		need("qr_url", c.QRURL)
		if !sha256Hex.MatchString(c.PayloadSHA256) {
			p.Add("payload_sha256", "malformed", "must be 64 lowercase hex digits")
		}
		if c.Supersedes != "" && !serialPattern.MatchString(c.Supersedes) {
			p.Add("supersedes", "malformed", "must be a serial")
		}
	case ModePreview:
	default:
		p.Add("mode", "invalid", "is not a rendering mode")
	}
	if mode == ModeAnnulled {
		switch c.Status {
		case StatusRevoked:
		case StatusSuperseded:
			if !serialPattern.MatchString(c.SupersededBy) {
				p.Add("superseded_by", "malformed", "a superseded certificate names the serial that replaced it")
			}
		default:
			p.Add("status", "invalid", "an annulled copy is of a revoked or superseded certificate")
		}
		need("status_reason", c.StatusReason)
	}
	return p.Err()
}

// serialText is the serial as printed: a placeholder in a preview.
func (c Certificate) serialText(mode Mode) string {
	if mode == ModePreview {
		return "پیش‌نویس (بدون شماره)"
	}
	return c.Serial
}

// certRenderer draws one certificate.
type certRenderer struct {
	d    *document
	c    Certificate
	mode Mode
}

// Font sizes of the certificate, in points.
const (
	sizeIssuer = 11.5
	sizeTitle  = 15
	sizeBody   = 10
	sizeSmall  = 8.5
	sizeTable  = 8.5
)

func (r *certRenderer) draw(title string) {
	d, c := r.d, r.c
	y := r.header()

	d.setFont(true, sizeTitle)
	d.setColor(colorAccent)
	y = d.paragraph(marginX, y, contentWidth, title, alignCenter)
	d.setFont(false, sizeSmall+0.5)
	d.setColor(colorMuted)
	y = d.paragraph(marginX, y, contentWidth, "موضوع ماده ۱۷۲ قانون مالیات‌های مستقیم", alignCenter)
	d.setColor(colorText)
	y += 2

	if r.mode == ModeAnnulled {
		y = r.annulledNotice(y)
	}
	if c.Supersedes != "" {
		text := "این گواهی جایگزین گواهی شماره " + c.Supersedes + " است و آن گواهی اعتبار ندارد."
		if r.mode == ModePreview {
			// Until it is issued, the certificate it would replace stands.
			text = "با صدور این گواهی، گواهی شماره " + c.Supersedes + " جایگزین می‌شود و اعتبار خود را از دست می‌دهد."
		}
		d.setFont(true, sizeBody)
		y = d.paragraph(marginX, y, contentWidth, text, alignStart)
		y++
	}

	y = r.unitBox(y)

	d.setFont(false, sizeBody)
	statement := fmt.Sprintf(
		"بدین‌وسیله گواهی می‌شود که از مالیات متعلق سال مالی %s واحد تولیدی «%s»، مبلغ %s ریال "+
			"بابت هزینه‌کرد تأییدشدهٔ این واحد در ساخت، تکمیل یا تجهیز مدارس و مراکز آموزشی، "+
			"بر اساس مصوبات کارگروه تسهیل و رفع موانع تولید استان %s و به شرح جدول زیر، %s.",
		fa.Digits(strconv.Itoa(c.FiscalYear)), c.Unit.Name, amountFigure(c.OffsetAmount),
		c.Province, modeClause(c.PolicyMode))
	y = d.paragraph(marginX, y+2, contentWidth, statement, alignStart)

	y = r.figures(y + 2)

	d.setFont(false, sizeBody)
	y = d.labelled(marginX, y+1.5, contentWidth, "مبنای قانونی:", c.LegalBasis, false)
	y = d.labelled(marginX, y, contentWidth, "شیوهٔ احتساب:", modeName(c.PolicyMode), false)

	y = r.verification(y + 2)

	d.setFont(true, sizeBody)
	y = d.ensure(y+1, 3*d.lineHeight())
	y = d.paragraph(marginX, y, contentWidth, "هزینه‌کردهای منظورشده", alignStart)
	y = r.expenditures(y + 0.5)

	d.setFont(false, sizeBody)
	y = d.ensure(y+4, 2*d.lineHeight())
	y = d.labelled(marginX+contentWidth/2, y, contentWidth/2, "صادرکننده:", c.Officer, false)
	d.setColor(colorMuted)
	d.setFont(false, sizeSmall)
	d.paragraph(marginX+contentWidth/2, y, contentWidth/2, "اداره کل امور مالیاتی استان "+c.Province, alignStart)
	d.setColor(colorText)
}

// header draws the issuer lines on the right and serial, date and place on
// the left, and returns the y below them.
func (r *certRenderer) header() float64 {
	d, c := r.d, r.c
	half := contentWidth / 2
	y := marginTop
	d.setFont(true, sizeIssuer)
	yr := d.paragraph(marginX+half, y, half, "اداره کل امور مالیاتی استان "+c.Province, alignStart)
	d.setFont(false, sizeIssuer-1.5)
	yr = d.paragraph(marginX+half, yr, half, "کارگروه تسهیل و رفع موانع تولید استان "+c.Province, alignStart)

	jy, jm, jd := c.IssuedOn.JalaliYMD()
	d.setFont(false, sizeBody)
	// A fixed label column makes the block read as a form.
	const block = 62.0
	yl := d.labelledWidth(marginX, y, block, 18, "شماره:", c.serialText(r.mode), r.mode != ModePreview)
	if r.mode != ModePreview && c.VerificationCode != "" {
		yl = d.labelledWidth(marginX, yl, block, 18, "کد تصدیق:", c.VerificationCode, true)
	}
	yl = d.labelledWidth(marginX, yl, block, 18, "تاریخ:", fa.JalaliDate(jy, jm, jd), false)
	yl = d.labelledWidth(marginX, yl, block, 18, "محل صدور:", c.IssuePlace, false)
	y = max(yr, yl) + 1.5
	d.rule(marginX, y, contentWidth, colorAccent, 0.5)

	// Later pages of a long certificate say whose they are.
	d.onNewPage = func() float64 {
		d.setFont(false, sizeSmall)
		d.setColor(colorMuted)
		yy := d.paragraph(marginX, marginTop, contentWidth,
			"ادامهٔ گواهی شماره "+c.serialText(r.mode)+" — "+c.Unit.Name+"، سال مالی "+fa.Digits(strconv.Itoa(c.FiscalYear)), alignStart)
		d.rule(marginX, yy+1, contentWidth, colorRule, 0.3)
		d.setColor(colorText)
		return yy + 4
	}
	return y + 2
}

// annulledNotice states why this copy is void.
func (r *certRenderer) annulledNotice(y float64) float64 {
	d, c := r.d, r.c
	var text string
	on := ""
	if !c.StatusOn.IsZero() {
		jy, jm, jd := c.StatusOn.JalaliYMD()
		on = " در تاریخ " + fa.JalaliDate(jy, jm, jd)
	}
	if c.Status == StatusSuperseded {
		text = "این گواهی" + on + " با گواهی شماره " + c.SupersededBy + " جایگزین شده و اعتبار ندارد. علت: " + c.StatusReason
	} else {
		text = "این گواهی" + on + " باطل شده و اعتبار ندارد. علت: " + c.StatusReason
	}
	d.setFont(true, sizeBody)
	lines := d.lines(text, contentWidth-6)
	h := float64(len(lines))*d.lineHeight() + 3
	d.pdf.SetDrawColor(190, 20, 20)
	d.pdf.SetFillColor(253, 236, 236)
	d.pdf.SetLineWidth(0.5)
	d.pdf.Rect(marginX, y, contentWidth, h, "FD")
	d.setColor(rgb{150, 10, 10})
	ly := y + 1.5
	for _, l := range lines {
		d.drawLine(marginX+3, ly, contentWidth-6, l, alignStart)
		ly += d.lineHeight()
	}
	d.setColor(colorText)
	return y + h + 2
}

// unitBox draws the unit's identification in a frame: the name on the
// first line, national id, economic code and county on the second.
func (r *certRenderer) unitBox(y float64) float64 {
	d, c := r.d, r.c
	econ := c.Unit.EconomicCode
	if econ == "" {
		econ = "—"
	}
	const pad = 2.5
	top := y
	inner := contentWidth - 2*pad
	d.setFont(false, sizeBody+0.5)
	y = d.labelled(marginX+pad, y+1.5, inner, "واحد تولیدی:", c.Unit.Name, false)
	third := inner / 3
	d.setFont(false, sizeBody)
	y1 := d.labelled(marginX+pad+2*third, y, third, "شناسه ملی:", fa.Digits(c.Unit.NationalID), false)
	y2 := d.labelled(marginX+pad+third, y, third, "کد اقتصادی:", fa.Digits(econ), false)
	y3 := d.labelled(marginX+pad, y, third, "شهرستان:", c.Unit.County, false)
	y = max(y1, y2, y3) + 1.5
	d.pdf.SetDrawColor(colorRule.r, colorRule.g, colorRule.b)
	d.pdf.SetLineWidth(0.3)
	d.pdf.Rect(marginX, top, contentWidth, y-top, "D")
	return y
}

// figures draws the three amounts side by side and the certified amount in
// words under them.
func (r *certRenderer) figures(y float64) float64 {
	d, c := r.d, r.c
	w := contentWidth / 3
	cols := []column{
		{title: "مالیات متعلق سال " + fa.Digits(strconv.Itoa(c.FiscalYear)) + " (ریال)", width: w, align: alignCenter},
		{title: "هزینه‌کرد تأییدشدهٔ به‌کاررفته (ریال)", width: w, align: alignCenter},
		{title: "مبلغ منظورشده به‌عنوان مالیات (ریال)", width: contentWidth - 2*w, align: alignCenter},
	}
	rows := [][]string{{amountFigure(c.TaxDue), amountFigure(c.EligibleSpendingUsed), amountFigure(c.OffsetAmount)}}
	y = d.table(y, cols, rows, sizeBody+0.5, map[int]bool{0: true})
	d.setFont(true, sizeBody)
	return d.labelled(marginX, y+1.5, contentWidth, "مبلغ منظورشده به حروف:", amountWords(c.OffsetAmount)+" ریال", false)
}

// qrSizeCompact is the printed width in millimetres of a compact QR code
// (certificate.CompactQRURL): its modules are 0.63 mm at version 10, which a phone and
// zbarimg read from a blurred 150 dpi scan.
const qrSizeCompact = 36.0

// verification draws the QR code with the instructions and the digest of
// the signed facts.
func (r *certRenderer) verification(y float64) float64 {
	d, c := r.d, r.c
	// The first certificates' long URL printed 32 mm wide; they keep it,
	// so as to render again byte for byte.
	qrSize, quiet := 32.0, 2.5
	compact := r.mode == ModePreview || IsCompactQRURL(c.QRURL)
	if compact {
		qrSize, quiet = qrSizeCompact, 3
	}
	y = d.ensure(y, qrSize+2*quiet)
	top := y
	textW := contentWidth - qrSize - 2*quiet - 4
	tx := marginX + contentWidth - textW
	d.setFont(true, sizeBody)
	yy := d.paragraph(tx, y+1, textW, "راستی‌آزمایی", alignStart)
	d.setFont(false, sizeSmall)
	if r.mode == ModePreview {
		yy = d.paragraph(tx, yy, textW,
			"این نسخه پیش‌نویس است و اعتبار ندارد: شماره، امضای دیجیتال و کد QR هنگام صدور گواهی افزوده می‌شوند.", alignStart)
	} else {
		text := "اصالت و وضعیت این گواهی را در نشانی زیر بررسی کنید. کد QR متن امضاشدهٔ گواهی و امضای دیجیتال آن را در بر دارد " +
			"و بدون اتصال به اینترنت نیز با کلید عمومی منتشرشده در نشانی دوم بررسی‌پذیر است."
		if compact {
			text = "اصالت و وضعیت این گواهی را در نشانی زیر بررسی کنید. کد QR شماره، سال مالی، مبلغ و تاریخ صدور گواهی و بخشی از چکیدهٔ متن امضاشدهٔ آن را " +
				"با امضای دیجیتال در بر دارد و بدون اتصال به اینترنت نیز با کلید عمومی منتشرشده در نشانی دوم بررسی‌پذیر است."
		}
		if c.VerificationCode != "" {
			// Certificates issued before codes were printed keep their text.
			text += " نام واحد و مبلغ گواهی در آن نشانی با کد تصدیق کنار شمارهٔ گواهی نشان داده می‌شود."
		}
		yy = d.paragraph(tx, yy, textW, text, alignStart)
		yy = d.labelledWidth(tx, yy, textW, 24, "نشانی بررسی:", c.VerifyURL(), true)
		yy = d.labelledWidth(tx, yy, textW, 24, "کلید عمومی:", c.KeyURL(), true)
		yy = d.labelledWidth(tx, yy, textW, 24, "چکیدهٔ SHA-256:", c.PayloadSHA256, true)
	}
	qx, qy := marginX+quiet, top+quiet
	if r.mode == ModePreview {
		d.pdf.SetDrawColor(colorRule.r, colorRule.g, colorRule.b)
		d.pdf.SetDashPattern([]float64{1.5, 1.5}, 0)
		d.pdf.SetLineWidth(0.3)
		d.pdf.Rect(qx, qy, qrSize, qrSize, "D")
		d.pdf.SetDashPattern(nil, 0)
		d.setFont(false, sizeSmall)
		d.setColor(colorMuted)
		d.paragraph(qx, qy+qrSize/2-d.lineHeight()/2, qrSize, "کد QR پس از صدور", alignCenter)
		d.setColor(colorText)
	} else {
		d.drawQR(qx, qy, qrSize, c.QRURL)
	}
	return max(yy, top+qrSize+2*quiet)
}

// expenditures draws the table of expenditures used, with a total row.
func (r *certRenderer) expenditures(y float64) float64 {
	d, c := r.d, r.c
	cols := []column{
		{title: "ردیف", width: 9, align: alignCenter},
		{title: "تاریخ", width: 19, align: alignCenter},
		{title: "شماره فاکتور", width: 25, align: alignCenter},
		{title: "فروشنده", width: 45, align: alignStart},
		{title: "مدرسه / مرکز آموزشی", width: 50, align: alignStart},
		{title: "مبلغ به‌کاررفته (ریال)", width: contentWidth - 148, align: alignStart},
	}
	rows := make([][]string, 0, len(c.Expenditures)+1)
	total := decimal.Zero
	for i, e := range c.Expenditures {
		jy, jm, jd := e.SpentOn.JalaliYMD()
		rows = append(rows, []string{
			fa.Digits(strconv.Itoa(i + 1)), fa.JalaliDate(jy, jm, jd), identifier(e.InvoiceNo),
			e.Vendor, e.School, amountFigure(e.AmountUsed),
		})
		total = total.Add(e.AmountUsed)
	}
	if len(c.Expenditures) == 0 {
		rows = append(rows, []string{"", "", "", "—", "—", "—"})
	}
	rows = append(rows, []string{"", "", "", "", "جمع", amountFigure(total)})
	return d.table(y, cols, rows, sizeTable, map[int]bool{len(rows) - 1: true})
}

// identifier writes an identifier such as an invoice number: in Persian
// digits when it has no Latin letter, as entered otherwise, so that
// «INV-1404-0117» does not mix scripts.
func identifier(s string) string {
	for _, r := range s {
		if r < 0x80 && unicode.IsLetter(r) {
			return s
		}
	}
	return fa.Digits(s)
}

// amountFigure writes an amount in Persian digits with ٬ grouping.
func amountFigure(a decimal.Decimal) string {
	return fa.GroupAmount(taahod.FormatAmount(a))
}

// amountWords spells an amount in Persian words; an amount Words cannot
// spell (more than 18 integer digits) is written in figures instead, which
// is still exact.
func amountWords(a decimal.Decimal) string {
	w, err := fa.Words(taahod.FormatAmount(a))
	if err != nil {
		return amountFigure(a)
	}
	return w
}

// modeName names a policy mode in Persian.
func modeName(mode string) string {
	if mode == "deduction" {
		return "کسر هزینه‌کرد از درآمد مشمول مالیات و منظور کردن مالیات متناظر آن"
	}
	return "احتساب هزینه‌کرد به‌عنوان مالیات پرداختی"
}

// modeClause ends the statement according to the policy mode.
func modeClause(mode string) string {
	if mode == "deduction" {
		return "از طریق کسر از درآمد مشمول مالیات، به‌عنوان مالیات پرداختی منظور شده است"
	}
	return "به‌عنوان مالیات پرداختی منظور شده است"
}
