package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/reports"
	"golang.org/x/text/unicode/norm"
)

// creditPolicy1404 counts approved spending as tax paid, Rial for Rial.
const creditPolicy1404 = `{"mode":"credit","rate":"1","rounding_unit":"0.01","legal_basis":"ماده ۱۷۲ قانون مالیات‌های مستقیم و ترتیبات استانی قزوین"}`

// setPolicy stores the 1404 policy.
func (w *world) setPolicy(body string) {
	w.t.Helper()
	if r := w.do("PUT", "/api/v1/policies/1404", w.tax, body); r.status != 200 {
		w.t.Fatalf("policy: %d %s", r.status, r.body)
	}
}

// approved submits an expenditure of 1404 against pledge and approves it in
// full; it returns its id.
func (w *world) approved(accountant string, pledge int64, amount string) int64 {
	w.t.Helper()
	id := w.evidenceBy(accountant, w.mustSubmit(accountant, expenditure(pledge, amount)))
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", id), w.tax, map[string]any{"decision": "approve"}); r.status != 200 {
		w.t.Fatalf("approve %d: %d %s", id, r.status, r.body)
	}
	return id
}

// assess records the unit's tax for 1404.
func (w *world) assess(unit int64, due string) {
	w.t.Helper()
	if r := w.do("PUT", fmt.Sprintf("/api/v1/units/%d/tax-years/1404", unit), w.tax, map[string]any{"tax_due": due}); r.status != 200 {
		w.t.Fatalf("assess %d: %d %s", unit, r.status, r.body)
	}
}

// runOffset runs the unit's 1404 offset and returns the statement.
func (w *world) runOffset(unit int64) map[string]any {
	w.t.Helper()
	r := w.do("POST", fmt.Sprintf("/api/v1/units/%d/tax-years/1404/offset", unit), w.tax, nil)
	if r.status != 200 {
		w.t.Fatalf("run %d: %d %s", unit, r.status, r.body)
	}
	return r.json()
}

// issue asks for the unit's 1404 certificate.
func (w *world) issue(unit int64, headers ...string) response {
	w.t.Helper()
	return w.do("POST", "/api/v1/certificates", w.tax, map[string]any{"unit_id": unit, "fiscal_year": 1404}, headers...)
}

// mustIssue issues the unit's 1404 certificate and returns the answer.
func (w *world) mustIssue(unit int64) map[string]any {
	w.t.Helper()
	r := w.issue(unit)
	if r.status != http.StatusCreated {
		w.t.Fatalf("issue for unit %d: %d %s", unit, r.status, r.body)
	}
	return r.json()
}

// pdfText is the text pdftotext reads from a PDF, brought to a form in
// which it compares with what was drawn: NFKC (the drawn presentation
// forms back to letters), without white space, ZWNJ, bidi controls and the
// punctuation whose place pdftotext's own bidi moves (see reports'
// readable).
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	cmd := exec.Command("pdftotext", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext (install poppler-utils; make test does): %v", err)
	}
	return readable(string(out))
}

