package api

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// TestExportRowsFromTheStore: a long list's file is written from the
// store's rows, one query read row by row, not from the list's JSON pages
// encoded and decoded again. The cost that tells them apart without timing
// anything is the allocations a row takes: through the JSON, every field
// of every item is encoded, then decoded into a map of its own, and nested
// objects decoded again (well over 100 allocations a row); from the store,
// a row is scanned once and its cells written. Every cell's content is
// checked against the JSON list by the other export tests.
func TestExportRowsFromTheStore(t *testing.T) {
	const n = 3000 // three pages of the old export's 1,000
	w := newWorld(t)
	w.mustSubmit(w.accA, expenditure(w.pledgeA, "1500000.50", "vendor_name", "مصالح ساختمانی نور و شرکا"))
	ctx := context.Background()
	var cols []string
	if err := w.db.SelectContext(ctx, &cols, `SELECT column_name FROM information_schema.columns
		WHERE table_name = 'expenditures' AND column_name NOT IN ('id', 'invoice_no', 'invoice_key', 'amount') AND is_generated = 'NEVER' ORDER BY ordinal_position`); err != nil {
		t.Fatal(err)
	}
	list := strings.Join(cols, ", ")
	if _, err := w.db.ExecContext(ctx, `INSERT INTO expenditures (`+list+`, invoice_no, invoice_key, amount)
		SELECT `+list+`, 'B-' || g, 'b-' || g, 1000000 + g * 37.25 FROM expenditures, generate_series(1, $1) g`, n-1); err != nil {
		t.Fatal(err)
	}
	// Every copy is submitted: the review queue holds them all too.
	for _, c := range []struct{ path, format string }{
		{"/api/v1/expenditures", "csv"}, {"/api/v1/expenditures", "xlsx"}, {"/api/v1/reviews/queue", "csv"}, {"/api/v1/reviews/queue", "xlsx"},
	} {
		format := c.format
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		r := w.do("GET", c.path+"?format="+format, w.tax, nil)
		runtime.ReadMemStats(&after)
		if r.status != 200 || r.header.Get("X-Export-Rows") != fmt.Sprint(n) {
			t.Fatalf("%s as %s: %d, %s rows", c.path, format, r.status, r.header.Get("X-Export-Rows"))
		}
		perRow := float64(after.Mallocs-before.Mallocs) / n
		t.Logf("%s as %s: %.0f allocations a row", c.path, format, perRow)
		// Measured (with -race): 70 to 85 (CSV) and 180 to 210 (XLSX:
		// excelize takes about four a cell) from the store; 250 to 350
		// and 355 to 475 through the JSON pages.
		bound := map[string]float64{"csv": 160, "xlsx": 280}[format]
		if perRow > bound {
			t.Errorf("%s as %s: %.0f allocations a row, more than %.0f: the rows do not come straight from the store", c.path, format, perRow, bound)
		}
	}
}

// TestStreamedListsHaveEveryCell: every column of a list read from its
// store says how its cell is made (a column without would stop the file
// with a panic), and the lists meant to be read so are.
func TestStreamedListsHaveEveryCell(t *testing.T) {
	lists := map[string]exportList{"expenditures": expenditureList, "review queue": reviewQueueList,
		"pledges": pledgeList, "schools": schoolList, "resolutions": resolutionList, "cases": caseList,
		"certificates": certificateList, "statement": statementList}
	for _, f := range figureLists {
		c, _ := gin.CreateTestContext(httptest.NewRecorder())
		c.Request = httptest.NewRequest("GET", "/?year=1404&figure="+f.prefix+"total", nil)
		lists["figure "+f.prefix] = figureRowsList(publicViewer)(c)
	}
	for name, l := range lists {
		if l.stream == nil {
			t.Errorf("%s: written from its JSON pages", name)
		}
		for _, c := range l.columns {
			if c.get == nil {
				t.Errorf("%s: column %s has no cell", name, c.EN)
			}
		}
	}
}
