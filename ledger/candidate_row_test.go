package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/taahod/taahod/ledger"
)

// A run that reads all its candidates reads each as one packed text
// (candidateRowColumn): what its statement shows of each expenditure must
// be what the expenditure holds, whatever characters its texts have, and
// the same as the statement read afterwards, by other SQL, shows.
func TestRunReadsPackedCandidatesExactly(t *testing.T) {
	b := newBooks(t, 1)
	ctx := context.Background()
	u := b.units[0]
	// The run reads one candidate with the sums; it uses more, so it reads
	// them all.
	ledger.SetRunReadsOldest(b.store, 1)
	b.policy(1404, creditFull)
	texts := []struct{ invoice, vendor string }{
		{"A,1", "فروشگاه، مصالح,پارس"},           // commas, Persian and Latin
		{`"B"\2`, `شرکت "نیک‌سازان" \ ساختمانی`}, // quotes, backslashes, a ZWNJ
		{"۳۴۵,۶", "مصالح 🧱 ساختمانی, ۱۲"},        // Persian digits, a four-byte character
		{"D-4", "(1,2,3)"},            // a vendor that reads like a record
		{"5", "1,2,3,4,5,6,7,8,9,10"}, // one that reads like the numbers
		{"فاکتور-۶", "a"},             // a one-byte vendor after a multibyte invoice
		{"7,", ","},                   // texts that end in the separator
		{"8", "فروشنده\u200cای با نیم‌فاصله‌ها"}, // ZWNJ again
	}
	dates := []string{"2025-03-21", "2026-03-20", "2025-09-22", "2025-03-21", "2025-12-31", "2026-01-01", "2025-06-15", "2025-06-15"}
	ids := make([]int64, len(texts))
	for i, x := range texts {
		on := dates[i]
		e, err := b.store.SubmitExpenditure(ctx, b.accts[u], ledger.NewExpenditure{
			PledgeID: b.pledges[u], Amount: json.RawMessage(`"1000.50"`), SpentOn: &on,
			InvoiceNo: x.invoice, VendorName: x.vendor, Category: ledger.CategoryConstruction})
		if err != nil {
			t.Fatalf("submit %q: %v", x.invoice, err)
		}
		if _, _, err := b.store.AddExpenditureDocument(ctx, b.accts[u], e.ID, ledger.NewDocument{
			Name: fmt.Sprintf("f%d.pdf", i), Content: []byte(fmt.Sprintf("%%PDF-1.4 %d", i))}); err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			b.approve(e.ID, "")
		} else {
			b.approve(e.ID, "999.75") // a balance with cents
		}
		ids[i] = e.ID
	}
	b.mustAssess(u, 1404, "1000000", "")

	st, err := b.store.RunOffset(ctx, b.tax, u, 1404)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Allocations) != len(texts) {
		t.Fatalf("the run used %d expenditures, want %d", len(st.Allocations), len(texts))
	}
	for _, a := range st.Allocations {
		e, err := b.store.FindExpenditure(ctx, b.tax, a.ExpenditureID)
		if err != nil {
			t.Fatal(err)
		}
		want := e.ApprovedAmount.Decimal
		if a.InvoiceNo != e.InvoiceNo || a.VendorName != e.VendorName || a.Category != e.Category ||
			a.SpentOn != e.SpentOn || a.FiscalYear != e.FiscalYear || a.SchoolID != e.SchoolID || !a.Amount.Equal(want) {
			t.Errorf("the run shows expenditure %d as %+v; it holds invoice %q, vendor %q, category %q, spent on %s (%d), school %d, approved %s",
				a.ExpenditureID, a, e.InvoiceNo, e.VendorName, e.Category, e.SpentOn, e.FiscalYear, e.SchoolID, want)
		}
		if a.SchoolName != "دبستان شهید رجایی" {
			t.Errorf("expenditure %d: school %q", a.ExpenditureID, a.SchoolName)
		}
	}
	again, err := b.store.Statement(ctx, b.tax, u, 1404)
	if err != nil {
		t.Fatal(err)
	}
	for i := range again.Allocations {
		if got, want := st.Allocations[i], again.Allocations[i]; fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Errorf("allocation %d: the run shows %+v, the statement read afterwards %+v", i, got, want)
		}
	}
}