// sortedKeys lists an answer's fields in order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func readable(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u200c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '.', ':', '،', '—', '(', ')', '«', '»':
			return -1
		}
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, norm.NFKC.String(s))
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// TestCertificateLifecycle walks one unit-year through issue, supersession
// and revocation, checking what each step gives out and what it locks.
func TestCertificateLifecycle(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	first := w.approved(w.accA, w.pledgeA, "1234567890.5")
	w.assess(w.unitA.ID, "30000000000")

	if r := w.issue(w.unitA.ID); r.status != 409 || r.problemCode() != certificate.EOFFSETNEEDSRUN {
		t.Fatalf("before the run: %d %s", r.status, r.body)
	}
	w.runOffset(w.unitA.ID)
	officer := w.nameUser(t, "tax1", "مریم رضایی")

	var cert map[string]any
	t.Run("issue answers the signed certificate", func(t *testing.T) {
		r := w.issue(w.unitA.ID)
		if r.status != 201 || r.header.Get("Location") != "/api/v1/certificates/QZV-1404-000001" {
			t.Fatalf("%d %s", r.status, r.body)
		}
		cert = r.json()
		for k, want := range map[string]any{
			"serial": "QZV-1404-000001", "status": "valid", "offset_amount": "1234567890.5", "tax_due": "30000000000",
			"spending_used": "1234567890.5", "fiscal_year": json.Number("1404"), "unit_name": w.unitA.Name,
			"issued_on": "2025-11-26", "issued_on_jalali": "1404/09/05", "supersedes": nil, "superseded_by": nil,
			"status_reason": nil, "status_by": nil, "verify_url": "http://taahod.test/v/QZV-1404-000001",
		} {
			if cert[k] != want {
				t.Errorf("%s = %#v, want %#v", k, cert[k], want)
			}
		}
		mustBeUser(t, "issued_by", cert["issued_by"], officer, "مریم رضایی")
		payload := cert["payload"].(string)
		if !strings.Contains(payload, "serial=QZV-1404-000001\n") || !strings.Contains(payload, "unit_national_id="+w.unitA.NationalID+"\n") ||
			!strings.HasSuffix(payload, "pdf_sha256="+cert["sha256"].(string)+"\n") {
			t.Errorf("payload:\n%s", payload)
		}
		exps := cert["expenditures"].([]any)
		if len(exps) != 1 || exps[0].(map[string]any)["expenditure_id"] != json.Number(fmt.Sprint(first)) ||
			exps[0].(map[string]any)["amount"] != "1234567890.5" || exps[0].(map[string]any)["spent_on_jalali"] != "1404/07/09" {
			t.Errorf("expenditures: %v", exps)
		}
	})

	t.Run("signature verifies with the published key", func(t *testing.T) {
		r := w.do("GET", "/api/v1/verify/key", "", nil)
		if r.status != 200 || !strings.HasPrefix(string(r.body), "-----BEGIN PUBLIC KEY-----") {
			t.Fatalf("key: %d %s", r.status, r.body)
		}
		pub, err := certificate.ParsePublicKeyPEM(r.body)
		if err != nil {
			t.Fatal(err)
		}
		payload, sig := cert["payload"].(string), cert["signature"].(string)
		if !certificate.Verify(pub, payload, sig) {
			t.Fatal("the document signature does not verify with /verify/key")
		}
		if !certificate.Verify(pub, cert["facts_payload"].(string), cert["facts_signature"].(string)) {
			t.Fatal("the facts signature does not verify with /verify/key")
		}
		flipped := []byte(payload)
		flipped[len("taahod-certificate-v1\nserial=QZV-1404-00000")] = '2'
		if certificate.Verify(pub, string(flipped), sig) {
			t.Fatal("a payload with another serial verifies")
		}
	})

	t.Run("the PDF is the signed one and reads right", func(t *testing.T) {
		r := w.do("GET", "/api/v1/certificates/QZV-1404-000001/pdf", w.accA, nil)
		if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || r.header.Get("X-Certificate-Status") != "valid" {
			t.Fatalf("%d %v", r.status, r.header)
		}
		if sha256Hex(r.body) != cert["sha256"] {
			t.Fatalf("the served PDF hashes to %s, the certificate says %s", sha256Hex(r.body), cert["sha256"])
		}
		text := pdfText(t, r.body)
		for _, want := range []string{w.unitA.Name, "گواهی", "QZV-1404-000001", "۱٬۲۳۴٬۵۶۷٬۸۹۰٫۵", cert["facts_sha256"].(string), "INV-"} {
			if !strings.Contains(text, readable(want)) {
				t.Errorf("the PDF lacks %q", want)
			}
		}
	})

	t.Run("public verification by serial alone tells no figure", func(t *testing.T) {
		r := w.do("GET", "/api/v1/verify/QZV-1404-000001", "", nil)
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		m := r.json()
		want := []string{"fiscal_year", "issued_on", "issued_on_jalali", "serial", "status"}
		if keys := sortedKeys(m); !slices.Equal(keys, want) {
			t.Fatalf("keys %v, want %v", keys, want)
		}
		if m["status"] != "valid" || fmt.Sprint(m["fiscal_year"]) != "1404" || m["issued_on_jalali"] != "1404/09/05" {
			t.Fatalf("%s", r.body)
		}
		for _, secret := range []string{"1234567890.5", w.unitA.Name, cert["sha256"].(string)} {
			if strings.Contains(string(r.body), secret) {
				t.Errorf("the answer by serial alone tells %q", secret)
			}
		}
		// Serials match in any case.
		if r := w.do("GET", "/api/v1/verify/qzv-1404-000001", "", nil); r.status != 200 || r.json()["serial"] != "QZV-1404-000001" {
			t.Errorf("lower-case serial: %d %s", r.status, r.body)
		}
		for _, serial := range []string{"QZV-1404-000099", "nonsense"} {
			if r := w.do("GET", "/api/v1/verify/"+serial, "", nil); r.status != 404 || r.problemCode() != taahod.ENOTFOUND {
				t.Errorf("%s: %d %s", serial, r.status, r.body)
			}
		}
	})

	code := cert["verification_code"].(string)
	t.Run("the verification code is printed beside the serial", func(t *testing.T) {
		if !regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$`).MatchString(code) {
			t.Fatalf("verification_code %q", code)
		}
		if got := w.get("/api/v1/certificates/QZV-1404-000001", w.accA)["verification_code"]; got != code {
			t.Errorf("the accountant reads the code %v, issued %q", got, code)
		}
		pdf := w.do("GET", "/api/v1/certificates/QZV-1404-000001/pdf", w.tax, nil)
		text := pdfText(t, pdf.body)
		if !strings.Contains(text, code) || !strings.Contains(text, readable("کد تصدیق")) {
			t.Errorf("the PDF does not print the code %s:\n%s", code, text)
		}
	})

	t.Run("the code or the QR's signed facts open the figures", func(t *testing.T) {
		p, s := legacyQRParams(t, cert)
		q := qrCodeOf(t, cert)
		persian := strings.NewReplacer("0", "۰", "1", "۱", "2", "۲", "3", "۳", "4", "۴", "5", "۵", "6", "۶", "7", "۷", "8", "۸", "9", "۹").Replace(code)
		for _, query := range []string{
			"code=" + url.QueryEscape(code),
			"code=" + url.QueryEscape(strings.ToLower(code)),
			"code=" + strings.ReplaceAll(code, "-", ""),
			"code=" + url.QueryEscape(persian),
			"code=" + url.QueryEscape(" "+strings.ReplaceAll(code, "-", " ")+" "),
			"p=" + p + "&s=" + s,
			"q=" + q,
			"q=" + strings.ToLower(q),
		} {
			r := w.do("GET", "/api/v1/verify/QZV-1404-000001?"+query, "", nil)
			if r.status != 200 {
				t.Errorf("%s: %d %s", query, r.status, r.body)
				continue
			}
			m := r.json()
			want := []string{"fiscal_year", "issued_on", "issued_on_jalali", "offset_amount", "serial", "sha256", "status", "unit_name"}
			if keys := sortedKeys(m); !slices.Equal(keys, want) {
				t.Errorf("%s: keys %v, want %v", query, keys, want)
			}
			if m["offset_amount"] != "1234567890.5" || m["sha256"] != cert["sha256"] || m["unit_name"] != w.unitA.Name || m["status"] != "valid" {
				t.Errorf("%s: %s", query, r.body)
			}
		}
	})

	t.Run("a wrong code or foreign signed facts are refused", func(t *testing.T) {
		p, s := legacyQRParams(t, cert)
		q := qrCodeOf(t, cert)
		// Another certificate's QR code: the same summary but for the last
		// character, which breaks the signature.
		last := "A"
		if strings.HasSuffix(q, "A") {
			last = "Q"
		}
		foreign := q[:len(q)-1] + last
		wrong := "0000-0000-00"
		if code == wrong {
			wrong = "0000-0000-01"
		}
		for _, tc := range []struct {
			query, field string
			status       int
			code         string
		}{
			{"code=" + wrong, "code", 403, certificate.ECODEMISMATCH},
			{"p=" + p + "&s=" + p, "p", 403, certificate.ECODEMISMATCH},
			{"p=" + certificate.EncodeQRParam([]byte("taahod-certificate-v1\n")) + "&s=" + s, "p", 403, certificate.ECODEMISMATCH},
			{"code=" + url.QueryEscape(code) + "&p=" + p + "&s=" + p, "p", 403, certificate.ECODEMISMATCH},
			{"code=12345", "code", 422, taahod.EINVALID},
			{"code=7KQ4-M2XD-9U", "code", 422, taahod.EINVALID},
			{"p=" + p, "s", 422, taahod.EINVALID},
			{"q=" + foreign, "q", 403, certificate.ECODEMISMATCH},
			{"q=NOTACODE", "q", 422, taahod.EINVALID},
			{"s=" + s, "p", 422, taahod.EINVALID},
		} {
			r := w.do("GET", "/api/v1/verify/QZV-1404-000001?"+tc.query, "", nil)
			if r.status != tc.status || r.problemCode() != tc.code || r.fieldErrors()[tc.field] == "" {
				t.Errorf("%s: %d %s", tc.query, r.status, r.body)
			}
			for _, secret := range []string{"1234567890", w.unitA.Name, cert["sha256"].(string)} {
				if strings.Contains(string(r.body), secret) {
					t.Errorf("%s: the refusal tells %q", tc.query, secret)
				}
			}
		}
		// A wrong code tells nothing more of a serial no certificate has
		// than the serial alone does: 404 either way.
		if r := w.do("GET", "/api/v1/verify/QZV-1404-000099?code="+wrong, "", nil); r.status != 404 {
			t.Errorf("a wrong code for an unknown serial: %d %s", r.status, r.body)
		}
		// Another certificate's code is no key to this one.
		if r := w.do("GET", "/api/v1/verify/QZV-1404-000099?code="+url.QueryEscape(code), "", nil); r.status != 404 {
			t.Errorf("the code for an unknown serial: %d %s", r.status, r.body)
		}
	})

	t.Run("the verify page checks the QR code", func(t *testing.T) {
		if u := cert["qr_url"].(string); !strings.HasPrefix(u, "HTTP://TAAHOD.TEST/Q/") {
			t.Fatalf("qr_url %q", u)
		}
		p, s := legacyQRParams(t, cert)
		tamperedPayload, _ := certificate.DecodeQRParam(p)
		tamperedPayload = bytes.Replace(tamperedPayload, []byte("offset_amount=1234567890.5"), []byte("offset_amount=9234567890.5"), 1)
		figures := []string{w.unitA.Name, "۱٬۲۳۴٬۵۶۷٬۸۹۰٫۵", cert["facts_sha256"].(string)}
		for _, tc := range []struct {
			name, query string
			status      int
			disclosed   bool
			want        []string
		}{
			{"genuine QR", "?p=" + p + "&s=" + s, 200, true, []string{"این گواهی معتبر است.", "امضای دیجیتال این نشانی معتبر است"}},
			{"the code", "?code=" + url.QueryEscape(strings.ToLower(code)), 200, true, []string{"این گواهی معتبر است.", "امضای دیجیتال همراه ندارد"}},
			{"no code", "", 200, false, []string{"این گواهی معتبر است.", "امضای دیجیتال همراه ندارد", `name="code"`}},
			{"altered amount", "?p=" + certificate.EncodeQRParam(tamperedPayload) + "&s=" + s, 200, false, []string{"امضای دیجیتال این نشانی نامعتبر است"}},
			{"broken QR", "?p=" + p + "&s=abc", 200, false, []string{"ناقص یا خراب"}},
			{"wrong code", "?code=0000-0000-0Z", 403, false, []string{`id="code-error"`, "با این گواهی نمی‌خواند", `value="0000-0000-0Z"`}},
			{"not a code", "?code=%D8%B3%D9%84%D8%A7%D9%85", 422, false, []string{`id="code-error"`, "ده نویسه است"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := w.do("GET", "/v/QZV-1404-000001"+tc.query, "", nil)
				if r.status != tc.status || r.header.Get("Content-Type") != "text/html; charset=utf-8" {
					t.Fatalf("%d %s", r.status, r.header.Get("Content-Type"))
				}
				page := string(r.body)
				for _, want := range append(tc.want, `dir="rtl"`, "QZV-1404-000001", "۵ آذر ۱۴۰۴") {
					if !strings.Contains(page, want) {
						t.Errorf("page lacks %q", want)
					}
				}
				for _, f := range figures {
					if strings.Contains(page, f) != tc.disclosed {
						t.Errorf("page shows %q: %v, want %v", f, !tc.disclosed, tc.disclosed)
					}
				}
				if strings.Contains(page, "۳۰٬۰۰۰٬۰۰۰٬۰۰۰") {
					t.Error("the public page shows the tax due")
				}
			})
		}
		r := w.do("GET", "/v/QZV-1404-000077", "", nil)
		if r.status != 404 || !strings.Contains(string(r.body), "گواهی یافت نشد") {
			t.Fatalf("unknown serial: %d", r.status)
		}
	})

	t.Run("the certified year is locked", func(t *testing.T) {
		if r := w.do("PUT", "/api/v1/policies/1404", w.tax, creditPolicy1404); r.status != 409 || r.problemCode() != "policy_frozen" {
			t.Fatalf("policy change: %d %s", r.status, r.body)
		}
		r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/reverse", first), w.tax, map[string]any{"reason": "فاکتور تکراری"})
		if r.status != 409 || r.problemCode() != "year_certified" || !strings.Contains(r.json()["detail"].(string), "QZV-1404-000001") {
			t.Fatalf("reversal: %d %s", r.status, r.body)
		}
	})

	t.Run("a new approval needs a run before a new certificate", func(t *testing.T) {
		w.approved(w.accA, w.pledgeA, "500000000")
		r := w.issue(w.unitA.ID)
		if r.status != 409 || r.problemCode() != certificate.EOFFSETNEEDSRUN || !strings.Contains(r.json()["detail"].(string), "500000000") {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})

	t.Run("a new certificate supersedes the valid one", func(t *testing.T) {
		w.runOffset(w.unitA.ID)
		r := w.do("POST", "/api/v1/certificates", w.tax, map[string]any{"unit_id": w.unitA.ID, "fiscal_year": 1404, "reason": "هزینه‌کرد تازهٔ تأییدشده"})
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		m := r.json()
		if m["serial"] != "QZV-1404-000002" || m["supersedes"] != "QZV-1404-000001" || m["offset_amount"] != "1734567890.5" {
			t.Fatalf("%s", r.body)
		}
		old := w.get("/api/v1/certificates/QZV-1404-000001", w.aud)
		if old["status"] != "superseded" || old["superseded_by"] != "QZV-1404-000002" || old["status_reason"] != "هزینه‌کرد تازهٔ تأییدشده" ||
			old["status_at_jalali"] != "1404/09/05 13:30:00" {
			t.Fatalf("old: %v", old)
		}
		pub := w.do("GET", "/api/v1/verify/QZV-1404-000001", "", nil).json()
		if pub["status"] != "superseded" || pub["superseded_by"] != "QZV-1404-000002" {
			t.Fatalf("public: %v", pub)
		}
		pdf := w.do("GET", "/api/v1/certificates/QZV-1404-000001/pdf", w.tax, nil)
		if pdf.status != 200 || pdf.header.Get("X-Certificate-Status") != "superseded" || sha256Hex(pdf.body) == cert["sha256"] {
			t.Fatalf("annulled PDF: %d %v", pdf.status, pdf.header)
		}
		text := pdfText(t, pdf.body)
		for _, want := range []string{"جایگزین شد", "QZV-1404-000002", "هزینه‌کرد تازهٔ تأییدشده", "QZV-1404-000001"} {
			if !strings.Contains(text, readable(want)) {
				t.Errorf("the superseded copy lacks %q", want)
			}
		}
		page := string(w.do("GET", "/v/QZV-1404-000001", "", nil).body)
		if !strings.Contains(page, "جایگزین شده است") || !strings.Contains(page, `href="/v/QZV-1404-000002"`) {
			t.Errorf("verify page of the superseded one:\n%s", page)
		}
	})

	t.Run("revoke", func(t *testing.T) {
		path := "/api/v1/certificates/QZV-1404-000002/revoke"
		if r := w.do("POST", path, w.tax, map[string]any{"reason": "  "}); r.status != 422 || r.fieldErrors()["reason"] != "required" {
			t.Fatalf("without a reason: %d %s", r.status, r.body)
		}
		r := w.do("POST", path, w.tax, map[string]any{"reason": "اشتباه در برگ تشخیص"})
		if r.status != 200 || r.json()["status"] != "revoked" || r.json()["status_reason"] != "اشتباه در برگ تشخیص" {
			t.Fatalf("%d %s", r.status, r.body)
		}
		mustBeUser(t, "status_by of the revoked", r.json()["status_by"], officer, "مریم رضایی")
		mustBeUser(t, "status_by of the superseded", w.get("/api/v1/certificates/QZV-1404-000001", w.aud)["status_by"], officer, "مریم رضایی")
		for _, serial := range []string{"QZV-1404-000002", "QZV-1404-000001"} {
			if r := w.do("POST", "/api/v1/certificates/"+serial+"/revoke", w.tax, map[string]any{"reason": "دوباره"}); r.status != 409 || r.problemCode() != certificate.ENOTVALID {
				t.Fatalf("revoking %s again: %d %s", serial, r.status, r.body)
			}
		}
		pdf := w.do("GET", "/api/v1/certificates/QZV-1404-000002/pdf", w.accA, nil)
		if text := pdfText(t, pdf.body); !strings.Contains(text, readable("باطل شد")) || !strings.Contains(text, readable("اشتباه در برگ تشخیص")) {
			t.Errorf("the revoked copy lacks the watermark or the reason")
		}
		// When it was revoked is public, as its status is; why is the
		// holder's to read.
		if pub := w.do("GET", "/api/v1/verify/QZV-1404-000002", "", nil).json(); pub["status"] != "revoked" || pub["revocation_reason"] != nil ||
			pub["revoked_on"] != "2025-11-26" || pub["revoked_on_jalali"] != "1404/09/05" || pub["unit_name"] != nil {
			t.Errorf("public: %v", pub)
		}
		code := r.json()["verification_code"].(string)
		held := w.do("GET", "/api/v1/verify/QZV-1404-000002?code="+code, "", nil).json()
		if held["status"] != "revoked" || held["revocation_reason"] != "اشتباه در برگ تشخیص" || held["revoked_on"] != "2025-11-26" ||
			held["revoked_on_jalali"] != "1404/09/05" || held["offset_amount"] != "1734567890.5" {
			t.Errorf("the holder's answer: %v", held)
		}
		page := string(w.do("GET", "/v/QZV-1404-000002", "", nil).body)
		if !strings.Contains(page, "باطل شده است") || strings.Contains(page, "اشتباه در برگ تشخیص") {
			t.Errorf("the public page of the revoked one without its code:\n%s", page)
		}
		// The policy stays frozen; the books may change again.
		if r := w.do("PUT", "/api/v1/policies/1404", w.tax, creditPolicy1404); r.status != 409 {
			t.Errorf("policy after revocation: %d", r.status)
		}
		if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/reverse", first), w.tax, map[string]any{"reason": "فاکتور تکراری"}); r.status != 200 {
			t.Fatalf("reversal after revocation: %d %s", r.status, r.body)
		}
		if r := w.issue(w.unitA.ID); r.status != 409 || r.problemCode() != certificate.EOFFSETNEEDSRUN {
			t.Fatalf("issue after the reversal: %d %s", r.status, r.body)
		}
	})

	t.Run("each change is audited once", func(t *testing.T) {
		var actions []string
		if err := w.db.Select(&actions, `SELECT action FROM audit_log WHERE target_type = 'certificate' ORDER BY seq`); err != nil {
			t.Fatal(err)
		}
		if want := []string{"certificate.issue", "certificate.issue", "certificate.revoke"}; !slices.Equal(actions, want) {
			t.Fatalf("audit %v, want %v", actions, want)
		}
	})

	t.Run("the stored certificates check out", func(t *testing.T) {
		summary, findings, err := certificate.VerifyCertificates(context.Background(), w.db)
		if err != nil || len(findings) > 0 {
			t.Fatalf("%s %v %v", summary, findings, err)
		}
	})

	t.Run("verify renders each with the version that rendered it", func(t *testing.T) {
		var versions []int
		if err := w.db.Select(&versions, `SELECT renderer_version FROM certificates ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		if len(versions) == 0 || slices.ContainsFunc(versions, func(v int) bool { return v != reports.RendererVersion }) {
			t.Fatalf("renderer versions %v, want all %d", versions, reports.RendererVersion)
		}
		// Recorded as made by version 1 behind the application's back, the
		// first certificate no longer renders as stored: verify says so.
		setVersion := func(v int) {
			t.Helper()
			if _, err := w.db.Exec(fmt.Sprintf(`BEGIN; SET LOCAL session_replication_role = replica;
				UPDATE certificates SET renderer_version = %d WHERE serial = 'QZV-1404-000001'; COMMIT`, v)); err != nil {
				t.Fatal(err)
			}
		}
		setVersion(1)
		defer setVersion(reports.RendererVersion)
		_, findings, err := certificate.VerifyCertificates(context.Background(), w.db)
		if err != nil || len(findings) != 1 || !strings.Contains(findings[0].Problem, "renderer version 1") {
			t.Fatalf("findings %v %v, want one naming renderer version 1", findings, err)
		}
	})
}

