package api

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/taahod/taahod/certificate"
)

// signatureBox finds the class of the verify page's digital signature box.
var signatureBox = regexp.MustCompile(`<section class="box (\w+)">\s*<h2>امضای دیجیتال</h2>`)

// TestCertificateCompactQR follows a certificate's QR code as a phone does:
// the short upper-case URL it carries redirects to the verify page, which
// checks its signature and opens what the certificate certifies; the code
// verifies offline with the published key alone; a revoked certificate's
// genuine code is not shown green; serials are read in any case and with
// Persian digits; and the JSON of a revoked certificate carries when and,
// to its holder, why.
func TestCertificateCompactQR(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "1234567890.5")
	w.assess(w.unitA.ID, "30000000000")
	w.runOffset(w.unitA.ID)
	r := w.issue(w.unitA.ID)
	if r.status != 201 {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	cert := r.json()
	qrURL := cert["qr_url"].(string)
	code := qrCodeOf(t, cert)
	if !regexp.MustCompile(`^HTTP://TAAHOD\.TEST/Q/[A-Z2-7]+$`).MatchString(qrURL) || len(qrURL) > 200 {
		t.Fatalf("qr_url %q, want HTTP://TAAHOD.TEST/Q/ and base32, at most 200 characters", qrURL)
	}

	t.Run("the code verifies offline with the public key", func(t *testing.T) {
		pub, err := certificate.ParsePublicKeyPEM(w.do("GET", "/api/v1/verify/key", "", nil).body)
		if err != nil {
			t.Fatal(err)
		}
		q, err := certificate.VerifyQRCode(pub, qrURL)
		if err != nil {
			t.Fatal(err)
		}
		facts, err := certificate.ParseFactsPayload(cert["facts_payload"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if !q.Matches(facts, cert["facts_payload"].(string)) || q.Serial != "QZV-1404-000001" || q.OffsetAmount.String() != "1234567890.5" {
			t.Errorf("the code states %+v", q)
		}
		if _, err := certificate.VerifyQRCode(pub[:len(pub)-1], qrURL); err == nil {
			t.Error("a broken key verifies the code")
		}
	})

	// follow opens /Q/{code} as a phone does: a redirect, then the page
	// (each answer checked against openapi.yaml on its own).
	follow := func(t *testing.T, code string) response {
		t.Helper()
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := client.Get(w.http.URL + "/Q/" + code)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/v/QZV-1404-000001?q="+strings.ToUpper(code) {
			t.Fatalf("/Q/: %d to %q", res.StatusCode, res.Header.Get("Location"))
		}
		return w.do("GET", res.Header.Get("Location"), "", nil)
	}

	t.Run("the QR URL opens the verify page with the figures", func(t *testing.T) {
		for _, c := range []string{code, strings.ToLower(code)} {
			path := "/Q/" + c
			r := follow(t, c)
			page := string(r.body)
			if r.status != 200 || !strings.Contains(page, w.unitA.Name) || !strings.Contains(page, "امضای دیجیتال این نشانی معتبر است") {
				t.Errorf("%s: %d\n%s", path, r.status, page)
			}
			if m := signatureBox.FindStringSubmatch(page); m == nil || m[1] != "good" {
				t.Errorf("%s: signature box %v, want good", path, m)
			}
		}
	})

	t.Run("an altered or broken code is not taken", func(t *testing.T) {
		// One character of the summary changed: the serial's sequence.
		i := 40 // within the facts hash prefix
		c := byte('A')
		if code[i] == 'A' {
			c = 'B'
		}
		altered := code[:i] + string(c) + code[i+1:]
		r := follow(t, altered)
		page := string(r.body)
		if r.status != 200 || strings.Contains(page, w.unitA.Name) || !strings.Contains(page, "امضای دیجیتال این نشانی نامعتبر است") {
			t.Errorf("an altered code: %d\n%s", r.status, page)
		}
		r = w.do("GET", "/Q/NOTACODE", "", nil)
		if r.status != 404 || !strings.Contains(string(r.body), "کد QR خوانا نیست") {
			t.Errorf("not a code: %d %s", r.status, r.body)
		}
	})

	t.Run("serials in any case and with Persian digits", func(t *testing.T) {
		for _, serial := range []string{"qzv-1404-000001", "QZV-۱۴۰۴-۰۰۰۰۰۱", "qzv-١٤٠٤-٠٠٠٠٠١"} {
			r := w.do("GET", "/api/v1/verify/"+url.PathEscape(serial), "", nil)
			if r.status != 200 || r.json()["serial"] != "QZV-1404-000001" {
				t.Errorf("JSON %s: %d %s", serial, r.status, r.body)
			}
			r = w.do("GET", "/v/"+url.PathEscape(serial)+"?q="+code, "", nil)
			if r.status != 200 || !strings.Contains(string(r.body), w.unitA.Name) {
				t.Errorf("page %s: %d", serial, r.status)
			}
		}
	})

	r = w.do("POST", "/api/v1/certificates/QZV-1404-000001/revoke", w.tax, map[string]any{"reason": "اشتباه در برگ تشخیص"})
	if r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}

	t.Run("a revoked certificate's genuine code is not green", func(t *testing.T) {
		r := follow(t, code)
		page := string(r.body)
		m := signatureBox.FindStringSubmatch(page)
		if m == nil || m[1] == "good" {
			t.Errorf("signature box %v, want not good", m)
		}
		for _, want := range []string{"امضای دیجیتال این نشانی اصیل است", "اما این گواهی باطل شده است و اعتبار ندارد", "اشتباه در برگ تشخیص"} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	})

	t.Run("the JSON of a revoked certificate says when, and its holder why", func(t *testing.T) {
		pub := w.do("GET", "/api/v1/verify/QZV-1404-000001", "", nil).json()
		if pub["status"] != "revoked" || pub["revoked_on"] != "2025-11-26" || pub["revoked_on_jalali"] != "1404/09/05" || pub["revocation_reason"] != nil {
			t.Errorf("public: %v", pub)
		}
		held := w.do("GET", "/api/v1/verify/QZV-1404-000001?q="+code, "", nil).json()
		if held["revoked_on"] != "2025-11-26" || held["revocation_reason"] != "اشتباه در برگ تشخیص" || held["unit_name"] != w.unitA.Name {
			t.Errorf("held: %v", held)
		}
	})
}
