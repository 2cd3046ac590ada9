package reports

import (
	"fmt"
	"html/template"
	"io"
	"net/url"
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports/fa"
	"github.com/taahod/taahod/reports/fonts"
)

// VerifyView is what the public page /v/{serial} shows about a certificate.
// It carries no tax figure beyond the offset amount: the page is public.
type VerifyView struct {
	Serial string
	Status Status
	// StatusReason and StatusOn say why and when a certificate was revoked
	// or superseded.
	StatusReason string
	StatusOn     taahod.Date
	// SupersededBy is the serial of the replacing certificate, if any; the
	// page links to its own verify page.
	SupersededBy string
	// Supersedes is the serial this certificate replaced, if any.
	Supersedes string

	UnitName     string
	FiscalYear   int
	OffsetAmount decimal.Decimal
	IssuedOn     taahod.Date
	// PayloadSHA256 is the hex SHA-256 of the signed facts payload, as the
	// PDF prints it.
	PayloadSHA256 string

	// QR is the outcome of CheckQR on the URL's p and s parameters.
	QR QRCheck
	// KeyURL is where the public key is published, for example
	// "/api/v1/verify/key".
	KeyURL string
}

// RenderVerifyPage writes the Persian, right-to-left HTML page for a
// certificate: its status (a superseded one links to its replacement), what
// it certifies, and whether the signed facts in the URL are genuine and are
// this certificate's. It returns the writer's error.
func RenderVerifyPage(w io.Writer, v VerifyView) error {
	jy, jm, jd := v.IssuedOn.JalaliYMD()
	p := verifyPage{
		Title:      "راستی‌آزمایی گواهی " + v.Serial,
		Serial:     v.Serial,
		UnitName:   v.UnitName,
		FiscalYear: fa.Digits(strconv.Itoa(v.FiscalYear)),
		Amount:     amountFigure(v.OffsetAmount),
		AmountText: amountWords(v.OffsetAmount) + " ریال",
		IssuedOn:   fa.LongDate(jy, jm, jd),
		Digest:     v.PayloadSHA256,
		KeyURL:     v.KeyURL,
		Supersedes: v.Supersedes,
	}
	if v.Supersedes != "" {
		p.SupersedesHref = verifyHref(v.Supersedes)
	}
	on := ""
	if !v.StatusOn.IsZero() {
		y, m, d := v.StatusOn.JalaliYMD()
		on = " در " + fa.LongDate(y, m, d)
	}
	switch v.Status {
	case StatusValid:
		p.StatusClass, p.StatusText = "good", "این گواهی معتبر است."
	case StatusRevoked:
		p.StatusClass, p.StatusText = "bad", "این گواهی"+on+" باطل شده است و اعتبار ندارد."
		p.Reason = v.StatusReason
	case StatusSuperseded:
		p.StatusClass, p.StatusText = "warn", "این گواهی"+on+" با گواهی دیگری جایگزین شده است و اعتبار ندارد."
		p.Reason = v.StatusReason
		if v.SupersededBy != "" {
			p.SupersededBy, p.SupersededByHref = v.SupersededBy, verifyHref(v.SupersededBy)
		}
	default:
		return fmt.Errorf("verify page: unknown status %q", v.Status)
	}
	p.QRClass, p.QRText = qrVerdict(v.QR)
	return verifyTemplate.ExecuteTemplate(w, "certificate", p)
}

// VerifyPageFonts are the files the verify page's style loads from
// /v/fonts/: Vazirmatn, the certificates' typeface, so that the page reads
// like the paper on any device, and its licence, which travels with it.
var VerifyPageFonts = map[string]struct {
	ContentType string
	Data        []byte
}{
	"Vazirmatn-Regular.ttf": {"font/ttf", fonts.Regular},
	"Vazirmatn-Bold.ttf":    {"font/ttf", fonts.Bold},
	"OFL.txt":               {"text/plain; charset=utf-8", []byte(fonts.License)},
}

// RenderVerifyNotFound writes the page for a serial that names no
// certificate; the handler answers it with status 404.
func RenderVerifyNotFound(w io.Writer, serial string) error {
	return verifyTemplate.ExecuteTemplate(w, "notfound", verifyPage{
		Title:  "گواهی یافت نشد",
		Serial: serial,
	})
}

// qrVerdict says in Persian what the URL's signature check found.
func qrVerdict(q QRCheck) (class, text string) {
	switch q {
	case QRMatches:
		return "good", "امضای دیجیتال این نشانی معتبر است و مشخصات امضاشده با سوابق این گواهی یکسان است."
	case QRDiffers:
		return "bad", "امضای دیجیتال این نشانی معتبر است، اما مشخصات امضاشده با سوابق این گواهی یکسان نیست: نشانی از گواهی دیگری برداشته شده است."
	case QRBadSignature:
		return "bad", "امضای دیجیتال این نشانی نامعتبر است: متن یا امضا تغییر کرده یا با کلید دیگری امضا شده است."
	case QRMalformed:
		return "bad", "اطلاعات امضای این نشانی ناقص یا خراب است و بررسی‌پذیر نیست."
	case QRUnchecked:
		return "warn", "امضای دیجیتال این نشانی اکنون در این سامانه بررسی‌پذیر نیست. وضعیت بالا از سوابق سامانه است؛ امضا را می‌توانید با کلید عمومی منتشرشده بررسی کنید."
	}
	return "info", "این نشانی امضای دیجیتال همراه ندارد. برای بررسی امضا، کد QR روی گواهی را بخوانید یا آن را با کلید عمومی زیر بررسی کنید."
}