func TestCertificateRefusals(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	// Unit B: tax recorded as zero and run: nothing to offset.
	w.approved(w.accB, w.pledgeB, "1000000")
	w.assess(w.unitB.ID, "0")
	w.runOffset(w.unitB.ID)
	// Unit A: tax recorded, spending approved, never run.
	w.approved(w.accA, w.pledgeA, "1000000")
	w.assess(w.unitA.ID, "5000000")
	other := w.mustCreateUnit("واحد بی‌مالیات", "1030405060")

	for _, tc := range []struct {
		name   string
		token  string
		body   any
		status int
		code   string
		field  string
	}{
		{"zero offset", w.tax, map[string]any{"unit_id": w.unitB.ID, "fiscal_year": 1404}, 409, certificate.ENOOFFSET, ""},
		{"never run", w.tax, map[string]any{"unit_id": w.unitA.ID, "fiscal_year": 1404}, 409, certificate.EOFFSETNEEDSRUN, ""},
		{"no tax recorded", w.tax, map[string]any{"unit_id": other.ID, "fiscal_year": 1404}, 409, "no_tax_assessment", ""},
		{"unknown unit", w.tax, map[string]any{"unit_id": 999999, "fiscal_year": 1404}, 404, taahod.ENOTFOUND, "unit_id"},
		{"no unit", w.tax, map[string]any{"fiscal_year": 1404}, 422, taahod.EINVALID, "unit_id"},
		{"year out of range", w.tax, map[string]any{"unit_id": w.unitA.ID, "fiscal_year": 99}, 422, taahod.EINVALID, "fiscal_year"},
		{"unknown field", w.tax, map[string]any{"unit_id": w.unitA.ID, "fiscal_year": 1404, "serial": "QZV-1404-000001"}, 400, taahod.EMALFORMED, ""},
		{"accountant of the unit", w.accA, map[string]any{"unit_id": w.unitA.ID, "fiscal_year": 1404}, 403, taahod.EFORBIDDEN, ""},
		{"admin", w.admin, map[string]any{"unit_id": w.unitA.ID, "fiscal_year": 1404}, 403, taahod.EFORBIDDEN, ""},
		{"auditor", w.aud, map[string]any{"unit_id": w.unitA.ID, "fiscal_year": 1404}, 403, taahod.EFORBIDDEN, ""},
		{"signed out", "", map[string]any{"unit_id": w.unitA.ID, "fiscal_year": 1404}, 401, taahod.EUNAUTHORIZED, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do("POST", "/api/v1/certificates", tc.token, tc.body)
			if r.status != tc.status || r.problemCode() != tc.code {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if tc.field != "" && r.fieldErrors()[tc.field] == "" {
				t.Fatalf("field %s not named: %s", tc.field, r.body)
			}
		})
	}
	if n := w.count("certificates"); n != 0 {
		t.Fatalf("%d certificates after refusals", n)
	}
	if n := w.count("certificate_counters"); n != 0 {
		t.Fatalf("a refused issue took a serial: %d counters", n)
	}
}

