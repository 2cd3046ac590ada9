package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/taahod/taahod"
)

// The Article 172 routes end to end: tax years and their history, offset
// policies, runs and statements, reversals; and who may do what.

const (
	creditPolicy    = `{"mode":"credit","rate":"1","legal_basis":"ترتیبات استانی"}`
	deductionPolicy = `{"mode":"deduction","rate":"1","tax_rate":"0.25","legal_basis":"ماده ۱۷۲ قانون مالیات‌های مستقیم"}`
)

func taxYearPath(unit int64, year int) string {
	return fmt.Sprintf("/api/v1/units/%d/tax-years/%d", unit, year)
}

// mustOK fails the test unless the response is 200, and returns its body.
func (w *world) mustOK(r response, what string) map[string]any {
	w.t.Helper()
	if r.status != http.StatusOK {
		w.t.Fatalf("%s: %d %s", what, r.status, r.body)
	}
	return r.json()
}

// approvedOfA submits an expenditure of unit A's pledge (fields override
// the defaults) and approves it in full; it returns its id.
func (w *world) approvedOfA(amount string, fields ...any) int64 {
	w.t.Helper()
	id := w.withEvidence(w.mustSubmit(w.accA, expenditure(w.pledgeA, amount, fields...)))
	w.mustOK(w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", id), w.tax, map[string]any{"decision": "approve"}), "approve")
	return id
}

func TestTaxYearAPI(t *testing.T) {
	w := newWorld(t)
	path := taxYearPath(w.unitA.ID, 1404)

	t.Run("recorded and answered", func(t *testing.T) {
		m := w.mustOK(w.do("PUT", path, w.tax, map[string]any{"tax_due": "1200000", "taxable_income": 4800000, "income_source": "برگ تشخیص ۱۴۰۴"}), "put")
		if m["tax_due"] != "1200000" || m["taxable_income"] != "4800000" || m["income_source"] != "برگ تشخیص ۱۴۰۴" || m["run_at"] != nil {
			t.Fatalf("%v", m)
		}
	})
	t.Run("tax due may be zero", func(t *testing.T) {
		m := w.mustOK(w.do("PUT", taxYearPath(w.unitA.ID, 1403), w.tax, map[string]any{"tax_due": "0"}), "put zero")
		if m["tax_due"] != "0" || m["taxable_income"] != nil {
			t.Fatalf("%v", m)
		}
	})
	t.Run("malformed amounts name their field", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			body  any
			field string
		}{
			{"tax_due missing", map[string]any{}, "tax_due"},
			{"tax_due negative", map[string]any{"tax_due": "-1"}, "tax_due"},
			{"tax_due with separators", map[string]any{"tax_due": "1,200"}, "tax_due"},
			{"tax_due with three decimals", map[string]any{"tax_due": "1.005"}, "tax_due"},
			{"tax_due with 19 integer digits", map[string]any{"tax_due": "1000000000000000000"}, "tax_due"},
			{"tax_due not a number", map[string]any{"tax_due": "مالیات"}, "tax_due"},
			{"tax_due Persian digits", map[string]any{"tax_due": "۱۲۰۰"}, "tax_due"},
			{"tax_due exponent", `{"tax_due": 1e6}`, "tax_due"},
			{"tax_due empty", map[string]any{"tax_due": ""}, "tax_due"},
			{"taxable_income negative", map[string]any{"tax_due": "5", "taxable_income": "-5"}, "taxable_income"},
			{"taxable_income malformed", map[string]any{"tax_due": "5", "taxable_income": "5 000"}, "taxable_income"},
			{"income_source too long", map[string]any{"tax_due": "5", "income_source": string(make([]byte, 201))}, "income_source"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := w.do("PUT", path, w.tax, c.body)
				if r.status != http.StatusUnprocessableEntity || r.fieldErrors()[c.field] == "" {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})
		}
	})
	t.Run("a year out of range is named, a path that is no year is not found", func(t *testing.T) {
		if r := w.do("PUT", taxYearPath(w.unitA.ID, 1200), w.tax, map[string]any{"tax_due": "5"}); r.status != 422 || r.fieldErrors()["year"] == "" {
			t.Fatalf("1200: %d %s", r.status, r.body)
		}
		if r := w.do("PUT", fmt.Sprintf("/api/v1/units/%d/tax-years/next", w.unitA.ID), w.tax, map[string]any{"tax_due": "5"}); r.status != 404 {
			t.Fatalf("next: %d %s", r.status, r.body)
		}
		if r := w.do("PUT", taxYearPath(999999, 1404), w.tax, map[string]any{"tax_due": "5"}); r.status != 404 {
			t.Fatalf("unknown unit: %d %s", r.status, r.body)
		}
		if r := w.do("GET", taxYearPath(w.unitB.ID, 1404), w.tax, nil); r.status != 404 {
			t.Fatalf("a year with no tax recorded: %d %s", r.status, r.body)
		}
	})
	t.Run("the history of assessments", func(t *testing.T) {
		w.mustOK(w.do("PUT", path, w.tax, map[string]any{"tax_due": "1500000"}), "reassess")
		items := w.get(path+"/assessments", w.tax)["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("%v", items)
		}
		first, second := items[0].(map[string]any), items[1].(map[string]any)
		if first["tax_due"] != "1200000" || first["taxable_income"] != "4800000" || second["tax_due"] != "1500000" || second["taxable_income"] != nil {
			t.Fatalf("%v", items)
		}
		// tax1 has no full name: the user name stands in for it.
		var officer int64
		if err := w.db.Get(&officer, `SELECT id FROM users WHERE username = 'tax1'`); err != nil {
			t.Fatal(err)
		}
		mustBeUser(t, "recorded_by", second["recorded_by"], officer, "tax1")
		if items := w.get(taxYearPath(w.unitB.ID, 1404)+"/assessments", w.tax)["items"].([]any); len(items) != 0 {
			t.Fatalf("unit B: %v", items)
		}
	})
}

