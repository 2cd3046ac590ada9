package api

import (
	"fmt"
	"testing"
)

// statementWorld is a world whose two units have run their 1404 offsets
// on approved expenditures of several days (some on the same day, whose
// order is then the expenditure's), one of A's vendors reading as a
// formula and one amount with cents; A's tax uses part of its last
// expenditure only.
func statementWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	for i, c := range []struct{ amount, day, vendor string }{
		{"1200000", "2025-09-03", "مصالح ساختمانی البرز"},
		{"850000.25", "2025-08-01", "=HYPERLINK(\"http://evil.example\",\"x\")"},
		{"400000", "2025-09-03", "+98 تجهیزات"},
		{"999999", "2025-10-20", "آهن‌آلات قزوین"},
	} {
		w.approvedOfAWith(w.accA, w.pledgeA, c.amount, "spent_on", c.day, "vendor_name", c.vendor, "invoice_no", fmt.Sprintf("ST-%d", i))
	}
	w.approved(w.accB, w.pledgeB, "4000000")
	w.assess(w.unitA.ID, "3000000")
	w.assess(w.unitB.ID, "3000000.5")
	w.runOffset(w.unitA.ID)
	w.runOffset(w.unitB.ID)
	return w
}

// approvedOfAWith submits an expenditure of the fields given against
// pledge, with evidence, and approves it in full.
func (w *world) approvedOfAWith(accountant string, pledge int64, amount string, fields ...any) int64 {
	w.t.Helper()
	id := w.evidenceBy(accountant, w.mustSubmit(accountant, expenditure(pledge, amount, fields...)))
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", id), w.tax, map[string]any{"decision": "approve"}); r.status != 200 {
		w.t.Fatalf("approve %d: %d %s", id, r.status, r.body)
	}
	return id
}

// TestExportStatementAsItsJSON: a unit-year's statement as a file, for
// every role that reads it, is byte for byte the file its JSON's
// allocations make, and holds every cell of them.
func TestExportStatementAsItsJSON(t *testing.T) {
	w := statementWorld(t)
	a := fmt.Sprintf("/api/v1/units/%d/tax-years/1404", w.unitA.ID)
	b := fmt.Sprintf("/api/v1/units/%d/tax-years/1404", w.unitB.ID)
	for _, c := range []struct{ name, path, token string }{
		{"tax_office", a, w.tax}, {"auditor", a, w.aud}, {"admin", b, w.admin}, {"accountant_a", a, w.accA}, {"accountant_b", b, w.accB},
	} {
		t.Run(c.name, func(t *testing.T) {
			w.samePagesFile(t, c.path, c.token, statementList, true)
			w.checkExport(t, c.path, c.token, statementList, true)
		})
	}
}

// TestExportStatementScope: an accountant gets no file of another unit's
// statement, the roles that never see tax figures none at all, and a year
// without a recorded tax is not found, as the JSON answers.
func TestExportStatementScope(t *testing.T) {
	w := statementWorld(t)
	b := fmt.Sprintf("/api/v1/units/%d/tax-years/1404", w.unitB.ID)
	for _, c := range []struct {
		name, path, token string
		status            int
	}{
		{"other_unit", b, w.accA, 404},
		{"education", b, w.edu, 403},
		{"secretariat", b, w.sec, 403},
		{"no_tax_recorded", fmt.Sprintf("/api/v1/units/%d/tax-years/1403", w.unitB.ID), w.tax, 404},
		{"no_unit", "/api/v1/units/999999/tax-years/1404", w.tax, 404},
	} {
		for _, format := range []string{"csv", "xlsx"} {
			r := w.do("GET", c.path+"?format="+format, c.token, nil)
			if r.status != c.status {
				t.Errorf("%s as %s: %d, want %d: %s", c.name, format, r.status, c.status, abbreviate(r.body))
			}
			if json := w.do("GET", c.path, c.token, nil); json.status != c.status {
				t.Errorf("%s as JSON: %d, want %d", c.name, json.status, c.status)
			}
		}
	}
}