// TestConcurrentIssuesAreGapless issues twenty certificates at once for
// twenty units, then fails one issue after it took its number, and checks
// that the serials run from 1 without a gap or a repeat.
func TestConcurrentIssuesAreGapless(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	const n = 20
	units := make([]int64, n)
	for i := range units {
		units[i] = w.mustCreateUnit(fmt.Sprintf("واحد %d", i+1), fmt.Sprintf("10506070%02d", i)).ID
	}
	acc := w.userToken("acc-all", taahod.RoleAccountant, units...)
	for i, u := range units {
		pledge := w.mustPledge(w.admin, u, w.school, "1000000000", "2025-04-01")
		w.approved(acc, pledge, fmt.Sprintf("%d000000", i+1))
		w.assess(u, "900000000")
		w.runOffset(u)
	}

	serials := make([]string, n)
	failures := make([]string, n)
	var wg sync.WaitGroup
	for i, u := range units {
		wg.Go(func() {
			body := fmt.Sprintf(`{"unit_id":%d,"fiscal_year":1404}`, u)
			req, _ := http.NewRequest("POST", w.http.URL+"/api/v1/certificates", strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+w.tax)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				failures[i] = err.Error()
				return
			}
			defer res.Body.Close()
			raw, _ := io.ReadAll(res.Body)
			var m struct {
				Serial string `json:"serial"`
			}
			if res.StatusCode != 201 || json.Unmarshal(raw, &m) != nil {
				failures[i] = fmt.Sprintf("%d %s", res.StatusCode, raw)
				return
			}
			serials[i] = m.Serial
		})
	}
	wg.Wait()
	for i, f := range failures {
		if f != "" {
			t.Fatalf("issue for unit %d: %s", units[i], f)
		}
	}
	sort.Strings(serials)
	for i, s := range serials {
		if want := fmt.Sprintf("QZV-1404-%06d", i+1); s != want {
			t.Fatalf("serials %v: want %s at %d", serials, want, i)
		}
	}

	// A statement that fails after the number was taken: the insert of unit
	// 0's next certificate.
	mustExec(t, w.db, `CREATE FUNCTION fail_certificate() RETURNS trigger LANGUAGE plpgsql AS
		$$ BEGIN RAISE EXCEPTION 'forced failure after the serial was taken'; END $$`)
	mustExec(t, w.db, fmt.Sprintf(`CREATE TRIGGER fail_certificate BEFORE INSERT ON certificates
		FOR EACH ROW WHEN (NEW.unit_id = %d) EXECUTE FUNCTION fail_certificate()`, units[0]))
	if r := w.issue(units[0]); r.status != 500 || r.problemCode() != taahod.EINTERNAL {
		t.Fatalf("forced failure: %d %s", r.status, r.body)
	}
	if m := w.mustIssue(units[1]); m["serial"] != "QZV-1404-000021" || m["supersedes"] == nil {
		t.Fatalf("after the failure: %v", m)
	}
	mustExec(t, w.db, `DROP TRIGGER fail_certificate ON certificates`)
	if m := w.mustIssue(units[0]); m["serial"] != "QZV-1404-000022" {
		t.Fatalf("after the trigger went: %v", m)
	}
	var seqs []int
	if err := w.db.Select(&seqs, `SELECT seq FROM certificates WHERE province = 'QZV' AND fiscal_year = 1404 ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	for i, s := range seqs {
		if s != i+1 {
			t.Fatalf("sequence numbers %v are not 1..%d", seqs, len(seqs))
		}
	}
	var last int
	if err := w.db.Get(&last, `SELECT last_seq FROM certificate_counters WHERE province = 'QZV' AND fiscal_year = 1404`); err != nil || last != 22 {
		t.Fatalf("counter at %d, %v", last, err)
	}
	if _, findings, err := certificate.VerifyCertificates(context.Background(), w.db); err != nil || len(findings) > 0 {
		t.Fatalf("%v %v", findings, err)
	}

	t.Run("the database refuses a gap", func(t *testing.T) {
		// Taking a number without a certificate fails at commit.
		_, err := w.db.Exec(`UPDATE certificate_counters SET last_seq = last_seq + 1`)
		if err == nil || !strings.Contains(err.Error(), "no certificate has it") {
			t.Fatalf("counter moved without a certificate: %v", err)
		}
		if _, err := w.db.Exec(`UPDATE certificate_counters SET last_seq = last_seq + 2`); err == nil {
			t.Fatal("counter skipped a number")
		}
		if _, err := w.db.Exec(`DELETE FROM certificate_counters`); err == nil {
			t.Fatal("counter removed")
		}
	})
}

func TestCertificateIdempotency(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "7000000")
	w.assess(w.unitA.ID, "5000000")
	w.runOffset(w.unitA.ID)
	first := w.issue(w.unitA.ID, "Idempotency-Key", "cert-a-1404")
	again := w.issue(w.unitA.ID, "Idempotency-Key", "cert-a-1404")
	if first.status != 201 || again.status != 201 || string(again.body) != string(first.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %d %s", first.status, again.status, again.body)
	}
	if n := w.count("certificates"); n != 1 {
		t.Fatalf("%d certificates after a replay", n)
	}
	r := w.do("POST", "/api/v1/certificates", w.tax, map[string]any{"unit_id": w.unitB.ID, "fiscal_year": 1404}, "Idempotency-Key", "cert-a-1404")
	if r.status != 422 || r.problemCode() != taahod.EIDEMPOTENCYREUSED {
		t.Fatalf("same key, other body: %d %s", r.status, r.body)
	}
	if m := w.mustIssue(w.unitA.ID); m["serial"] != "QZV-1404-000002" {
		t.Fatalf("a new request after the replay: %v", m["serial"])
	}
}

// TestCertificateScope is the role × endpoint matrix: who reads, downloads,
// previews, issues and revokes.
func TestCertificateScope(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "7000000")
	w.assess(w.unitA.ID, "5000000")
	w.runOffset(w.unitA.ID)
	serial := w.mustIssue(w.unitA.ID)["serial"].(string)

	type expect struct{ admin, sec, tax, edu, aud, accA, accB int }
	tokens := func(e expect) []struct {
		name, token string
		status      int
	} {
		return []struct {
			name, token string
			status      int
		}{
			{"admin", w.admin, e.admin}, {"secretariat", w.sec, e.sec}, {"tax_officer", w.tax, e.tax},
			{"education_officer", w.edu, e.edu}, {"auditor", w.aud, e.aud},
			{"accountant of the unit", w.accA, e.accA}, {"accountant of another unit", w.accB, e.accB},
		}
	}
	reads := expect{200, 403, 200, 403, 200, 200, 404}
	for _, ep := range []struct {
		method, path string
		body         any
		want         expect
	}{
		{"GET", "/api/v1/certificates/" + serial, nil, reads},
		{"GET", "/api/v1/certificates/" + serial + "/pdf", nil, reads},
		{"GET", fmt.Sprintf("/api/v1/units/%d/tax-years/1404/certificate-preview", w.unitA.ID), nil, reads},
		{"GET", "/api/v1/certificates", nil, expect{200, 403, 200, 403, 200, 200, 200}},
		{"POST", "/api/v1/certificates", map[string]any{"unit_id": w.unitB.ID, "fiscal_year": 1404}, expect{403, 403, 409, 403, 403, 403, 403}},
		{"POST", "/api/v1/certificates/QZV-1404-000999/revoke", map[string]any{"reason": "x"}, expect{403, 403, 404, 403, 403, 403, 403}},
	} {
		for _, who := range tokens(ep.want) {
			t.Run(ep.method+" "+ep.path+" as "+who.name, func(t *testing.T) {
				r := w.do(ep.method, ep.path, who.token, ep.body)
				if r.status != who.status {
					t.Fatalf("%d, want %d: %s", r.status, who.status, r.body)
				}
			})
		}
	}
	t.Run("lists are scoped", func(t *testing.T) {
		for _, tc := range []struct {
			token string
			n     int
		}{{w.tax, 1}, {w.aud, 1}, {w.accA, 1}, {w.accB, 0}} {
			items := w.get("/api/v1/certificates?fiscal_year=1404&status=valid", tc.token)["items"].([]any)
			if len(items) != tc.n {
				t.Errorf("%d items, want %d", len(items), tc.n)
			}
		}
		if items := w.get(fmt.Sprintf("/api/v1/certificates?unit_id=%d", w.unitA.ID), w.accB)["items"].([]any); len(items) != 0 {
			t.Errorf("accountant B lists unit A's certificates")
		}
		if items := w.get("/api/v1/certificates?status=revoked", w.tax)["items"].([]any); len(items) != 0 {
			t.Errorf("status filter: %d items", len(items))
		}
		if r := w.do("GET", "/api/v1/certificates?status=lost", w.tax, nil); r.status != 422 || r.fieldErrors()["status"] == "" {
			t.Errorf("bad status: %d %s", r.status, r.body)
		}
	})
	t.Run("public routes need no sign-in", func(t *testing.T) {
		for _, path := range []string{"/api/v1/verify/" + serial, "/api/v1/verify/key", "/v/" + serial} {
			if r := w.do("GET", path, "", nil); r.status != 200 {
				t.Errorf("%s: %d", path, r.status)
			}
		}
	})
}

func TestCertificateListPages(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "7000000")
	w.assess(w.unitA.ID, "5000000")
	w.runOffset(w.unitA.ID)
	for range 3 {
		w.mustIssue(w.unitA.ID)
	}
	page1 := w.get("/api/v1/certificates?limit=2", w.tax)
	items := page1["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["serial"] != "QZV-1404-000001" || page1["next_cursor"] == nil {
		t.Fatalf("page 1: %v", page1)
	}
	page2 := w.get("/api/v1/certificates?limit=2&cursor="+page1["next_cursor"].(string), w.tax)
	items = page2["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["serial"] != "QZV-1404-000003" || items[0].(map[string]any)["status"] != "valid" || page2["next_cursor"] != nil {
		t.Fatalf("page 2: %v", page2)
	}
	if items := w.get("/api/v1/certificates?status=superseded", w.tax)["items"].([]any); len(items) != 2 {
		t.Fatalf("superseded: %d", len(items))
	}
}

func TestCertificatePreview(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "1234567890.5")
	w.assess(w.unitA.ID, "30000000000")
	path := fmt.Sprintf("/api/v1/units/%d/tax-years/1404/certificate-preview", w.unitA.ID)
	if r := w.do("GET", path, w.tax, nil); r.status != 409 || r.problemCode() != certificate.EOFFSETNEEDSRUN {
		t.Fatalf("before the run: %d %s", r.status, r.body)
	}
	w.runOffset(w.unitA.ID)
	r := w.do("GET", path, w.accA, nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	text := pdfText(t, r.body)
	for _, want := range []string{"پیش‌نویس", w.unitA.Name, "۱٬۲۳۴٬۵۶۷٬۸۹۰٫۵", "هنگام صدور درج می‌شود"} {
		if !strings.Contains(text, readable(want)) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if strings.Contains(text, "QZV-1404") {
		t.Error("the preview shows a serial")
	}
	if n := w.count("certificate_counters"); n != 0 {
		t.Fatalf("the preview took a serial")
	}
	if r := w.do("GET", fmt.Sprintf("/api/v1/units/%d/tax-years/1403/certificate-preview", w.unitA.ID), w.tax, nil); r.status != 404 {
		t.Fatalf("a year without tax: %d", r.status)
	}
	// The tax officer's preview names them; after an issue it names the
	// certificate it would replace.
	w.mustIssue(w.unitA.ID)
	text = pdfText(t, w.do("GET", path, w.tax, nil).body)
	if !strings.Contains(text, "tax1") || !strings.Contains(text, readable("با صدور این گواهی، گواهی شماره QZV-1404-000001 جایگزین می‌شود")) {
		t.Errorf("the officer's preview after an issue:\n%s", text)
	}
	if n := w.count("certificates"); n != 1 {
		t.Fatalf("%d certificates", n)
	}
}

// TestCertificatesWithoutSigningKey runs a server without a key: it serves,
// but issuing and the public key answer 503, and the verify page says the
// signature cannot be checked.
func TestCertificatesWithoutSigningKey(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "7000000")
	w.assess(w.unitA.ID, "5000000")
	w.runOffset(w.unitA.ID)
	serial := w.mustIssue(w.unitA.ID)["serial"].(string)

	keyless := New(w.db, auth.NewStore(w.db), Config{Logger: w.srv.log, Province: "QZV", PublicURL: "http://taahod.test"})
	hs := httptest.NewServer(keyless.Handler())
	defer hs.Close()
	w.http = hs

	if r := w.issue(w.unitA.ID); r.status != 503 || r.problemCode() != certificate.ENOSIGNINGKEY {
		t.Fatalf("issue: %d %s", r.status, r.body)
	}
	if r := w.do("GET", "/api/v1/verify/key", "", nil); r.status != 503 || r.problemCode() != certificate.ENOSIGNINGKEY {
		t.Fatalf("key: %d %s", r.status, r.body)
	}
	page := w.do("GET", "/v/"+serial+"?p=abc&s=def", "", nil)
	if page.status != 200 || !strings.Contains(string(page.body), "اکنون در این سامانه بررسی‌پذیر نیست") || !strings.Contains(string(page.body), "این گواهی معتبر است.") {
		t.Fatalf("page: %d %s", page.status, page.body)
	}
	for _, path := range []string{"/api/v1/certificates/" + serial, "/api/v1/certificates/" + serial + "/pdf",
		fmt.Sprintf("/api/v1/units/%d/tax-years/1404/certificate-preview", w.unitA.ID)} {
		if r := w.do("GET", path, w.tax, nil); r.status != 200 {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
	if n := w.count("certificates"); n != 1 {
		t.Fatalf("%d certificates", n)
	}
}

// legacyQRParams are the p and s the long QR URL of the first
// certificates carried: the facts payload and its signature, base64url.
func legacyQRParams(t *testing.T, cert map[string]any) (p, s string) {
	t.Helper()
	u, err := certificate.QRURL("http://taahod.test", cert["serial"].(string), cert["facts_payload"].(string), cert["facts_signature"].(string))
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(u)
	return parsed.Query().Get("p"), parsed.Query().Get("s")
}

// qrCodeOf is the code of a certificate's compact QR URL, after /Q/.
func qrCodeOf(t *testing.T, cert map[string]any) string {
	t.Helper()
	code := certificate.CompactQRCodeOf(cert["qr_url"].(string))
	if code == "" {
		t.Fatalf("qr_url %q is not a compact QR URL", cert["qr_url"])
	}
	return code
}
