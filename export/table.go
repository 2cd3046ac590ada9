// Package export writes the lists people work from as files they open in a
// spreadsheet: CSV (UTF-8 with a byte order mark, CRLF, RFC 4180 quoting,
// Persian or English headers, cells that a spreadsheet would run as a
// formula neutralised) and XLSX (github.com/xuri/excelize/v2's streaming
// writer: a right-to-left sheet, Persian headers, a frozen header row,
// amounts as numbers only where the number is the amount exactly).
//
// A list is described once, as a Table of Columns, and its rows are written
// one at a time, so that a long list never sits whole in memory.
package export

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// Kind is what a column holds, which decides how each format writes it.
type Kind int

const (
	// Text is free text (a name, a description, a status word).
	Text Kind = iota
	// Identifier is a code kept as text even when it is all digits (a
	// national id, an invoice number, a serial): a spreadsheet must not
	// drop its leading zeros or write it as 1.2E+10.
	Identifier
	// Integer is a whole count or an id (int, int64).
	Integer
	// Amount is an amount of Rials (decimal.Decimal): exact, always.
	Amount
	// Date is a day (taahod.Date): the Jalali date as text, and beside it
	// the Gregorian date in a column of its own (see Table.Headers).
	Date
	// Time is an instant (time.Time): Jalali date and time in Tehran.
	Time
)

// Column is one column of a list.
type Column struct {
	// FA and EN are the header in Persian and in English.
	FA, EN string
	Kind   Kind
	// Width is the column's width in characters in XLSX; 0 chooses one
	// from the kind and the header.
	Width float64
}

// Table is a list's columns, in order.
type Table struct {
	// Sheet names the XLSX sheet (at most 31 characters).
	Sheet   string
	Columns []Column
}

// gregorianFA and gregorianEN end the header of the Gregorian column a
// Date column adds.
const (
	gregorianFA = " (میلادی)"
	gregorianEN = " (Gregorian)"
)

// Headers are the header row: each column's header in Persian (english
// false) or English, a Date column followed by its Gregorian twin.
func (t Table) Headers(english bool) []string {
	var out []string
	for _, c := range t.Columns {
		h := c.FA
		if english {
			h = c.EN
		}
		out = append(out, h)
		if c.Kind == Date {
			if english {
				out = append(out, c.EN+gregorianEN)
			} else {
				out = append(out, c.FA+gregorianFA)
			}
		}
	}
	return out
}

// check tells whether row fits the table: one value per column, each of
// the column's kind (or nil, an empty cell).
func (t Table) check(row []any) error {
	if len(row) != len(t.Columns) {
		return fmt.Errorf("export: a row of %d values for %d columns", len(row), len(t.Columns))
	}
	for i, v := range row {
		if v == nil {
			continue
		}
		ok := false
		switch t.Columns[i].Kind {
		case Text, Identifier:
			_, ok = v.(string)
		case Integer:
			switch v.(type) {
			case int, int64:
				ok = true
			}
		case Amount:
			_, ok = v.(decimal.Decimal)
		case Date:
			_, ok = v.(taahod.Date)
		case Time:
			_, ok = v.(time.Time)
		}
		if !ok {
			return fmt.Errorf("export: column %q holds %T", t.Columns[i].EN, v)
		}
	}
	return nil
}

// Writer writes a list's rows, one at a time, after its header row.
type Writer interface {
	// Write adds one row: a value per column, of the column's kind (string
	// for Text and Identifier, int or int64 for Integer, decimal.Decimal for
	// Amount, taahod.Date for Date, time.Time for Time) or nil.
	Write(row []any) error
	// Close finishes the file. Nothing is complete before it.
	Close() error
	// Abort gives up the file unfinished (a list that failed on the way)
	// and releases what the writer holds (excelize's temporary file).
	Abort()
}