// verifyHref is the path of a certificate's verify page.
func verifyHref(serial string) string {
	return "/v/" + url.PathEscape(serial)
}

// verifyPage is the template's data: every text already in its Persian
// display form.
type verifyPage struct {
	Title, Serial                  string
	StatusClass, StatusText        string
	Reason                         string
	SupersededBy, SupersededByHref string
	Supersedes, SupersedesHref     string
	UnitName, FiscalYear           string
	Amount, AmountText             string
	IssuedOn                       string
	Digest, KeyURL                 string
	QRClass, QRText                string
}

var verifyTemplate = template.Must(template.New("verify").Parse(`
{{- define "head" -}}
<!DOCTYPE html>
<html lang="fa" dir="rtl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
@font-face{font-family:Vazirmatn;src:url(/v/fonts/Vazirmatn-Regular.ttf) format("truetype");font-weight:400;font-display:swap}
@font-face{font-family:Vazirmatn;src:url(/v/fonts/Vazirmatn-Bold.ttf) format("truetype");font-weight:700;font-display:swap}
body{font-family:Vazirmatn,Vazir,Tahoma,"Segoe UI",sans-serif;margin:0;background:#f4f6f8;color:#1a1a1a;line-height:1.8}
main{max-width:44rem;margin:2rem auto;padding:0 1rem}
h1{font-size:1.3rem;color:#14467a}
.box{background:#fff;border:1px solid #d5dbe1;border-radius:6px;padding:1rem 1.25rem;margin:1rem 0}
.good{border-color:#2e7d32;background:#edf7ee}
.bad{border-color:#c62828;background:#fdecec}
.warn{border-color:#ef6c00;background:#fff4e5}
.info{border-color:#90a4ae}
.status{font-weight:bold;font-size:1.1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dt{color:#5a5a5a}
dd{margin:0;font-weight:bold}
.ltr{direction:ltr;unicode-bidi:isolate;font-family:ui-monospace,Consolas,monospace;word-break:break-all}
small{color:#5a5a5a}
</style>
</head>
<body>
<main>
{{- end}}

{{- define "foot" -}}
<p><small>سامانهٔ تعهد — کارگروه تسهیل و رفع موانع تولید</small></p>
</main>
</body>
</html>
{{end}}

{{- define "certificate" -}}
{{template "head" .}}
<h1>راستی‌آزمایی گواهی <bdi class="ltr">{{.Serial}}</bdi></h1>
<section class="box {{.StatusClass}}">
<p class="status">{{.StatusText}}</p>
{{- if .Reason}}
<p>علت: {{.Reason}}</p>
{{- end}}
{{- if .SupersededBy}}
<p>گواهی جایگزین: <a href="{{.SupersededByHref}}"><bdi class="ltr">{{.SupersededBy}}</bdi></a></p>
{{- end}}
</section>
<section class="box">
<h2>آنچه این گواهی تأیید می‌کند</h2>
<dl>
<dt>واحد تولیدی</dt><dd>{{.UnitName}}</dd>
<dt>سال مالی</dt><dd>{{.FiscalYear}}</dd>
<dt>مبلغ منظورشده به‌عنوان مالیات</dt><dd><bdi>{{.Amount}}</bdi> ریال<br><small>{{.AmountText}}</small></dd>
<dt>تاریخ صدور</dt><dd>{{.IssuedOn}}</dd>
{{- if .Supersedes}}
<dt>جایگزین گواهی</dt><dd><a href="{{.SupersedesHref}}"><bdi class="ltr">{{.Supersedes}}</bdi></a></dd>
{{- end}}
</dl>
</section>
<section class="box {{.QRClass}}">
<h2>امضای دیجیتال</h2>
<p>{{.QRText}}</p>
<dl>
<dt>چکیدهٔ SHA-256 متن امضاشده</dt><dd class="ltr">{{.Digest}}</dd>
{{- if .KeyURL}}
<dt>کلید عمومی (Ed25519)</dt><dd><a class="ltr" href="{{.KeyURL}}">{{.KeyURL}}</a></dd>
{{- end}}
</dl>
</section>
{{template "foot" .}}
{{- end}}

{{- define "notfound" -}}
{{template "head" .}}
<h1>گواهی یافت نشد</h1>
<section class="box bad">
<p class="status">گواهی با شمارهٔ <bdi class="ltr">{{.Serial}}</bdi> در سامانه ثبت نشده است.</p>
<p>شماره را با گواهی مقایسه کنید. گواهی‌ای که در این سامانه یافت نشود معتبر نیست.</p>
</section>
{{template "foot" .}}
{{- end}}
`))
