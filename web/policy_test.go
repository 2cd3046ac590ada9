package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/taahod/taahod/certificate"
)

func TestPolicyCreateEditFrozen(t *testing.T) {
	b := newTaxBooks(t)
	ctx := context.Background()
	br := b.officer(t)
	form := func(year string) url.Values {
		return url.Values{"fiscal_year": {year}, "mode": {"credit"}, "rate": {"۱"}, "deduction_cap_rate": {"۱"}, "cap_amount": {""},
			"carry_forward_years": {"۰"}, "rounding_unit": {"۱٬۰۰۰"}, "rounding": {"down"},
			"eligible_categories": {"construction", "equipment"}, "legal_basis": {"ترتيبات استانی قزوین"}}
	}
	a := br.submit("/tax-office/policies/new", "/tax-office/policies", form("۱۴۰۴"))
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/tax-office/policies/1404?m=policy_saved" {
		t.Fatalf("create: %d %s\n%s", a.status, a.header.Get("Location"), a.text())
	}
	pol, err := b.store.Policy(ctx, 1404)
	if err != nil || pol.Mode != "credit" || !pol.RoundingUnit.Equal(mustDec("1000")) || pol.LegalBasis != "ترتیبات استانی قزوین" ||
		strings.Join(pol.EligibleCategories, ",") != "construction,equipment" {
		t.Fatalf("stored %+v %v", pol, err)
	}
	list := br.get("/tax-office/policies")
	if !hasLink(list, "/tax-office/policies/1404") || !strings.Contains(list.text(), "ترتیبات استانی قزوین") {
		t.Errorf("the list:\n%s", list.text())
	}

	t.Run("a year that has a policy is not created again", func(t *testing.T) {
		a := br.submit("/tax-office/policies/new", "/tax-office/policies", form("1404"))
		if a.status != http.StatusUnprocessableEntity || byID(a, "fiscal_year-error") != Message("duplicate") {
			t.Errorf("again: %d %q", a.status, byID(a, "fiscal_year-error"))
		}
	})
	t.Run("errors beside the fields, values kept", func(t *testing.T) {
		f := form("")
		f.Set("rate", "۱٫۵")
		f.Set("legal_basis", " ")
		a := br.submit("/tax-office/policies/1404", "/tax-office/policies/1404", f)
		if a.status != http.StatusUnprocessableEntity || byID(a, "rate-error") == "" || byID(a, "legal_basis-error") == "" {
			t.Fatalf("bad edit: %d rate %q legal_basis %q", a.status, byID(a, "rate-error"), byID(a, "legal_basis-error"))
		}
		if inputValue(a, "rate") != "۱٫۵" {
			t.Errorf("rate kept as %q", inputValue(a, "rate"))
		}
		if p, _ := b.store.Policy(ctx, 1404); !p.Rate.Equal(mustDec("1")) {
			t.Errorf("a bad edit changed the rate to %s", p.Rate)
		}
	})
	t.Run("edit", func(t *testing.T) {
		page := br.get("/tax-office/policies/1404")
		if inputValue(page, "rounding_unit") != "۱٬۰۰۰" {
			t.Errorf("the form starts from the policy: rounding_unit %q", inputValue(page, "rounding_unit"))
		}
		f := form("")
		f.Set("mode", "deduction")
		f.Set("tax_rate", "۰٫۲۵")
		a := br.submit("/tax-office/policies/1404", "/tax-office/policies/1404", f)
		if a.status != http.StatusSeeOther {
			t.Fatalf("edit: %d\n%s", a.status, a.text())
		}
		if p, _ := b.store.Policy(ctx, 1404); p.Mode != "deduction" || p.TaxRate == nil || !p.TaxRate.Equal(mustDec("0.25")) {
			t.Errorf("edited %+v", p)
		}
	})
	t.Run("frozen once a certificate relied on it", func(t *testing.T) {
		b.mustAssess(t, "500000")
		if _, err := b.store.RunOffset(ctx, b.tax, b.unit.ID, 1404); err != nil {
			t.Fatal(err)
		}
		certs, err := certificate.NewStore(b.e.db, certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := certs.Issue(ctx, b.tax, certificate.IssueInput{UnitID: b.unit.ID, FiscalYear: 1404}); err != nil {
			t.Fatal(err)
		}
		page := br.get("/tax-office/policies/1404")
		if inputValue(page, "rate") != "" || !strings.Contains(page.text(), Message("policy_frozen")) {
			t.Errorf("a frozen policy's page offers the form:\n%s", page.text())
		}
		// A form opened before it froze is refused with the reason.
		f := form("")
		f.Set("rate", "۰٫۵")
		a := br.post("/tax-office/policies/1404", url.Values{"csrf": {page.csrf()}, "mode": f["mode"], "rate": f["rate"], "legal_basis": f["legal_basis"]})
		if a.status != http.StatusConflict || !strings.Contains(a.byRole("alert"), Message("policy_frozen")) {
			t.Errorf("frozen edit: %d %q", a.status, a.byRole("alert"))
		}
		if p, _ := b.store.Policy(ctx, 1404); !p.Rate.Equal(mustDec("1")) {
			t.Errorf("a frozen policy changed: rate %s", p.Rate)
		}
	})
}
