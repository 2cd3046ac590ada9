package certificate

import (
	"fmt"
	"github.com/taahod/taahod/reports"
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
// It carries no tax figure beyond the offset amount, and the page shows
// even that, the unit, the digest and the status's reason and date only
// when Disclosed: to the holder of the certificate.
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

	// QR is the outcome of CheckQRCode on the URL's q parameter (a compact
	// QR code), or of CheckQR on its p and s (the long URL of the first
	// certificates).
	QR QRCheck
	// KeyURL is where the public key is published, for example
	// "/api/v1/verify/key".
	KeyURL string

	// Disclosed is true when the visitor proved to hold the certificate
	// (its verification code, or the signed facts of its QR code): the
	// page then shows what it certifies. Otherwise it shows only whether
	// the certificate stands, its year and date of issue, and a field for
	// the code.
	Disclosed bool
	// Code is the verification code as the visitor typed it, given back
	// in the field; CodeFault says what is wrong with it.
	Code      string
	CodeFault CodeFault
}

// CodeFault is what is wrong with a verification code typed on the page.
type CodeFault int

const (
	// CodeFine: no code, or the right one.
	CodeFine CodeFault = iota
	// CodeMalformed: the text cannot be a code.
	CodeMalformed
	// CodeMismatch: a code, but not this certificate's.
	CodeMismatch
)

