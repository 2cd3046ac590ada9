package certificate

import (
	"bytes"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func sampleView(t *testing.T) VerifyView {
	return VerifyView{
		Serial:        "QZV-1404-000017",
		Status:        StatusValid,
		Supersedes:    "QZV-1404-000009",
		UnitName:      "شرکت صنایع غذایی نوین‌دشت قزوین (سهامی خاص)",
		FiscalYear:    1404,
		OffsetAmount:  decimal.RequireFromString("1234567890.50"),
		IssuedOn:      jalali(t, 1404, 9, 5),
		PayloadSHA256: strings.Repeat("ab", 32),
		QR:            QRMatches,
		KeyURL:        "/api/v1/verify/key",
		Disclosed:     true,
	}
}

func TestRenderVerifyPage(t *testing.T) {
	common := []string{
		`<html lang="fa" dir="rtl">`, `<meta charset="utf-8">`,
		"QZV-1404-000017", "شرکت صنایع غذایی نوین‌دشت قزوین (سهامی خاص)", "۱۴۰۴",
		"۱٬۲۳۴٬۵۶۷٬۸۹۰٫۵", "یک میلیارد و دویست و سی و چهار میلیون و پانصد و شصت و هفت هزار و هشتصد و نود و پنج دهم ریال",
		"۵ آذر ۱۴۰۴", strings.Repeat("ab", 32), `href="/api/v1/verify/key"`,
		`href="/v/QZV-1404-000009"`,
	}
	tests := []struct {
		name    string
		edit    func(*VerifyView)
		want    []string
		notWant []string
	}{
		{"valid with a matching code", func(*VerifyView) {},
			[]string{"این گواهی معتبر است.", "امضای دیجیتال این نشانی معتبر است و مشخصات امضاشده با سوابق این گواهی یکسان است."},
			[]string{"باطل", "علت"}},
		{"revoked says when and why", func(v *VerifyView) {
			v.Status, v.StatusReason, v.StatusOn = StatusRevoked, "اشتباه در مبلغ", jalali(t, 1404, 10, 2)
		}, []string{"این گواهی در ۲ دی ۱۴۰۴ باطل شده است و اعتبار ندارد.", "علت: اشتباه در مبلغ"},
			[]string{"این گواهی معتبر است."}},
		// A genuine signature does not make a void certificate valid: its
		// box is not green, and says so.
		{"revoked with a genuine code", func(v *VerifyView) {
			v.Status, v.StatusReason = StatusRevoked, "اشتباه در مبلغ"
		}, []string{`<section class="box bad">
<h2>امضای دیجیتال</h2>`, "امضای دیجیتال این نشانی اصیل است", "اما این گواهی باطل شده است و اعتبار ندارد"},
			[]string{`<section class="box good">`, "امضای دیجیتال این نشانی معتبر است"}},
		{"superseded with a genuine code", func(v *VerifyView) {
			v.Status, v.StatusReason, v.SupersededBy = StatusSuperseded, "اصلاح برگ تشخیص", "QZV-1404-000031"
		}, []string{`<section class="box warn">
<h2>امضای دیجیتال</h2>`, "امضای دیجیتال این نشانی اصیل است", "اما این گواهی با گواهی دیگری جایگزین شده است و اعتبار ندارد"},
			[]string{`<section class="box good">`, "امضای دیجیتال این نشانی معتبر است"}},
		{"superseded links to its replacement", func(v *VerifyView) {
			v.Status, v.StatusReason, v.SupersededBy = StatusSuperseded, "اصلاح برگ تشخیص", "QZV-1404-000031"
		}, []string{"جایگزین شده است", `<a href="/v/QZV-1404-000031">`, "QZV-1404-000031"},
			[]string{"این گواهی معتبر است."}},
		{"no code in the URL", func(v *VerifyView) { v.QR = QRAbsent },
			[]string{"این نشانی امضای دیجیتال همراه ندارد"}, nil},
		{"tampered code", func(v *VerifyView) { v.QR = QRBadSignature },
			[]string{"امضای دیجیتال این نشانی نامعتبر است"}, []string{"یکسان است"}},
		{"another certificate's code", func(v *VerifyView) { v.QR = QRDiffers },
			[]string{"یکسان نیست"}, nil},
		{"broken code", func(v *VerifyView) { v.QR = QRMalformed },
			[]string{"ناقص یا خراب"}, nil},
		{"no key to check the code with", func(v *VerifyView) { v.QR = QRUnchecked },
			[]string{"اکنون در این سامانه بررسی‌پذیر نیست"}, []string{"یکسان است", "نامعتبر"}},
		{"names are escaped", func(v *VerifyView) { v.UnitName = `<script>alert("x")</script>` },
			[]string{"&lt;script&gt;"}, []string{"<script>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := sampleView(t)
			tt.edit(&v)
			var b bytes.Buffer
			if err := RenderVerifyPage(&b, v); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			want := tt.want
			if tt.name != "names are escaped" {
				want = append(want, common...)
			}
			for _, w := range want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(page, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}

	// By serial alone the page is the status (with the date of a
	// revocation), the year and the date, and a field for the code: no
	// unit, no amount, no digest, no reason.
	secret := []string{"شرکت صنایع غذایی نوین‌دشت قزوین", "۱٬۲۳۴٬۵۶۷٬۸۹۰٫۵", "میلیارد", strings.Repeat("ab", 32),
		"اشتباه در مبلغ", "اصلاح برگ تشخیص", "QZV-1404-000009"}
	for _, tt := range []struct {
		name    string
		edit    func(*VerifyView)
		want    []string
		notWant []string
	}{
		{"valid", func(*VerifyView) {}, []string{"این گواهی معتبر است.", `name="code"`, `action="/v/QZV-1404-000017"`, "۵ آذر ۱۴۰۴", "۱۴۰۴"},
			[]string{`id="code-error"`}},
		{"revoked, when but not why", func(v *VerifyView) {
			v.Status, v.StatusReason, v.StatusOn = StatusRevoked, "اشتباه در مبلغ", jalali(t, 1404, 10, 2)
		}, []string{"این گواهی در ۲ دی ۱۴۰۴ باطل شده است و اعتبار ندارد."}, nil},
		{"superseded links to its replacement", func(v *VerifyView) {
			v.Status, v.StatusReason, v.SupersededBy, v.StatusOn = StatusSuperseded, "اصلاح برگ تشخیص", "QZV-1404-000031", jalali(t, 1404, 10, 2)
		}, []string{`<a href="/v/QZV-1404-000031">`, "این گواهی با گواهی دیگری جایگزین شده است"}, []string{"۲ دی ۱۴۰۴"}},
		{"a wrong code is told beside the field", func(v *VerifyView) { v.Code, v.CodeFault = "7kq4-m2xd-9p", CodeMismatch },
			[]string{`id="code-error"`, "با این گواهی نمی‌خواند", `value="7kq4-m2xd-9p"`, `aria-invalid="true"`}, nil},
		{"a malformed code is told beside the field", func(v *VerifyView) { v.Code, v.CodeFault = "12", CodeMalformed },
			[]string{`id="code-error"`, "ده نویسه است"}, []string{"نمی‌خواند"}},
	} {
		t.Run("undisclosed/"+tt.name, func(t *testing.T) {
			v := sampleView(t)
			v.Disclosed, v.QR = false, QRAbsent
			tt.edit(&v)
			var b bytes.Buffer
			if err := RenderVerifyPage(&b, v); err != nil {
				t.Fatal(err)
			}
			page := b.String()
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range append(tt.notWant, secret...) {
				if strings.Contains(page, w) {
					t.Errorf("page has %q", w)
				}
			}
		})
	}

	t.Run("unknown status", func(t *testing.T) {
		v := sampleView(t)
		v.Status = "lost"
		if err := RenderVerifyPage(&bytes.Buffer{}, v); err == nil {
			t.Error("rendered a page for an unknown status")
		}
	})
}

func TestRenderVerifyNotFound(t *testing.T) {
	var b bytes.Buffer
	if err := RenderVerifyNotFound(&b, `QZV-1404-999999"><b>`); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, w := range []string{`dir="rtl"`, "گواهی یافت نشد", "QZV-1404-999999&#34;&gt;&lt;b&gt;", "معتبر نیست"} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}
