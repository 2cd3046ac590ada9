package export_test

import (
	"bytes"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/export"
	"github.com/xuri/excelize/v2"
)

// TestXLSXScannedAmounts: an amount read from a NUMERIC column keeps the
// column's trailing zeros (1500000.50, 12345678901234.50), and makes the
// same cell as the same amount read from the API's JSON (1500000.5,
// 12345678901234.5): a number when its canonical form has at most 15
// digits, whatever zeros the column added.
func TestXLSXScannedAmounts(t *testing.T) {
	table := export.Table{Sheet: "x", Columns: []export.Column{{FA: "مبلغ", EN: "amount", Kind: export.Amount}}}
	amounts := []struct {
		scanned decimal.Decimal
		want    string
		number  bool
	}{
		{decimal.New(150000050, -2), "1500000.5", true},
		{decimal.New(1234567890123450, -2), "12345678901234.5", true},
		{decimal.New(100, -2), "1", true},
		{decimal.New(12345678901234567, -2), "123456789012345.67", false},
	}
	var buf bytes.Buffer
	w, err := export.NewXLSX(&buf, table)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range amounts {
		if err := w.Write([]any{a.scanned}); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, a := range amounts {
		ref, _ := excelize.CoordinatesToCellName(1, i+2)
		raw, _ := f.GetCellValue("x", ref, excelize.Options{RawCellValue: true})
		typ, _ := f.GetCellType("x", ref)
		number := typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset
		if raw != a.want || number != a.number {
			t.Errorf("%s (%s): %q number %v, want %q number %v", ref, taahod.FormatAmount(a.scanned), raw, number, a.want, a.number)
		}
	}
}
