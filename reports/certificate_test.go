package reports

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports/fonts"
)

// TestCertificatePDF reads the issued sample certificate back as a reader
// would: its text, its fonts, its QR code, its size and its bytes.
func TestCertificatePDF(t *testing.T) {
	c, issued := issuedSample(t)
	pdf := issued.PDF

	t.Run("text has the unit, the serial and the amounts", func(t *testing.T) {
		text := pdfText(t, pdf, 0, 0)
		for _, want := range []string{
			"گواهی",
			c.Unit.Name,
			c.Serial,
			"۱٬۲۳۴٬۵۶۷٬۸۹۰٫۵", // offset, grouped
			"۲٬۵۰۰٬۰۰۰٬۰۰۰",   // tax due
			"یک میلیارد و دویست و سی و چهار میلیون و پانصد و شصت و هفت هزار و هشتصد و نود و پنج دهم ریال",
			"اداره کل امور مالیاتی استان قزوین",
			"کارگروه تسهیل و رفع موانع تولید استان قزوین",
			"۱۴۰۴/۰۹/۰۵",  // date of issue
			"۱۰۸۶۰۰۱۲۳۴۲", // national id
			"کد اقتصادی", "۴۱۱۱۵۵۶۶۷۷۸۸", "آبیک",
			c.LegalBasis,
			"QZV-1404-000009", // the serial it supersedes
			"https://taahod.example/v/QZV-1404-000017",
			"https://taahod.example/api/v1/verify/key",
			issued.FactsSHA256,
			"کد تصدیق", issued.VerificationCode, // beside the serial
			"دفتر فنی مهندسان مشاور طرح‌نو",
			"INV-1404-0117", "۱۴۰۴/۰۸/۰۲", "۷۵٬۰۰۲٬۴۵۸",
			c.Officer,
		} {
			if !strings.Contains(text, readable(want)) {
				t.Errorf("pdftotext lacks %q", want)
			}
		}
	})

	t.Run("Vazirmatn is embedded as a subset", func(t *testing.T) {
		fonts := pdfFonts(t, pdf)
		if len(fonts) != 1 {
			t.Fatalf("pdffonts lists %d fonts, want Vazirmatn alone: %+v", len(fonts), fonts)
		}
		f := fonts[0]
		if !regexp.MustCompile(`^[A-Z]{6}\+Vazirmatn-Regular$`).MatchString(f.name) || !f.embedded || !f.subset || !f.hasToUnicodeCMap {
			t.Errorf("font %+v, want an embedded subset XXXXXX+Vazirmatn-Regular with a ToUnicode map", f)
		}
	})

	t.Run("QR code reads back as the signed URL", func(t *testing.T) {
		codes := qrCodes(t, pdf)
		if len(codes) != 1 || codes[0] != issued.QRURL {
			t.Fatalf("QR codes on page 1 = %q, want [%q]", codes, issued.QRURL)
		}
	})

	t.Run("one page under the size goal", func(t *testing.T) {
		if n := pdfPages(t, pdf); n != 1 {
			t.Errorf("%d pages, want the sample on one", n)
		}
		if len(pdf) > 100_000 {
			t.Errorf("%d bytes, over the 100 KB limit", len(pdf))
		}
		if len(pdf) > 40_000 {
			t.Logf("%d bytes, over the 40 KB goal", len(pdf))
		}
	})

	t.Run("metadata names the certificate", func(t *testing.T) {
		serial, digest, err := CertificateInfo(pdf)
		if err != nil || serial != c.Serial || digest != issued.FactsSHA256 {
			t.Errorf("CertificateInfo = %q, %q, %v", serial, digest, err)
		}
		if _, _, err := CertificateInfo([]byte("%PDF-1.4 nothing")); err == nil {
			t.Error("CertificateInfo found a serial in a file without one")
		}
	})

	t.Run("same certificate same bytes", func(t *testing.T) {
		again, err := RenderCertificate(c, ModeFinal)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(again, pdf) {
			t.Error("rendering the issued certificate again gave other bytes")
		}
		if fmt.Sprintf("%x", sha256.Sum256(again)) != issued.PDFSHA256 {
			t.Error("the re-rendered PDF does not match the pdf_sha256 that was signed")
		}
	})
}

