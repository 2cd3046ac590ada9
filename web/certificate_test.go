package web

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/taahod/taahod/reports"
)

func TestCertificatesIssueListRevokeSupersede(t *testing.T) {
	b := newTaxBooks(t)
	ctx := context.Background()
	b.mustPolicy(t)
	b.mustAssess(t, "2500000")
	br := b.officer(t)

	// Before the run the year cannot be certified: the preview says why.
	if a := br.get(b.yearPath() + "/certificate-preview"); a.status != http.StatusConflict || !strings.Contains(a.byRole("alert"), Message("offset_needs_run")) {
		t.Errorf("preview before the run: %d %q", a.status, a.byRole("alert"))
	}
	a := br.submit(b.yearPath(), "/tax-office/certificates", url.Values{"unit_id": {itoa(b.unit.ID)}, "fiscal_year": {"1404"}})
	if a.status != http.StatusConflict || !strings.Contains(a.byRole("alert"), Message("offset_needs_run")) {
		t.Errorf("issue before the run: %d %q", a.status, a.byRole("alert"))
	}
	if _, err := b.store.RunOffset(ctx, b.tax, b.unit.ID, 1404); err != nil {
		t.Fatal(err)
	}
	preview := br.get(b.yearPath() + "/certificate-preview")
	if preview.status != http.StatusOK || preview.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(preview.body, "%PDF") {
		t.Fatalf("preview: %d %s", preview.status, preview.header.Get("Content-Type"))
	}

	// Issue: the certificate's page opens.
	a = br.submit(b.yearPath(), "/tax-office/certificates", url.Values{"unit_id": {itoa(b.unit.ID)}, "fiscal_year": {"1404"}})
	first := "QZV-1404-000001"
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/tax-office/certificates/"+first+"?m=certificate_issued" {
		t.Fatalf("issue: %d %s\n%s", a.status, a.header.Get("Location"), a.text())
	}
	page := br.get(a.header.Get("Location"))
	if !strings.Contains(page.byRole("status"), Message("certificate_issued")) || !strings.Contains(page.text(), "معتبر") ||
		!strings.Contains(page.text(), "http://taahod.test/v/"+first) || !strings.Contains(page.text(), "۲٬۵۰۰٬۰۰۰ ریال") {
		t.Errorf("the certificate's page:\n%s", page.text())
	}
	rec, err := b.store.Statement(ctx, b.tax, b.unit.ID, 1404)
	if err != nil || !rec.OffsetAmount.Equal(mustDec("2500000")) {
		t.Fatal(err)
	}
	verify := ""
	for _, n := range findAll(page.doc(), func(n *htmlNode) bool {
		return n.Data == "a" && strings.HasPrefix(attr(n, "href"), "HTTP://TAAHOD.TEST/Q/")
	}) {
		verify = attr(n, "href")
	}
	// The link is what the QR code carries: the compact signed URL.
	if !reports.IsCompactQRURL(verify) {
		t.Errorf("verification link %q is not the signed one the QR code carries", verify)
	}

	samePDF := func(serial string) {
		t.Helper()
		web := br.get("/tax-office/certificates/" + serial + "/pdf")
		if web.status != http.StatusOK || web.header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("PDF %s: %d %s", serial, web.status, web.header.Get("Content-Type"))
		}
		status, apiPDF := b.e.apiGet(t, "tax", "/api/v1/certificates/"+serial+"/pdf")
		if status != http.StatusOK || sha256.Sum256([]byte(web.body)) != sha256.Sum256(apiPDF) {
			t.Errorf("the page's PDF of %s is not the API's", serial)
		}
	}
	samePDF(first)

	// Issue again with a reason: it supersedes the first.
	a = br.submit(b.yearPath(), "/tax-office/certificates", url.Values{"unit_id": {itoa(b.unit.ID)}, "fiscal_year": {"1404"},
		"reason": {"اصلاح نام واحد"}})
	second := "QZV-1404-000002"
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/tax-office/certificates/"+second) {
		t.Fatalf("supersede: %d %s\n%s", a.status, a.header.Get("Location"), a.text())
	}
	page = br.get("/tax-office/certificates/" + first)
	if !strings.Contains(page.text(), "جایگزین‌شده") || !strings.Contains(page.text(), "اصلاح نام واحد") || !hasLink(page, "/tax-office/certificates/"+second) {
		t.Errorf("the superseded certificate:\n%s", page.text())
	}
	samePDF(first) // the annulled copy, the same as the API's too

	// The list, filtered as the API filters.
	for _, c := range []struct {
		query     string
		want, not []string
	}{
		{"", []string{first, second}, nil},
		{"?fiscal_year=" + url.QueryEscape("۱۴۰۴"), []string{first, second}, nil},
		{"?fiscal_year=1403", nil, []string{first, second}},
		{"?status=superseded", []string{first}, []string{second}},
		{"?status=valid&unit_id=" + itoa(b.unit.ID), []string{second}, []string{first}},
		{"?unit_id=" + itoa(b.theirs.ID), nil, []string{first, second}},
	} {
		a := br.get("/tax-office/certificates" + c.query)
		if a.status != http.StatusOK {
			t.Errorf("%s: %d", c.query, a.status)
			continue
		}
		for _, w := range c.want {
			if !hasLink(a, "/tax-office/certificates/"+w) {
				t.Errorf("%s lacks %s", c.query, w)
			}
		}
		for _, w := range c.not {
			if hasLink(a, "/tax-office/certificates/"+w) {
				t.Errorf("%s lists %s", c.query, w)
			}
		}
	}
	if a := br.get("/tax-office/certificates?status=lost"); a.status != http.StatusBadRequest {
		t.Errorf("an unknown status: %d", a.status)
	}

	// Revoke: a reason is required, and kept.
	path := "/tax-office/certificates/" + second
	a = br.submit(path, path+"/revoke", url.Values{"reason": {"  "}})
	if a.status != http.StatusUnprocessableEntity || byID(a, "reason-error") == "" {
		t.Errorf("revoke without reason: %d %q", a.status, byID(a, "reason-error"))
	}
	a = br.submit(path, path+"/revoke", url.Values{"reason": {"صدور نادرست"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != path+"?m=certificate_revoked" {
		t.Fatalf("revoke: %d %s", a.status, a.header.Get("Location"))
	}
	page = br.get(path)
	if !strings.Contains(page.text(), "باطل‌شده") || !strings.Contains(page.text(), "صدور نادرست") || inputValue(page, "reason") != "" {
		t.Errorf("the revoked certificate:\n%s", page.text())
	}
	if a := br.submit(b.yearPath(), path+"/revoke", url.Values{"reason": {"دوباره"}}); a.status != http.StatusConflict {
		t.Errorf("revoke twice: %d", a.status)
	}
	if a := br.get("/tax-office/certificates/QZV-1404-999999"); a.status != http.StatusNotFound {
		t.Errorf("an unknown serial: %d", a.status)
	}
	// The unit-year's page lists both.
	year := br.get(b.yearPath())
	if !hasLink(year, "/tax-office/certificates/"+first) || !hasLink(year, "/tax-office/certificates/"+second) {
		t.Errorf("the year's certificates:\n%s", year.text())
	}
}
