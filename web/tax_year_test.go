package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// taxBooks is a unit with approved school spending in 1404 and the people
// around it: the tax officer who works on it, and others who may not.
type taxBooks struct {
	e            *env
	store        *ledger.Store
	tax, acc     taahod.Actor
	unit, theirs registry.Unit
	spent        []ledger.Expenditure
}

// newTaxBooks makes the books: two approved expenditures of 1404 (spent
// 2025-10-01 and 2025-11-01), 1,200,000 and 2,000,000 Rials.
func newTaxBooks(t *testing.T) *taxBooks {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	b := &taxBooks{e: e, store: ledger.NewStore(e.db)}
	b.unit = e.mustCreateUnit("فولاد البرز", "1010234567")
	b.theirs = e.mustCreateUnit("سیمان قزوین", "1010765432")
	b.acc = e.mustCreateUser("acc", "مریم حسابدار", taahod.RoleAccountant, b.unit.ID).Actor()
	b.tax = e.mustCreateUser("tax", "رضا کارشناس", taahod.RoleTaxOfficer).Actor()
	e.mustCreateUser("aud", "حسابرس", taahod.RoleAuditor)
	e.mustCreateUser("boss", "مدیر", taahod.RoleAdmin)
	school, err := b.store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: "دبستان شهید رجایی", Kind: ledger.KindSchool, County: "قزوین"})
	if err != nil {
		t.Fatal(err)
	}
	on, due := "2025-01-01", "2036-12-06"
	pledge, err := b.store.CreatePledge(ctx, taahod.System, ledger.NewPledge{UnitID: b.unit.ID, SchoolID: school.ID,
		Amount: json.RawMessage(`"50000000"`), PledgedOn: &on, DueOn: &due})
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range []struct{ amount, on, invoice string }{{"1200000", "2025-10-01", "INV-A-1"}, {"2000000", "2025-11-01", "INV-B-2"}} {
		spent, err := b.store.SubmitExpenditure(ctx, b.acc, ledger.NewExpenditure{PledgeID: pledge.ID, Amount: json.RawMessage(`"` + x.amount + `"`),
			SpentOn: &x.on, InvoiceNo: x.invoice, VendorName: "مصالح ساختمانی نور", Category: ledger.CategoryConstruction})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := b.store.AddExpenditureDocument(ctx, b.acc, spent.ID, ledger.NewDocument{Name: "invoice.pdf", Content: []byte("%PDF-1.4 invoice")}); err != nil {
			t.Fatal(err)
		}
		if spent, err = b.store.Review(ctx, b.tax, spent.ID, ledger.ReviewInput{Decision: ledger.DecisionApprove}); err != nil {
			t.Fatalf("approve %d: %v", i, err)
		}
		b.spent = append(b.spent, spent)
	}
	return b
}

// officer is a browser signed in as the tax officer.
func (b *taxBooks) officer(t *testing.T) *browser {
	t.Helper()
	br := b.e.browser()
	if got := br.signIn("tax"); got != "/tax-office" {
		t.Fatalf("the tax officer's sign-in leads to %q", got)
	}
	return br
}

// mustPolicy stores 1404's policy: spending counted as tax paid, one to one.
func (b *taxBooks) mustPolicy(t *testing.T) {
	t.Helper()
	if _, err := b.store.SetPolicy(context.Background(), b.tax, 1404, ledger.PolicyInput{Mode: ledger.ModeCredit,
		Rate: json.RawMessage(`"1"`), LegalBasis: "ترتیبات استانی قزوین"}); err != nil {
		t.Fatal(err)
	}
}

func (b *taxBooks) mustAssess(t *testing.T, taxDue string) {
	t.Helper()
	if _, err := b.store.Assess(context.Background(), b.tax, b.unit.ID, 1404, ledger.TaxYearInput{TaxDue: json.RawMessage(`"` + taxDue + `"`)}); err != nil {
		t.Fatal(err)
	}
}