func TestCertificateModes(t *testing.T) {
	c, _ := issuedSample(t)
	revoked := c
	revoked.Status, revoked.StatusOn = StatusRevoked, jalali(t, 1404, 10, 2)
	revoked.StatusReason = "اشتباه در ثبت مبلغ فاکتور INV-553"
	superseded := c
	superseded.Status, superseded.StatusReason = StatusSuperseded, "اصلاح برگ تشخیص مالیات"
	superseded.SupersededBy = "QZV-1404-000031"
	preview := sampleCertificate(t) // never signed: no serial, QR or digest
	preview.Serial = ""

	tests := []struct {
		name    string
		c       Certificate
		mode    Mode
		want    []string
		notWant []string
	}{
		{"preview is a draft without serial", preview, ModePreview,
			[]string{"پیش‌نویس", "پیش‌نویس (بدون شماره)", "کد QR پس از صدور", c.Unit.Name,
				"با صدور این گواهی، گواهی شماره QZV-1404-000009 جایگزین می‌شود"},
			[]string{"QZV-1404-000017", "SHA-256", "آن گواهی اعتبار ندارد"}},
		{"revoked copy says so and why", revoked, ModeAnnulled,
			[]string{"باطل شد", "باطل شده و اعتبار ندارد", revoked.StatusReason, "۱۴۰۴/۱۰/۰۲", c.Serial},
			nil},
		{"superseded copy names its replacement", superseded, ModeAnnulled,
			[]string{"جایگزین شد", "QZV-1404-000031", superseded.StatusReason},
			nil},
		{"final copy has no watermark", c, ModeFinal,
			[]string{c.Serial, "این گواهی جایگزین گواهی شماره QZV-1404-000009 است و آن گواهی اعتبار ندارد"},
			[]string{"پیش‌نویس", "باطل شد", "جایگزین شد"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pdf, err := RenderCertificate(tt.c, tt.mode)
			if err != nil {
				t.Fatal(err)
			}
			text := pdfText(t, pdf, 0, 0)
			for _, w := range tt.want {
				if !strings.Contains(text, readable(w)) {
					t.Errorf("pdftotext lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(text, readable(w)) {
					t.Errorf("pdftotext has %q", w)
				}
			}
			again, err := RenderCertificate(tt.c, tt.mode)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pdf, again) {
				t.Error("two renderings differ")
			}
		})
	}
}

// TestCertificateManyExpenditures checks that a long table continues on
// the following pages under a repeated header, and loses no line.
func TestCertificateManyExpenditures(t *testing.T) {
	c := sampleCertificate(t)
	var many []CertificateExpenditure
	total := amount(t, "0")
	for i := range 70 {
		e := c.Expenditures[i%len(c.Expenditures)]
		e.InvoiceNo = fmt.Sprintf("T-%03d", i+1)
		many = append(many, e)
		total = total.Add(e.AmountUsed)
	}
	c.Expenditures = many
	c.EligibleSpendingUsed, c.OffsetAmount, c.TaxDue = total, total, total
	c.QRURL, c.PayloadSHA256, c.VerificationCode = sampleQRURL, sampleFactsSHA256, sampleCode
	pdf, err := RenderCertificate(c, ModeFinal)
	if err != nil {
		t.Fatal(err)
	}
	issued := sampleIssue{PDF: pdf}
	pages := pdfPages(t, issued.PDF)
	if pages < 3 {
		t.Fatalf("%d pages for 70 expenditures, want at least 3", pages)
	}
	for p := 2; p <= pages; p++ {
		text := pdfText(t, issued.PDF, p, p)
		for _, w := range []string{"شماره فاکتور", "مبلغ به‌کاررفته", "ادامهٔ گواهی شماره " + c.Serial,
			toPersianDigits(fmt.Sprintf("صفحه %d از %d", p, pages))} {
			if !strings.Contains(text, readable(w)) {
				t.Errorf("page %d lacks %q", p, w)
			}
		}
	}
	text := pdfText(t, issued.PDF, 0, 0)
	for i := range 70 {
		if inv := fmt.Sprintf("T-%03d", i+1); !strings.Contains(text, inv) {
			t.Errorf("invoice %s is missing", inv)
		}
	}
	if !strings.Contains(text, readable("جمع")) || !strings.Contains(text, amountFigure(total)) {
		t.Errorf("total %s is missing", amountFigure(total))
	}
	if len(issued.PDF) > 100_000 {
		t.Errorf("%d bytes for %d pages", len(issued.PDF), pages)
	}
}

// toPersianDigits writes the ASCII digits of s in Persian, as the page
// footers print them.
func toPersianDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '۰'
		}
		return r
	}, s)
}

