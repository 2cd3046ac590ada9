package export_test

import (
	"bytes"
	"encoding/csv"
	"mime"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/export"
	"github.com/xuri/excelize/v2"
)

var expenditures = export.Table{Sheet: "هزینه‌ها", Columns: []export.Column{
	{FA: "شناسه", EN: "id", Kind: export.Integer},
	{FA: "شماره فاکتور", EN: "invoice_no", Kind: export.Identifier},
	{FA: "فروشنده", EN: "vendor_name", Kind: export.Text},
	{FA: "مبلغ", EN: "amount", Kind: export.Amount},
	{FA: "تاریخ هزینه", EN: "spent_on", Kind: export.Date},
	{FA: "زمان ارسال", EN: "submitted_at", Kind: export.Time},
}}

// rows have the cases that matter: a plain amount, one with cents, an
// 18-digit one with cents (more than a spreadsheet number holds), a
// formula-like vendor, an all-digit invoice with a leading zero, an empty
// cell.
func rows() [][]any {
	at := time.Date(2025, 11, 26, 6, 30, 0, 0, time.UTC) // 10:00 in Tehran
	return [][]any{
		{int64(1), "INV-1", "مصالح ساختمانی نور", decimal.RequireFromString("1250000"), taahod.MustParseDate("2025-11-26"), at},
		{int64(2), "0012", "=HYPERLINK(\"http://x\")", decimal.RequireFromString("1500.5"), taahod.MustParseDate("2025-03-21"), at},
		{int64(3), "INV-3", "-2+3", decimal.RequireFromString("123456789012345678.25"), nil, nil},
		{int64(4), "INV-4", "@SUM(A1)", decimal.RequireFromString("999999999999999"), taahod.MustParseDate("2026-03-20"), at},
	}
}

