package export

import (
	"archive/zip"
	"compress/flate"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/xuri/excelize/v2"
)

// maxExactDigits is how many significant digits a spreadsheet keeps of a
// number (an IEEE double, shown to 15 digits): an amount with more is
// written as text, so that it never reads back as another amount.
const maxExactDigits = 15

// xlsxWriter streams rows into one sheet.
type xlsxWriter struct {
	t    Table
	out  io.Writer
	file *excelize.File
	sw   *excelize.StreamWriter
	// next is the row number the next row takes (1 is the header).
	next int
	// styles of the cells that need one.
	whole, cents, date int
	cells              []any
	days               dayTexts
}

// NewXLSX starts an XLSX workbook of one right-to-left sheet with t's
// Persian headers (bold, frozen) on w. The rows are kept in excelize's
// stream (spilled to a temporary file past its buffer) and the workbook is
// written to w by Close.
func NewXLSX(w io.Writer, t Table) (Writer, error) {
	f := excelize.NewFile()
	f.SetZipWriter(fastZip)
	x := &xlsxWriter{t: t, out: w, file: f, next: 2, days: dayTexts{}}
	fail := func(err error) (Writer, error) {
		f.Close()
		return nil, fmt.Errorf("export: start the workbook: %w", err)
	}
	sheet := sheetName(t.Sheet)
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return fail(err)
	}
	rtl := true
	if err := f.SetSheetView(sheet, -1, &excelize.ViewOptions{RightToLeft: &rtl}); err != nil {
		return fail(err)
	}
	var err error
	if x.whole, err = f.NewStyle(&excelize.Style{NumFmt: 3}); err != nil { // #,##0
		return fail(err)
	}
	if x.cents, err = f.NewStyle(&excelize.Style{NumFmt: 4}); err != nil { // #,##0.00
		return fail(err)
	}
	format := "yyyy-mm-dd"
	if x.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &format}); err != nil {
		return fail(err)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fail(err)
	}
	if x.sw, err = f.NewStreamWriter(sheet); err != nil {
		return fail(err)
	}
	headers := t.Headers(false)
	col := 1
	for _, c := range t.Columns {
		width := c.Width
		if width == 0 {
			width = defaultWidth(c)
		}
		if err := x.sw.SetColWidth(col, col, width); err != nil {
			return fail(err)
		}
		col++
		if c.Kind == Date {
			// The Gregorian twin: wide enough for its date and its header.
			twin := max(14, float64(utf8.RuneCountInString(c.FA+gregorianFA))+2)
			if err := x.sw.SetColWidth(col, col, twin); err != nil {
				return fail(err)
			}
			col++
		}
	}
	if err := x.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	row := make([]any, len(headers))
	for i, h := range headers {
		row[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	if err := x.sw.SetRow("A1", row); err != nil {
		return fail(err)
	}
	x.cells = make([]any, 0, len(headers))
	return x, nil
}

func (x *xlsxWriter) Write(row []any) error {
	if err := x.t.check(row); err != nil {
		return err
	}
	x.cells = x.cells[:0]
	for i, v := range row {
		switch v := v.(type) {
		case nil:
			x.cells = append(x.cells, nil)
			if x.t.Columns[i].Kind == Date {
				x.cells = append(x.cells, nil)
			}
		case string, int, int64:
			x.cells = append(x.cells, v)
		case decimal.Decimal:
			x.cells = append(x.cells, x.amount(v))
		case taahod.Date:
			x.cells = append(x.cells, x.days.of(v).jalali, excelize.Cell{StyleID: x.date, Value: v.Time().UTC()})
		case time.Time:
			x.cells = append(x.cells, taahod.JalaliTime(v))
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, x.next)
	if err != nil {
		return err
	}
	x.next++
	return x.sw.SetRow(cell, x.cells)
}

// fastZip is the workbook's zip writer: deflate at its fastest level
// rather than archive/zip's default. Compressing the sheet is most of what
// Close costs for a long list (about a third of a 100,000-row file's time
// at the default level); the fastest level makes the file somewhat larger
// and takes a fraction of the time. The content is the same either way.
func fastZip(w io.Writer) excelize.ZipWriter {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	return zw
}

// amount is an amount's cell: a number with a thousands format when the
// number is the amount exactly, and the amount's exact text otherwise.
func (x *xlsxWriter) amount(d decimal.Decimal) any {
	if n, ok := exactNumber(d); ok {
		style := x.whole
		if d.Exponent() < 0 && !d.Equal(d.Truncate(0)) {
			style = x.cents
		}
		return excelize.Cell{StyleID: style, Value: n}
	}
	return taahod.FormatAmount(d)
}

// exactNumber is d as a spreadsheet number (an IEEE double, which is what
// an XLSX number is), and whether that number is d exactly: at most 15
// significant digits, and the double's shortest decimal form is d. This is
// the one place an amount becomes a float, because the file format has no
// other number; anything that would not come back as the same amount stays
// text.
//
// The digits are counted in the amount's canonical form (taahod.FormatAmount:
// no trailing fractional zeros), so that an amount read from a NUMERIC
// column ("1500.50") and the same amount read from the API's JSON ("1500.5")
// make the same cell.
func exactNumber(d decimal.Decimal) (float64, bool) {
	if significantDigits(d) > maxExactDigits {
		return 0, false
	}
	n, _ := d.Float64()
	return n, decimal.NewFromFloat(n).Equal(d)
}

// signAndPoint drops an amount's sign and decimal point, leaving its digits.
var signAndPoint = strings.NewReplacer("-", "", ".", "")

// significantDigits is how many digits d's coefficient has in the
// amount's canonical form (FormatAmount's text, as decimal.NewFromString
// reads it back): 1500.50 has 5, 100 has 3, 0.05 has 1.
func significantDigits(d decimal.Decimal) int {
	s := strings.TrimLeft(signAndPoint.Replace(taahod.FormatAmount(d)), "0")
	return max(len(s), 1)
}

func (x *xlsxWriter) Close() error {
	defer x.file.Close()
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("export: finish the sheet: %w", err)
	}
	if _, err := x.file.WriteTo(x.out); err != nil {
		return fmt.Errorf("export: write the workbook: %w", err)
	}
	return nil
}

// Abort drops the workbook without writing it, and excelize's stream with
// it (a temporary file once the rows pass its buffer).
func (x *xlsxWriter) Abort() { _ = x.file.Close() }

// defaultWidth fits a column's kind, or its header when that is wider.
func defaultWidth(c Column) float64 {
	w := map[Kind]float64{Text: 24, Identifier: 16, Integer: 10, Amount: 20, Date: 12, Time: 18}[c.Kind]
	if h := float64(utf8.RuneCountInString(c.FA)) + 2; h > w {
		w = h
	}
	return w
}

// sheetName is name as a sheet may be named: at most 31 characters, none
// of []:*?/\.
func sheetName(name string) string {
	out := make([]rune, 0, 31)
	for _, r := range name {
		switch r {
		case '[', ']', ':', '*', '?', '/', '\\':
			r = ' '
		}
		if len(out) == 31 {
			break
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return "Sheet1"
	}
	return string(out)
}