func TestRenderCertificateRejects(t *testing.T) {
	c, _ := issuedSample(t)
	tests := []struct {
		name  string
		edit  func(*Certificate)
		mode  Mode
		field string
	}{
		{"no unit name", func(c *Certificate) { c.Unit.Name = " " }, ModeFinal, "unit.name"},
		{"no legal basis", func(c *Certificate) { c.LegalBasis = "" }, ModeFinal, "legal_basis"},
		{"no issue date", func(c *Certificate) { c.IssuedOn = taahod.Date{} }, ModeFinal, "issued_on"},
		{"unknown policy mode", func(c *Certificate) { c.PolicyMode = "refund" }, ModeFinal, "policy_mode"},
		{"negative amount", func(c *Certificate) { c.OffsetAmount = decimal.RequireFromString("-1") }, ModeFinal, "offset_amount"},
		{"final without serial", func(c *Certificate) { c.Serial = "" }, ModeFinal, "serial"},
		{"final without QR", func(c *Certificate) { c.QRURL = "" }, ModeFinal, "qr_url"},
		{"final without digest", func(c *Certificate) { c.PayloadSHA256 = "abc" }, ModeFinal, "payload_sha256"},
		{"annulled copy of a valid certificate", func(c *Certificate) { c.Status = StatusValid; c.StatusReason = "x" }, ModeAnnulled, "status"},
		{"revoked without reason", func(c *Certificate) { c.Status = StatusRevoked }, ModeAnnulled, "status_reason"},
		{"superseded without successor", func(c *Certificate) { c.Status, c.StatusReason = StatusSuperseded, "x" }, ModeAnnulled, "superseded_by"},
		{"unknown mode", func(*Certificate) {}, Mode(9), "mode"},
		{"expenditure without date", func(c *Certificate) { c.Expenditures[2].SpentOn = taahod.Date{} }, ModeFinal, "expenditures[2].spent_on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := c
			bad.Expenditures = append([]CertificateExpenditure(nil), c.Expenditures...)
			tt.edit(&bad)
			_, err := RenderCertificate(bad, tt.mode)
			if !hasField(err, tt.field) {
				t.Errorf("err = %v, want EINVALID naming %s", err, tt.field)
			}
		})
	}

	// A character the font cannot draw must not print as a silent gap.
	for _, name := range []string{"شرکت 🏭 قزوین", "회사", "شرکت ڤ"} {
		t.Run("unprintable "+name, func(t *testing.T) {
			bad := c
			bad.Unit.Name = name
			_, err := RenderCertificate(bad, ModeFinal)
			if taahod.ErrorCode(err) != taahod.EINVALID || !strings.Contains(err.Error(), "no glyph") {
				t.Errorf("err = %v, want EINVALID about a missing glyph", err)
			}
		})
	}
}

// hasField reports whether err is an EINVALID *taahod.Error naming field.
func hasField(err error, field string) bool {
	e, ok := err.(*taahod.Error)
	if !ok || e.Code != taahod.EINVALID {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

func TestCheckFonts(t *testing.T) {
	if err := CheckFonts(); err != nil {
		t.Fatal(err)
	}
	faces, _ := loadTypefaces()
	if cut, full := len(faces.regular.ttf), len(fonts.Regular); cut > full/2 {
		t.Errorf("cut font is %d bytes of the full %d: the cut kept too much", cut, full)
	}
}

// TestConcurrentRendering renders at once from many goroutines, as the
// server does: the fonts cut at start-up are shared by every document, and
// gofpdf must only read them. Run with -race.
func TestConcurrentRendering(t *testing.T) {
	c, issued := issuedSample(t)
	faces, _ := loadTypefaces()
	before := sha256.Sum256(faces.regular.ttf)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			pdf, err := RenderCertificate(c, ModeFinal)
			if err == nil && !bytes.Equal(pdf, issued.PDF) {
				err = fmt.Errorf("a concurrent rendering differs")
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if sha256.Sum256(faces.regular.ttf) != before {
		t.Error("rendering changed the shared font bytes")
	}
}

// TestOldCertificateRendersWithoutCode: a certificate issued before codes
// were printed keeps no code in what it printed, and renders as it did.
func TestOldCertificateRendersWithoutCode(t *testing.T) {
	c, issued := issuedSample(t)
	old := c
	old.VerificationCode = ""
	pdf, err := RenderCertificate(old, ModeFinal)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(pdf, issued.PDF) {
		t.Fatal("the code changes nothing in the PDF")
	}
	again, _ := RenderCertificate(old, ModeFinal)
	if !bytes.Equal(pdf, again) {
		t.Error("an old certificate renders differently twice")
	}
	if text := pdfText(t, pdf, 1, 1); strings.Contains(text, readable("کد تصدیق")) {
		t.Error("an old certificate prints a code label")
	}
}