func TestCSV(t *testing.T) {
	for _, english := range []bool{false, true} {
		var buf bytes.Buffer
		w, err := export.NewCSV(&buf, expenditures, english)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows() {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		raw := buf.String()
		if !strings.HasPrefix(raw, "\ufeff") {
			t.Fatal("no byte order mark")
		}
		if strings.Count(raw, "\r\n") != 5 || strings.Count(raw, "\n") != 5 {
			t.Errorf("lines do not end in CRLF: %q", raw)
		}
		got, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(raw, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		header := []string{"شناسه", "شماره فاکتور", "فروشنده", "مبلغ", "تاریخ هزینه", "تاریخ هزینه (میلادی)", "زمان ارسال"}
		if english {
			header = []string{"id", "invoice_no", "vendor_name", "amount", "spent_on", "spent_on (Gregorian)", "submitted_at"}
		}
		want := [][]string{header,
			{"1", "INV-1", "مصالح ساختمانی نور", "1250000", "1404/09/05", "2025-11-26", "1404/09/05 10:00:00"},
			{"2", "0012", "'=HYPERLINK(\"http://x\")", "1500.5", "1404/01/01", "2025-03-21", "1404/09/05 10:00:00"},
			{"3", "INV-3", "'-2+3", "123456789012345678.25", "", "", ""},
			{"4", "INV-4", "'@SUM(A1)", "999999999999999", "1404/12/29", "2026-03-20", "1404/09/05 10:00:00"},
		}
		if len(got) != len(want) {
			t.Fatalf("%d records, want %d", len(got), len(want))
		}
		for i := range want {
			if strings.Join(got[i], "|") != strings.Join(want[i], "|") {
				t.Errorf("record %d:\n got %q\nwant %q", i, got[i], want[i])
			}
		}
	}
}

func TestXLSX(t *testing.T) {
	var buf bytes.Buffer
	w, err := export.NewXLSX(&buf, expenditures)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows() {
		if err := w.Write(r); err != nil {
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
	sheet := "هزینه‌ها"
	if f.GetSheetName(0) != sheet {
		t.Fatalf("sheet %q", f.GetSheetName(0))
	}
	view, err := f.GetSheetView(sheet, -1)
	if err != nil || view.RightToLeft == nil || !*view.RightToLeft {
		t.Errorf("the sheet is not right to left: %+v %v", view, err)
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("the header row is not frozen: %+v %v", panes, err)
	}
	cell := func(ref string) string {
		t.Helper()
		v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	typ := func(ref string) excelize.CellType {
		t.Helper()
		ct, err := f.GetCellType(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		return ct
	}
	for ref, want := range map[string]string{
		"A1": "شناسه", "D1": "مبلغ", "F1": "تاریخ هزینه (میلادی)",
		"B3": "0012", "C3": "=HYPERLINK(\"http://x\")", "E2": "1404/09/05",
		"D2": "1250000", "D3": "1500.5", "D5": "999999999999999",
		// 18 digits with cents: text, exactly the amount.
		"D4": "123456789012345678.25",
	} {
		if got := cell(ref); got != want {
			t.Errorf("%s = %q, want %q", ref, got, want)
		}
	}
	// Amounts a number holds exactly are numbers; the 18-digit one is text.
	for ref, want := range map[string]excelize.CellType{"D2": excelize.CellTypeNumber, "D3": excelize.CellTypeNumber,
		"D4": excelize.CellTypeInlineString, "B3": excelize.CellTypeInlineString, "C3": excelize.CellTypeInlineString} {
		got := typ(ref)
		// A number cell may carry no type at all: number is the default.
		same := got == want || want == excelize.CellTypeInlineString && got == excelize.CellTypeSharedString ||
			want == excelize.CellTypeNumber && got == excelize.CellTypeUnset
		if !same {
			t.Errorf("%s is of type %v, want %v", ref, got, want)
		}
	}
	// The formula-like text is a string, not a formula.
	if formula, _ := f.GetCellFormula(sheet, "C3"); formula != "" {
		t.Errorf("C3 holds a formula: %q", formula)
	}
	// Amounts read back exactly, through the shown (formatted) value too.
	for ref, want := range map[string]string{"D2": "1,250,000", "D3": "1,500.50", "D5": "999,999,999,999,999", "D4": "123456789012345678.25"} {
		got, err := f.GetCellValue(sheet, ref)
		if err != nil || got != want {
			t.Errorf("%s shows %q, want %q (%v)", ref, got, want, err)
		}
	}
	// The Gregorian column is a date.
	if got, _ := f.GetCellValue(sheet, "F2"); got != "2025-11-26" {
		t.Errorf("F2 shows %q", got)
	}
}

func TestWrongRow(t *testing.T) {
	var buf bytes.Buffer
	w, err := export.NewCSV(&buf, expenditures, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]any{int64(1)}); err == nil {
		t.Error("a short row was written")
	}
	if err := w.Write([]any{int64(1), "x", "y", "1500", nil, nil}); err == nil {
		t.Error("an amount as a string was written")
	}
}

func TestDisposition(t *testing.T) {
	d := export.Disposition("صف بررسی", "review-queue", taahod.MustParseDate("2026-12-06"), export.XLSX)
	kind, params, err := mime.ParseMediaType(d)
	if err != nil || kind != "attachment" {
		t.Fatalf("%q: %v", d, err)
	}
	// Go's parser decodes filename* into filename.
	if params["filename"] != "صف-بررسی-۱۴۰۵-۰۹-۱۵.xlsx" {
		t.Errorf("filename %q in %q", params["filename"], d)
	}
	if !strings.Contains(d, `filename=review-queue-1405-09-15.xlsx`) {
		t.Errorf("no ASCII filename in %q", d)
	}
	if _, err := url.PathUnescape(strings.SplitN(d, "''", 2)[1]); err != nil {
		t.Error(err)
	}
	if export.XLSX.ContentType() != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || !strings.HasPrefix(export.CSV.ContentType(), "text/csv") {
		t.Error("content types")
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+98": "'+98", "-5": "'-5", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx",
		"نور": "نور", "a=b": "a=b", "": ""} {
		if got := export.Neutralise(in); got != want {
			t.Errorf("Neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}
