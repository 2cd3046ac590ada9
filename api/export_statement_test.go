package api

import (
	"fmt"
	"runtime"
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

// TestExportStatementFromTheStore: a statement's file is written from the
// store's rows, one query read row by row, not from the statement's JSON
// encoded and decoded again. What tells them apart without timing
// anything is the allocations a row takes: through the JSON, the whole
// statement was worked out (the year's books, what a run would do), each
// allocation encoded with its Jalali day and decoded again into a map;
// from the store, an allocation is scanned and its cells written. The rows
// are counted as the difference between two units' files, of 40 and of 5
// allocations, so that what a file costs whatever its length (the
// workbook's start, the statement's books) does not count. Every cell is
// checked against the JSON by TestExportStatementAsItsJSON.
func TestExportStatementFromTheStore(t *testing.T) {
	const many, few = 40, 5
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	for i := range many {
		w.approvedOfAWith(w.accA, w.pledgeA, "1000000", "spent_on", fmt.Sprintf("2025-09-%02d", 1+i%28), "vendor_name", fmt.Sprintf("فروشنده %d", i))
	}
	for range few {
		w.approved(w.accB, w.pledgeB, "1000000")
	}
	w.assess(w.unitA.ID, "100000000")
	w.assess(w.unitB.ID, "100000000")
	w.runOffset(w.unitA.ID)
	w.runOffset(w.unitB.ID)
	for _, format := range []string{"csv", "xlsx"} {
		allocs := func(unit int64, rows int) uint64 {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			r := w.do("GET", fmt.Sprintf("/api/v1/units/%d/tax-years/1404?format=%s", unit, format), w.tax, nil)
			runtime.ReadMemStats(&after)
			if r.status != 200 || r.header.Get("X-Export-Rows") != fmt.Sprint(rows) {
				t.Fatalf("unit %d as %s: %d, %s rows", unit, format, r.status, r.header.Get("X-Export-Rows"))
			}
			return after.Mallocs - before.Mallocs
		}
		perRow := (float64(allocs(w.unitA.ID, many)) - float64(allocs(w.unitB.ID, few))) / (many - few)
		t.Logf("statement as %s: %.0f allocations a row", format, perRow)
		// Measured (with -race): 32 (CSV) and 92 (XLSX) from the store; 87
		// and 144 through the JSON. Only the CSV's gap is wide enough for a
		// bound that stays clear of both; the XLSX's is logged.
		const bound = 60
		if format == "csv" && perRow > bound {
			t.Errorf("statement as %s: %.0f allocations a row, more than %.0f: the rows do not come straight from the store", format, perRow, float64(bound))
		}
	}
}