// codeFaultText is told beside the code's field; the same sentences as
// the web pages' messages for invalid_verification_code and
// verification_code_mismatch.
var codeFaultText = map[CodeFault]string{
	CodeMalformed: "کد تصدیق ده نویسه است، مانند 7KQ4-M2XD-9P؛ آن را همان‌گونه که کنار شمارهٔ گواهی چاپ شده بنویسید.",
	CodeMismatch:  "این کد تصدیق با این گواهی نمی‌خواند. کد چاپ‌شده کنار شمارهٔ گواهی را دوباره بنویسید.",
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
		Disclosed:  v.Disclosed,
		FiscalYear: fa.Digits(strconv.Itoa(v.FiscalYear)),
		IssuedOn:   fa.LongDate(jy, jm, jd),
		KeyURL:     v.KeyURL,
		Href:       verifyHref(v.Serial),
		Code:       v.Code,
		CodeError:  codeFaultText[v.CodeFault],
	}
	if v.Disclosed {
		p.UnitName, p.Digest, p.Supersedes = v.UnitName, v.PayloadSHA256, v.Supersedes
		p.Amount, p.AmountText = reports.AmountFigure(v.OffsetAmount), reports.AmountWords(v.OffsetAmount)+" ریال"
		if v.Supersedes != "" {
			p.SupersedesHref = verifyHref(v.Supersedes)
		}
	} else {
		// Why it was annulled is the holder's to read; when a certificate
		// was revoked is public, as in GET /api/v1/verify/{serial}.
		v.StatusReason = ""
		if v.Status != StatusRevoked {
			v.StatusOn = taahod.Date{}
		}
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
	p.QRClass, p.QRText = qrVerdict(v.QR, v.Status)
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

// RenderVerifyBadQR writes the page for a /Q/ URL whose code is no
// certificate's QR code (mistyped, cut short, or made elsewhere); the
// handler answers it with status 404.
func RenderVerifyBadQR(w io.Writer) error {
	return verifyTemplate.ExecuteTemplate(w, "badqr", verifyPage{Title: "کد QR خوانا نیست"})
}

// qrVerdict says in Persian what the URL's signature check found. A
// genuine signature of a certificate that no longer stands is not shown
// green: the signature is the service's, but the certificate is void.
func qrVerdict(q QRCheck, status Status) (class, text string) {
	switch {
	case q == QRMatches && status == StatusRevoked:
		return "bad", "امضای دیجیتال این نشانی اصیل است و مشخصات امضاشده با سوابق این گواهی یکسان است، اما این گواهی باطل شده است و اعتبار ندارد: امضای اصیل آن را معتبر نمی‌کند."
	case q == QRMatches && status == StatusSuperseded:
		return "warn", "امضای دیجیتال این نشانی اصیل است و مشخصات امضاشده با سوابق این گواهی یکسان است، اما این گواهی با گواهی دیگری جایگزین شده است و اعتبار ندارد: امضای اصیل آن را معتبر نمی‌کند."
	}
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
	Disclosed                      bool
	Href, Code, CodeError          string
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
dd{margin:0;font-weight:bold;min-width:0}
@media (max-width:32rem){dl{grid-template-columns:1fr;gap:0}dd{margin-bottom:.5rem}}
.ltr{direction:ltr;unicode-bidi:isolate;font-family:ui-monospace,Consolas,monospace}
.digest{word-break:break-all}
.nowrap{white-space:nowrap}
small{color:#5a5a5a}
input{font:inherit;padding:.3rem .5rem;border:1px solid #90a4ae;border-radius:4px;min-width:12rem}
button{font:inherit;padding:.3rem 1rem}
.field-error{color:#b71c1c;font-weight:bold}
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
<h1>راستی‌آزمایی گواهی <bdi class="ltr nowrap">{{.Serial}}</bdi></h1>
<section class="box {{.StatusClass}}">
<p class="status">{{.StatusText}}</p>
{{- if .Reason}}
<p>علت: {{.Reason}}</p>
{{- end}}
{{- if .SupersededBy}}
<p>گواهی جایگزین: <a href="{{.SupersededByHref}}"><bdi class="ltr">{{.SupersededBy}}</bdi></a></p>
{{- end}}
</section>
{{- if .Disclosed}}
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
{{- else}}
<section class="box">
<dl>
<dt>سال مالی</dt><dd>{{.FiscalYear}}</dd>
<dt>تاریخ صدور</dt><dd>{{.IssuedOn}}</dd>
</dl>
</section>
<section class="box{{if .CodeError}} bad{{end}}">
<h2>آنچه این گواهی تأیید می‌کند</h2>
<p>نام واحد و مبلغ گواهی فقط به دارندهٔ گواهی نشان داده می‌شود: کد تصدیق چاپ‌شده کنار شمارهٔ گواهی را بنویسید یا کد QR روی گواهی را بخوانید.</p>
<form method="get" action="{{.Href}}" novalidate>
<p><label for="code">کد تصدیق</label><br>
<input id="code" name="code" type="text" dir="ltr" autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="7KQ4-M2XD-9P" value="{{.Code}}"{{if .CodeError}} aria-invalid="true" aria-describedby="code-error"{{end}}>
<button type="submit">نمایش</button></p>
{{- if .CodeError}}
<p class="field-error" id="code-error">{{.CodeError}}</p>
{{- end}}
</form>
</section>
{{- end}}
<section class="box {{.QRClass}}">
<h2>امضای دیجیتال</h2>
<p>{{.QRText}}</p>
<dl>
{{- if .Digest}}
<dt>چکیدهٔ SHA-256 متن امضاشده</dt><dd class="ltr digest">{{.Digest}}</dd>
{{- end}}
{{- if .KeyURL}}
<dt>کلید عمومی (Ed25519)</dt><dd><a class="ltr nowrap" id="public-key" href="{{.KeyURL}}">{{.KeyURL}}</a></dd>
{{- end}}
</dl>
</section>
{{template "foot" .}}
{{- end}}

{{- define "badqr" -}}
{{template "head" .}}
<h1>کد QR خوانا نیست</h1>
<section class="box bad">
<p class="status">نشانی این کد QR نشانی گواهی‌ای از این سامانه نیست: ناقص خوانده شده، تغییر کرده یا جای دیگری ساخته شده است.</p>
<p>کد را دوباره بخوانید، یا شمارهٔ گواهی و کد تصدیق چاپ‌شده کنار آن را در صفحهٔ اصلی سامانه بنویسید.</p>
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
