package api

import (
	"fmt"
	"testing"
)

// The offset preview: GET …/offset-preview posts nothing and shows what the
// run posts; POST …/offset?fingerprint= runs exactly that, or nothing.
func TestOffsetPreviewAPI(t *testing.T) {
	w := newWorld(t)
	path := taxYearPath(w.unitA.ID, 1404)
	w.mustOK(w.do("PUT", "/api/v1/policies/1404", w.tax, deductionPolicy), "policy")
	first := w.approvedOfA("4000000")
	w.approvedOfA("2000000", "spent_on", "2025-10-02")
	w.mustOK(w.do("PUT", path, w.tax, map[string]any{"tax_due": "1000000"}), "assess")

	if r := w.do("GET", path+"/offset-preview", w.accA, nil); r.status != 403 {
		t.Errorf("the accountant previews: %d", r.status)
	}
	transactions := w.count("ledger_transactions")
	pv := w.mustOK(w.do("GET", path+"/offset-preview", w.tax, nil), "preview")
	if w.count("ledger_transactions") != transactions {
		t.Fatal("the preview posted")
	}
	after, before := pv["after"].(map[string]any), pv["before"].(map[string]any)
	allocs := pv["allocations"].([]any)
	if pv["offset_increase"] != "1000000" || pv["used_increase"] != "4000000" || after["offset_amount"] != "1000000" ||
		before["offset_amount"] != "0" || len(allocs) != 1 || fmt.Sprint(allocs[0].(map[string]any)["expenditure_id"]) != fmt.Sprint(first) {
		t.Fatalf("preview: %v", pv)
	}
	fingerprint := pv["fingerprint"].(string)

	// The books change: the preview is stale, and the run refused.
	w.mustOK(w.do("PUT", path, w.tax, map[string]any{"tax_due": "800000"}), "lower the tax")
	transactions = w.count("ledger_transactions")
	if r := w.do("POST", path+"/offset?fingerprint="+fingerprint, w.tax, nil); r.status != 409 || r.problemCode() != "offset_preview_stale" {
		t.Fatalf("stale: %d %s", r.status, r.body)
	}
	if w.count("ledger_transactions") != transactions {
		t.Fatal("a stale confirm posted")
	}
	pv = w.mustOK(w.do("GET", path+"/offset-preview", w.tax, nil), "preview again")
	st := w.mustOK(w.do("POST", path+"/offset?fingerprint="+pv["fingerprint"].(string), w.tax, nil), "confirm")
	if st["run_at"] == nil {
		t.Fatalf("the run is not stamped: %v", st)
	}
	// The same figures; only the moment of the run is its own.
	want := pv["after"].(map[string]any)
	for _, m := range []map[string]any{st, want} {
		delete(m, "run_at")
		delete(m, "run_at_jalali")
	}
	if fmt.Sprint(st) != fmt.Sprint(want) {
		t.Errorf("the run's statement is not the previewed one:\n%v\n%v", st, want)
	}
}