func TestPolicyAPI(t *testing.T) {
	w := newWorld(t)
	t.Run("stored, read and listed", func(t *testing.T) {
		m := w.mustOK(w.do("PUT", "/api/v1/policies/1403", w.admin, deductionPolicy), "put 1403")
		if m["mode"] != "deduction" || m["rate"] != "1" || m["tax_rate"] != "0.25" || m["deduction_cap_rate"] != "1" || m["cap_amount"] != nil ||
			m["rounding_unit"] != "1" || m["rounding"] != "down" || len(m["eligible_categories"].([]any)) != 5 || m["frozen"] != false {
			t.Fatalf("defaults: %v", m)
		}
		w.mustOK(w.do("PUT", "/api/v1/policies/1404", w.tax, `{"mode":"credit","rate":0.7,"cap_amount":"5000000","carry_forward_years":2,
			"rounding_unit":"1000","rounding":"half_even","eligible_categories":["land","construction","land"],"legal_basis":" بودجه ۱۴۰۴ "}`), "put 1404")
		m = w.get("/api/v1/policies/1404", w.edu)
		if m["rate"] != "0.7" || m["cap_amount"] != "5000000" || fmt.Sprint(m["carry_forward_years"]) != "2" ||
			m["rounding_unit"] != "1000" || m["rounding"] != "half_even" || fmt.Sprint(m["eligible_categories"]) != "[land construction]" ||
			m["legal_basis"] != "بودجه ۱۴۰۴" {
			t.Fatalf("1404: %v", m)
		}
		items := w.get("/api/v1/policies", w.sec)["items"].([]any)
		if len(items) != 2 || fmt.Sprint(items[0].(map[string]any)["fiscal_year"]) != "1403" || fmt.Sprint(items[1].(map[string]any)["fiscal_year"]) != "1404" {
			t.Fatalf("list: %v", items)
		}
		if r := w.do("GET", "/api/v1/policies/1405", w.tax, nil); r.status != 404 {
			t.Fatalf("no policy: %d %s", r.status, r.body)
		}
	})
	t.Run("validation names the field", func(t *testing.T) {
		for _, c := range []struct {
			name, body, field string
		}{
			{"mode missing", `{"rate":"1","legal_basis":"x"}`, "mode"},
			{"mode unknown", `{"mode":"gift","rate":"1","legal_basis":"x"}`, "mode"},
			{"rate missing", `{"mode":"credit","legal_basis":"x"}`, "rate"},
			{"rate above one", `{"mode":"credit","rate":"1.01","legal_basis":"x"}`, "rate"},
			{"rate negative", `{"mode":"credit","rate":"-0.1","legal_basis":"x"}`, "rate"},
			{"rate with nine decimals", `{"mode":"credit","rate":"0.123456789","legal_basis":"x"}`, "rate"},
			{"rate not a number", `{"mode":"credit","rate":"نیم","legal_basis":"x"}`, "rate"},
			{"rate with an exponent", `{"mode":"credit","rate":1e-1,"legal_basis":"x"}`, "rate"},
			{"tax_rate missing in deduction", `{"mode":"deduction","rate":"1","legal_basis":"x"}`, "tax_rate"},
			{"tax_rate above one", `{"mode":"deduction","rate":"1","tax_rate":"25","legal_basis":"x"}`, "tax_rate"},
			{"deduction_cap_rate above one", `{"mode":"credit","rate":"1","deduction_cap_rate":"2","legal_basis":"x"}`, "deduction_cap_rate"},
			{"cap_amount zero", `{"mode":"credit","rate":"1","cap_amount":"0","legal_basis":"x"}`, "cap_amount"},
			{"cap_amount malformed", `{"mode":"credit","rate":"1","cap_amount":"1.234","legal_basis":"x"}`, "cap_amount"},
			{"carry_forward_years above ten", `{"mode":"credit","rate":"1","carry_forward_years":11,"legal_basis":"x"}`, "carry_forward_years"},
			{"carry_forward_years negative", `{"mode":"credit","rate":"1","carry_forward_years":-1,"legal_basis":"x"}`, "carry_forward_years"},
			{"rounding_unit zero", `{"mode":"credit","rate":"1","rounding_unit":"0","legal_basis":"x"}`, "rounding_unit"},
			{"rounding unknown", `{"mode":"credit","rate":"1","rounding":"up","legal_basis":"x"}`, "rounding"},
			{"category unknown", `{"mode":"credit","rate":"1","eligible_categories":["food"],"legal_basis":"x"}`, "eligible_categories"},
			{"legal_basis missing", `{"mode":"credit","rate":"1"}`, "legal_basis"},
			{"legal_basis blank", `{"mode":"credit","rate":"1","legal_basis":"  "}`, "legal_basis"},
		} {
			t.Run(c.name, func(t *testing.T) {
				r := w.do("PUT", "/api/v1/policies/1405", w.tax, c.body)
				if r.status != http.StatusUnprocessableEntity || r.fieldErrors()[c.field] == "" {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})
		}
		if r := w.do("PUT", "/api/v1/policies/1405", w.tax, `{"mode":"credit","rate":"1","legal_basis":"x","extra":1}`); r.status != 400 || r.fieldErrors()["extra"] != "unknown_field" {
			t.Fatalf("an unknown field: %d %s", r.status, r.body)
		}
		if r := w.do("PUT", "/api/v1/policies/1250", w.tax, creditPolicy); r.status != 422 || r.fieldErrors()["year"] == "" {
			t.Fatalf("year out of range: %d %s", r.status, r.body)
		}
		if n := w.count("offset_policies"); n != 2 {
			t.Fatalf("refused policies were stored: %d", n)
		}
	})
}

func TestOffsetRunAPI(t *testing.T) {
	w := newWorld(t)
	path := taxYearPath(w.unitA.ID, 1404)
	run := func(headers ...string) response { return w.do("POST", path+"/offset", w.tax, nil, headers...) }

	if r := run(); r.status != 409 || r.problemCode() != "no_offset_policy" {
		t.Fatalf("without a policy: %d %s", r.status, r.body)
	}
	w.mustOK(w.do("PUT", "/api/v1/policies/1404", w.tax, deductionPolicy), "policy")
	if r := run(); r.status != 409 || r.problemCode() != "no_tax_assessment" {
		t.Fatalf("without a tax year: %d %s", r.status, r.body)
	}
	first := w.approvedOfA("4000000")
	second := w.approvedOfA("2000000", "spent_on", "2025-10-02")
	w.mustOK(w.do("PUT", path, w.tax, map[string]any{"tax_due": "1000000"}), "assess")

	before := w.get(path, w.accA)
	if before["needs_run"] != true || before["offset_amount"] != "0" || before["pending_offset"] != "1000000" || before["offered"] != "6000000" {
		t.Fatalf("before the run: %v", before)
	}
	r := run("Idempotency-Key", "run-1404-a")
	st := w.mustOK(r, "run")
	// deduction = 6,000,000 × 1; offset = min(1,500,000, 1,000,000); used 4,000,000.
	if st["offset_amount"] != "1000000" || st["remaining_tax"] != "0" || st["spending_used"] != "4000000" || st["unused_eligible"] != "2000000" ||
		st["needs_run"] != false || st["deduction"] != "6000000" || st["eligible_spending"] != "6000000" || st["carried_in"] != "0" {
		t.Fatalf("the run: %v", st)
	}
	allocs := st["allocations"].([]any)
	if len(allocs) != 1 || fmt.Sprint(allocs[0].(map[string]any)["expenditure_id"]) != fmt.Sprint(first) ||
		allocs[0].(map[string]any)["amount"] != "4000000" || allocs[0].(map[string]any)["spent_on_jalali"] != "1404/07/09" {
		t.Fatalf("allocations: %v", allocs)
	}
	if policy := st["policy"].(map[string]any); policy["mode"] != "deduction" {
		t.Fatalf("policy: %v", policy)
	}
	if got := w.get(path, w.aud); fmt.Sprint(got) != fmt.Sprint(st) {
		t.Fatalf("GET after the run differs:\n%v\n%v", got, st)
	}

	t.Run("an idempotent replay changes nothing", func(t *testing.T) {
		before := w.count("ledger_transactions")
		w.mustOK(w.do("PUT", path, w.tax, map[string]any{"tax_due": "1400000"}), "raise the tax")
		transactions := w.count("ledger_transactions")
		if transactions != before+1 {
			t.Fatalf("the new assessment posted %d transactions", transactions-before)
		}
		again := run("Idempotency-Key", "run-1404-a")
		if again.status != 200 || string(again.body) != string(r.body) || w.count("ledger_transactions") != transactions {
			t.Fatalf("replay: %d, %d transactions more\n%s\n%s", again.status, w.count("ledger_transactions")-transactions, again.body, r.body)
		}
		if r := w.do("POST", path+"/offset", w.tax, map[string]any{"x": 1}, "Idempotency-Key", "run-1404-a"); r.status != 422 || r.problemCode() != "idempotency_key_reused" {
			t.Fatalf("the key with another body: %d %s", r.status, r.body)
		}
		st := w.mustOK(run("Idempotency-Key", "run-1404-b"), "a new key runs")
		if st["offset_amount"] != "1400000" || w.count("ledger_transactions") != transactions+1 {
			t.Fatalf("%v", st)
		}
	})
	t.Run("tax due below the offset is a conflict", func(t *testing.T) {
		if r := w.do("PUT", path, w.tax, map[string]any{"tax_due": "1399999.99"}); r.status != 409 || r.problemCode() != "tax_due_below_offset" {
			t.Fatalf("%d %s", r.status, r.body)
		}
		w.mustOK(w.do("PUT", path, w.tax, map[string]any{"tax_due": "1400000"}), "equal to the offset")
	})
	t.Run("reversal", func(t *testing.T) {
		reverse := func(id int64, body any) response {
			return w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/reverse", id), w.tax, body)
		}
		for _, body := range []any{map[string]any{}, map[string]any{"reason": "   "}} {
			if r := reverse(first, body); r.status != 422 || r.fieldErrors()["reason"] != "required" {
				t.Fatalf("no reason: %d %s", r.status, r.body)
			}
		}
		submitted := w.mustSubmit(w.accA, expenditure(w.pledgeA, "10"))
		if r := reverse(submitted, map[string]any{"reason": "نادرست"}); r.status != 409 || r.problemCode() != taahod.ECONFLICT {
			t.Fatalf("not approved: %d %s", r.status, r.body)
		}
		if r := reverse(99999, map[string]any{"reason": "نادرست"}); r.status != 404 {
			t.Fatalf("unknown: %d %s", r.status, r.body)
		}
		e := w.mustOK(reverse(first, map[string]any{"reason": "فاکتور جعلی"}), "reverse")
		if e["status"] != "reversed" || e["reversal_reason"] != "فاکتور جعلی" || e["reversed_at"] == nil {
			t.Fatalf("%v", e)
		}
		st := w.get(path, w.tax)
		if st["offset_amount"] != "0" || st["needs_run"] != true || st["run_at"] != nil || len(st["allocations"].([]any)) != 0 {
			t.Fatalf("after the reversal: %v", st)
		}
		if r := reverse(first, map[string]any{"reason": "دوباره"}); r.status != 409 {
			t.Fatalf("twice: %d %s", r.status, r.body)
		}
		st = w.mustOK(run(), "run again")
		// Only the second is left: 2,000,000 × 0.25 = 500,000.
		if st["offset_amount"] != "500000" || fmt.Sprint(st["allocations"].([]any)[0].(map[string]any)["expenditure_id"]) != fmt.Sprint(second) {
			t.Fatalf("re-run: %v", st)
		}
	})
}

// TestTaxYearAccess is the matrix of who may do what to tax figures: they
// are read by admin, tax officers, auditors and the unit's own accountant
// (another unit's gets 404), never by education officers or the secretariat
// (403); tax years, runs and reversals are written by tax officers only,
// policies by admins and tax officers; policies are read by anyone signed in.
func TestTaxYearAccess(t *testing.T) {
	w := newWorld(t)
	w.mustOK(w.do("PUT", "/api/v1/policies/1404", w.tax, creditPolicy), "policy")
	path := taxYearPath(w.unitA.ID, 1404)
	w.mustOK(w.do("PUT", path, w.tax, map[string]any{"tax_due": "1000"}), "assess")
	approved := w.approvedOfA("100")

	type who struct {
		name  string
		token string
	}
	people := []who{{"admin", w.admin}, {"tax_officer", w.tax}, {"auditor", w.aud}, {"own accountant", w.accA},
		{"other accountant", w.accB}, {"education_officer", w.edu}, {"secretariat", w.sec}}
	// want gives each person's status, in the order of people.
	endpoints := []struct {
		name   string
		method string
		path   string
		body   any
		want   [7]int
	}{
		{"statement", "GET", path, nil, [7]int{200, 200, 200, 200, 404, 403, 403}},
		{"assessments", "GET", path + "/assessments", nil, [7]int{200, 200, 200, 200, 404, 403, 403}},
		{"tax year", "PUT", path, map[string]any{"tax_due": "1000"}, [7]int{403, 200, 403, 403, 403, 403, 403}},
		{"offset run", "POST", path + "/offset", nil, [7]int{403, 200, 403, 403, 403, 403, 403}},
		{"policy write", "PUT", "/api/v1/policies/1404", creditPolicy, [7]int{200, 200, 403, 403, 403, 403, 403}},
		{"policy read", "GET", "/api/v1/policies/1404", nil, [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"policy list", "GET", "/api/v1/policies", nil, [7]int{200, 200, 200, 200, 200, 200, 200}},
		{"reverse", "POST", fmt.Sprintf("/api/v1/expenditures/%d/reverse", approved), map[string]any{"reason": "آزمون دسترسی"},
			[7]int{403, 200, 403, 403, 403, 403, 403}},
	}
	for _, ep := range endpoints {
		for i, p := range people {
			t.Run(ep.name+" by "+p.name, func(t *testing.T) {
				r := w.do(ep.method, ep.path, p.token, ep.body)
				if r.status != ep.want[i] {
					t.Fatalf("%s %s: %d, want %d: %s", ep.method, ep.path, r.status, ep.want[i], r.body)
				}
				if r.status >= 400 && r.problemCode() == "" {
					t.Fatalf("not a problem document: %s", r.body)
				}
				if r.status == 404 || r.status == 403 {
					// Nothing of the figures leaks in a refusal.
					if m := r.json(); m["tax_due"] != nil || m["offset_amount"] != nil {
						t.Fatalf("figures in a refusal: %s", r.body)
					}
				}
			})
		}
	}
	t.Run("without a token", func(t *testing.T) {
		for _, ep := range endpoints {
			if r := w.do(ep.method, ep.path, "", ep.body); r.status != 401 {
				t.Errorf("%s: %d", ep.name, r.status)
			}
		}
	})
	t.Run("another unit's accountant cannot tell a unit from no unit", func(t *testing.T) {
		a := w.do("GET", path, w.accB, nil)
		b := w.do("GET", taxYearPath(999999, 1404), w.accB, nil)
		if a.status != 404 || b.status != 404 || a.problemCode() != b.problemCode() {
			t.Fatalf("%d %s / %d %s", a.status, a.body, b.status, b.body)
		}
	})
}
