package web

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/ledger"
)

// certified adds to the books a 1404 offset of the accountant's unit and
// its certificate, through the real stores: the submitted expenditure gets
// its evidence and is approved, the year's tax is assessed and offset under
// a credit policy, and the tax officer issues the certificate.
func (b *books) certified(t *testing.T) certificate.Record {
	t.Helper()
	ctx := context.Background()
	if _, _, err := b.store.AddExpenditureDocument(ctx, b.acc, b.submitted.ID, ledger.NewDocument{
		Name: "invoice.pdf", Content: []byte("%PDF-1.4 the approved invoice")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.Review(ctx, b.tax, b.submitted.ID, ledger.ReviewInput{Decision: ledger.DecisionApprove}); err != nil {
		t.Fatal(err)
	}
	var policy ledger.PolicyInput
	if err := json.Unmarshal([]byte(`{"mode":"credit","rate":"1","legal_basis":"ترتیبات استانی"}`), &policy); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.SetPolicy(ctx, b.tax, 1404, policy); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.Assess(ctx, b.tax, b.pledge.UnitID, 1404, ledger.TaxYearInput{TaxDue: json.RawMessage(`"10000000"`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.store.RunOffset(ctx, b.tax, b.pledge.UnitID, 1404); err != nil {
		t.Fatal(err)
	}
	certs, err := certificate.NewStore(b.e.db, certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner})
	if err != nil {
		t.Fatal(err)
	}
	r, err := certs.Issue(ctx, b.tax, certificate.IssueInput{UnitID: b.pledge.UnitID, FiscalYear: 1404})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestAccountantTaxYearAndCertificate(t *testing.T) {
	b := newBooks(t)
	cert := b.certified(t)
	br := b.signedIn(t)

	years := br.get("/accountant/tax-years")
	yearPath := fmt.Sprintf("/accountant/units/%d/tax-years/1404", b.pledge.UnitID)
	if years.status != http.StatusOK || !hasLink(years, yearPath) || !strings.Contains(years.text(), "۱۰٬۰۰۰٬۰۰۰ ریال") {
		t.Fatalf("tax years: %d\n%s", years.status, years.text())
	}
	checkColumnHeaders(t, years)

	a := br.get(yearPath)
	if a.status != http.StatusOK {
		t.Fatalf("statement: %d\n%s", a.status, a.body)
	}
	text := a.text()
	for _, want := range []string{
		"فولاد البرز",
		"مالیات تعیین‌شده ۱۰٬۰۰۰٬۰۰۰ ریال",
		"هزینه‌کرد پذیرفتنی سال ۴٬۵۰۰٬۰۰۰ ریال",
		"منتقل‌شده از سال‌های پیش ۰ ریال",
		"هزینه‌کرد به‌کاررفته ۴٬۵۰۰٬۰۰۰ ریال",
		"مبلغ تهاترشده ۴٬۵۰۰٬۰۰۰ ریال",
		"مالیات مانده ۵٬۵۰۰٬۰۰۰ ریال",
		"INV-SUB-2", "ترتیبات استانی",
		cert.Serial, "معتبر",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the statement lacks %q:\n%s", want, text)
		}
	}
	checkColumnHeaders(t, a)
	pdfPath := "/accountant/certificates/" + cert.Serial + "/pdf"
	if !hasLink(a, pdfPath) || !hasLink(a, fmt.Sprintf("/accountant/expenditures/%d", b.submitted.ID)) {
		t.Errorf("the statement lacks the certificate's or the expenditure's link")
	}

	pdf := br.get(pdfPath)
	if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" ||
		!strings.Contains(pdf.header.Get("Content-Disposition"), cert.Serial+".pdf") {
		t.Fatalf("PDF: %d %q %q", pdf.status, pdf.header.Get("Content-Type"), pdf.header.Get("Content-Disposition"))
	}
	status, apiPDF := b.e.apiGet(t, "acc", "/api/v1/certificates/"+cert.Serial+"/pdf")
	if status != http.StatusOK || sha256.Sum256([]byte(pdf.body)) != sha256.Sum256(apiPDF) {
		t.Errorf("the page's PDF differs from the API's (%d)", status)
	}
	if fmt.Sprintf("%x", sha256.Sum256([]byte(pdf.body))) != cert.SHA256 {
		t.Errorf("the PDF is not the one issued")
	}

	// The certificate superseded: its validity says so.
	certs, _ := certificate.NewStore(b.e.db, certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner})
	reason := "اصلاح نام واحد"
	next, err := certs.Issue(context.Background(), b.tax, certificate.IssueInput{UnitID: b.pledge.UnitID, FiscalYear: 1404, Reason: &reason})
	if err != nil {
		t.Fatal(err)
	}
	again := br.get(yearPath).text()
	for _, want := range []string{"جایگزین‌شده با " + next.Serial, reason, "معتبر"} {
		if !strings.Contains(again, want) {
			t.Errorf("after superseding, the page lacks %q:\n%s", want, again)
		}
	}
	// Revoked: the reason is shown, and the PDF is the annulled copy, named
	// so.
	if _, err := certs.Revoke(context.Background(), b.tax, next.Serial, certificate.RevokeInput{Reason: "صدور نادرست"}); err != nil {
		t.Fatal(err)
	}
	revoked := br.get(yearPath).text()
	if !strings.Contains(revoked, "باطل‌شده") || !strings.Contains(revoked, "صدور نادرست") || strings.Contains(revoked, "معتبر") {
		t.Errorf("after revoking, the page says:\n%s", revoked)
	}
	if a := br.get("/accountant/certificates/" + next.Serial + "/pdf"); a.status != http.StatusOK ||
		!strings.Contains(a.header.Get("Content-Disposition"), next.Serial+"-revoked.pdf") || !strings.HasPrefix(a.body, "%PDF-") {
		t.Errorf("the revoked certificate's PDF: %d %q", a.status, a.header.Get("Content-Disposition"))
	}
}

func TestAccountantTaxYearOtherUnitIsNotFound(t *testing.T) {
	b := newBooks(t)
	b.certified(t)
	ctx := context.Background()
	theirUnit := b.otherUnits.UnitID
	if _, err := b.store.Assess(ctx, b.tax, theirUnit, 1404, ledger.TaxYearInput{TaxDue: json.RawMessage(`"5000"`)}); err != nil {
		t.Fatal(err)
	}
	other := b.e.browser()
	other.signIn("other")
	mine := fmt.Sprintf("/accountant/units/%d/tax-years/1404", b.pledge.UnitID)
	list, _ := certificate.NewStore(b.e.db, certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner})
	certs, err := list.List(ctx, b.tax, certificate.ListFilter{UnitID: b.pledge.UnitID, Limit: 10})
	if err != nil || len(certs) != 1 {
		t.Fatalf("certificates %v %v", certs, err)
	}
	unknown := other.get("/accountant/units/999999/tax-years/1404")
	if unknown.status != http.StatusNotFound {
		t.Fatalf("unknown unit: %d", unknown.status)
	}
	for _, path := range []string{mine, "/accountant/certificates/" + certs[0].Serial + "/pdf"} {
		a := other.get(path)
		if a.status != http.StatusNotFound || a.body != unknown.body {
			t.Errorf("another unit's %s: %d, the same page as unknown: %v", path, a.status, a.body == unknown.body)
		}
	}
	years := other.get("/accountant/tax-years")
	if hasLink(years, mine) || !hasLink(years, fmt.Sprintf("/accountant/units/%d/tax-years/1404", theirUnit)) {
		t.Errorf("the other accountant's tax years:\n%s", years.text())
	}
	if a := other.get(fmt.Sprintf("/accountant/units/%d/tax-years/1403", theirUnit)); a.status != http.StatusNotFound {
		t.Errorf("a year without a recorded tax: %d", a.status)
	}
	tax := b.e.browser()
	tax.signIn("tax")
	if a := tax.get(mine); a.status != http.StatusNotFound {
		t.Errorf("the tax officer on the accountant's page: %d", a.status)
	}
}