func (b *taxBooks) statement(t *testing.T) ledger.Statement {
	t.Helper()
	st, err := b.store.Statement(context.Background(), b.tax, b.unit.ID, 1404)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// transactions counts the ledger's transactions.
func (b *taxBooks) transactions(t *testing.T) int {
	t.Helper()
	var n int
	if err := b.e.db.Get(&n, `SELECT count(*) FROM ledger_transactions`); err != nil {
		t.Fatal(err)
	}
	return n
}

func (b *taxBooks) yearPath() string { return taxYearPath(b.unit.ID, 1404) }

func TestTaxYearsListsUnitsAndTheirYears(t *testing.T) {
	b := newTaxBooks(t)
	b.mustAssess(t, "0")
	br := b.officer(t)
	a := br.get("/tax-office/tax-years")
	if a.status != http.StatusOK || !strings.Contains(a.text(), "فولاد البرز") || !strings.Contains(a.text(), "سیمان قزوین") {
		t.Fatalf("units: %d\n%s", a.status, a.text())
	}
	if !hasLink(a, b.yearPath()) {
		t.Error("the unit's recorded year is not linked")
	}
	// q searches as the API's, Arabic letters read as Persian.
	a = br.get("/tax-office/tax-years?q=" + url.QueryEscape("سيمان"))
	if strings.Contains(a.text(), "فولاد البرز") || !strings.Contains(a.text(), "سیمان قزوین") {
		t.Errorf("q=سيمان:\n%s", a.text())
	}
	// A year not recorded yet opens from the form beside the unit.
	a = br.get("/tax-office/units/" + itoa(b.theirs.ID) + "/tax-years?fiscal_year=" + url.QueryEscape("۱۴۰۳"))
	if a.status != http.StatusSeeOther || a.header.Get("Location") != taxYearPath(b.theirs.ID, 1403) {
		t.Fatalf("open a year: %d %s", a.status, a.header.Get("Location"))
	}
	a = br.get(taxYearPath(b.theirs.ID, 1403))
	if a.status != http.StatusOK || !strings.Contains(a.text(), "هنوز مالیاتی تشخیص داده نشده") {
		t.Errorf("an unrecorded year: %d\n%s", a.status, a.text())
	}
	if a := br.get(taxYearPath(999999, 1404)); a.status != http.StatusNotFound {
		t.Errorf("an unknown unit: %d", a.status)
	}
}

func TestTaxYearAssessmentAsTyped(t *testing.T) {
	b := newTaxBooks(t)
	br := b.officer(t)
	a := br.submit(b.yearPath(), b.yearPath(), url.Values{
		"tax_due": {"۱٬۰۰۰٬۰۰۰"}, "taxable_income": {"4,000,000"}, "income_source": {"فروش كالا"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != b.yearPath()+"?m=assessed" {
		t.Fatalf("assess: %d %s\n%s", a.status, a.header.Get("Location"), a.body)
	}
	st := b.statement(t)
	if !st.TaxDue.Equal(mustDec("1000000")) || st.TaxableIncome == nil || !st.TaxableIncome.Equal(mustDec("4000000")) ||
		deref(st.IncomeSource) != "فروش کالا" {
		t.Fatalf("recorded %s %v %q", st.TaxDue, st.TaxableIncome, deref(st.IncomeSource))
	}
	page := br.get(a.header.Get("Location"))
	if !strings.Contains(page.byRole("status"), Message("assessed")) || !strings.Contains(page.text(), "۱٬۰۰۰٬۰۰۰ ریال") {
		t.Errorf("the page after: %s", page.text())
	}

	t.Run("errors beside the fields, values kept, nothing saved", func(t *testing.T) {
		a := br.submit(b.yearPath(), b.yearPath(), url.Values{"tax_due": {"۱۲,۵۰"}, "taxable_income": {"-5"}, "income_source": {"فروش"}})
		if a.status != http.StatusUnprocessableEntity || a.byRole("alert") == "" {
			t.Fatalf("bad amounts: %d, alert %q", a.status, a.byRole("alert"))
		}
		if byID(a, "tax_due-error") == "" || byID(a, "taxable_income-error") == "" {
			t.Errorf("errors beside the fields: %q %q", byID(a, "tax_due-error"), byID(a, "taxable_income-error"))
		}
		if inputValue(a, "tax_due") != "۱۲,۵۰" || inputValue(a, "taxable_income") != "-5" {
			t.Errorf("typed values lost: %q %q", inputValue(a, "tax_due"), inputValue(a, "taxable_income"))
		}
		hist, err := b.store.Assessments(context.Background(), b.tax, b.unit.ID, 1404)
		if err != nil || len(hist) != 1 {
			t.Errorf("history %d %v", len(hist), err)
		}
		a = br.submit(b.yearPath(), b.yearPath(), url.Values{"tax_due": {""}})
		if a.status != http.StatusUnprocessableEntity || byID(a, "tax_due-error") != Message("required") {
			t.Errorf("blank tax due: %d %q", a.status, byID(a, "tax_due-error"))
		}
	})

	t.Run("the history lists each assessment", func(t *testing.T) {
		br.submit(b.yearPath(), b.yearPath(), url.Values{"tax_due": {"۲٬۵۰۰٬۰۰۰"}})
		a := br.get(b.yearPath())
		if !strings.Contains(a.text(), "۲٬۵۰۰٬۰۰۰ ریال") || !strings.Contains(a.text(), "۱٬۰۰۰٬۰۰۰ ریال") || !strings.Contains(a.text(), "رضا کارشناس") {
			t.Errorf("history:\n%s", a.text())
		}
	})
}

func TestTaxYearPostWithoutCSRF(t *testing.T) {
	b := newTaxBooks(t)
	br := b.officer(t)
	for _, path := range []string{b.yearPath(), b.yearPath() + "/offset", "/tax-office/policies", "/tax-office/certificates"} {
		a := br.post(path, url.Values{"tax_due": {"1000"}, "fiscal_year": {"1404"}, "unit_id": {itoa(b.unit.ID)},
			"mode": {"credit"}, "rate": {"1"}, "legal_basis": {"x"}})
		if a.status != http.StatusForbidden {
			t.Errorf("POST %s without CSRF: %d", path, a.status)
		}
	}
	if hist, _ := b.store.Assessments(context.Background(), b.tax, b.unit.ID, 1404); len(hist) != 0 {
		t.Error("an assessment was saved")
	}
	if _, err := b.store.Policy(context.Background(), 1404); taahod.ErrorCode(err) != taahod.ENOTFOUND {
		t.Errorf("a policy was saved: %v", err)
	}
}

func TestTaxOfficePagesAreTheTaxOfficers(t *testing.T) {
	b := newTaxBooks(t)
	b.mustPolicy(t)
	b.mustAssess(t, "1000")
	reads := map[string]bool{"/tax-office/tax-years": true, b.yearPath(): true, "/tax-office/policies": true,
		"/tax-office/policies/1404": true, "/tax-office/certificates": true}
	for _, who := range []string{"acc", "aud", "boss"} {
		br := b.e.browser()
		br.signIn(who)
		for _, path := range []string{"/tax-office/tax-years", b.yearPath(), b.yearPath() + "/offset", "/tax-office/policies",
			"/tax-office/policies/1404", "/tax-office/certificates", b.yearPath() + "/certificate-preview"} {
			// The auditor reads the pages that only show (auditor_read_test.go).
			if who == "aud" && reads[path] {
				continue
			}
			if a := br.get(path); a.status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d", who, path, a.status)
			}
		}
	}
	// Signed out, they lead to the sign-in page.
	if a := b.e.browser().get("/tax-office/policies"); a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/signin") {
		t.Errorf("signed out: %d %s", a.status, a.header.Get("Location"))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func mustDec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestTaxYearsNextPage(t *testing.T) {
	b := newTaxBooks(t)
	for i := 0; i <= unitsPageSize; i++ {
		b.e.mustCreateUnit("واحد آزمون "+itoa(int64(i)), "1012"+strconv.Itoa(100000+i))
	}
	br := b.officer(t)
	first := br.get("/tax-office/tax-years?q=" + url.QueryEscape("آزمون"))
	next := linkTitled(first, "بعدی")
	if next == "" || !strings.Contains(next, "q=") || linkTitled(first, "قبلی") != "" {
		t.Fatalf("first page: «بعدی» %q, «قبلی» %q", next, linkTitled(first, "قبلی"))
	}
	second := br.get(next)
	if second.status != http.StatusOK || !strings.Contains(second.text(), "واحد آزمون "+itoa(unitsPageSize)) ||
		strings.Contains(second.text(), "فولاد البرز") || linkTitled(second, "بعدی") != "" {
		t.Fatalf("second page:\n%s", second.text())
	}
	if back := linkTitled(second, "قبلی"); back == "" || !strings.Contains(br.get(back).text(), "واحد آزمون 0") {
		t.Errorf("«قبلی» %q does not lead back to the first page", back)
	}
}
