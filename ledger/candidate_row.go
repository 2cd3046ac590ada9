package ledger

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// candidateRowColumn is one text value per candidate that a run reads when
// it uses many: the candidate and what a statement shows of it, packed by
// the database, from ledger_accounts a, expenditures e and schools s.
//
// Why one column and not ten: a run that uses 10,000 expenditures spent
// most of its own time in database/sql and lib/pq decoding ten columns of
// 10,000 rows, each value boxed in an interface and each text copied, some
// 28 allocations a row. One text per row is one copy, and the strings a
// statement shows are slices of it.
//
// The layout: the numbers, each followed by a comma (the account, the
// expenditure, its year, its date as days since 2000-01-01, the unused
// balance, the school, then the lengths in characters of the invoice
// number, the vendor and the category), and after them the four texts end
// to end (invoice number, vendor, category, school name). The texts are
// found by their lengths, so that any character in them, commas included,
// reads back as it was; the school name is the rest. Characters, not
// bytes: the client reads UTF-8 whatever the database's own encoding (a
// Persian letter is two bytes in UTF-8 and one in WIN1256), and a
// character stays one character when the text is converted.
//
// concat_ws builds the row once; a chain of || built it anew at each
// value (measured over 10,000 rows: 6.2 ms against 7.6). It leaves a NULL
// out, where || made the whole row NULL; none of these values can be NULL:
// each is a NOT NULL column, of rows found by inner joins.
const candidateRowColumn = `
	concat_ws(',', a.id, e.id, e.fiscal_year, e.spent_on - DATE '2000-01-01', a.balance, s.id,
	          length(e.invoice_no), length(e.vendor_name), length(e.category),
	          e.invoice_no || e.vendor_name || e.category || s.name)`

// candidateRowFields is how many comma-ended numbers lead a candidate row.
const candidateRowFields = 9

// dayZero is the day candidateRowColumn counts dates from.
var dayZero = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// shownText is what a statement shows of a candidate, as its packed row
// holds it: the row's texts end to end, where the first three end (in
// bytes), and the school. A run cuts them (show) only for the candidates
// it uses, in the order it uses them.
type shownText struct {
	texts                     string
	school                    int64
	invoice, vendor, category int    // where each ends in texts
	unused                    string // the balance, as the row holds it
}

// parseCandidateRow reads a row of candidateRowColumn into c and t. Its
// errors do not quote the row, which holds a vendor's name.
func parseCandidateRow(row string, c *Candidate, t *shownText) error {
	var nums [candidateRowFields]int64
	rest := row
	var balance string
	for i := range nums {
		field, after, ok := strings.Cut(rest, ",")
		if !ok {
			return fmt.Errorf("ledger: candidate row: %d numbers, want %d", i, candidateRowFields)
		}
		rest = after
		if i == 4 {
			balance = field
			continue
		}
		n, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			return fmt.Errorf("ledger: candidate row: number %d is not an integer", i+1)
		}
		nums[i] = n
	}
	unused, err := decimal.NewFromString(balance)
	if err != nil {
		return errors.New("ledger: candidate row: the balance is not a decimal")
	}
	// The texts' ends, in bytes, from their lengths in characters.
	invoice, ok := runeOffset(rest, 0, nums[6])
	vendor, ok2 := runeOffset(rest, invoice, nums[7])
	category, ok3 := runeOffset(rest, vendor, nums[8])
	if !ok || !ok2 || !ok3 {
		return errors.New("ledger: candidate row: its texts are shorter than their lengths")
	}
	day := dayZero.AddDate(0, 0, int(nums[3]))
	on, err := taahod.NewDate(day.Year(), day.Month(), day.Day())
	if err != nil {
		return fmt.Errorf("ledger: candidate row: date: %w", err)
	}
	c.ExpenditureID, c.FiscalYear, c.SpentOn, c.Unused, c.accountID = nums[1], int(nums[2]), on, unused, nums[0]
	t.texts, t.school, t.invoice, t.vendor, t.category, t.unused = rest, nums[5], invoice, vendor, category, balance
	return nil
}

// canonicalAmount is a decimal as PostgreSQL writes a NUMERIC (digits, an
// optional sign and point) written as decimal.Decimal's String writes it,
// the form a transaction's digest covers: without the zeros that end its
// fraction, and without the point when nothing is left after it ("1000.00"
// is "1000", "12.50" is "12.5"). A slice of s, not a copy.
func canonicalAmount(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// runeOffset returns the byte offset in s of the end of the n characters
// that start at byte from; false when s has fewer, or n < 0.
func runeOffset(s string, from int, n int64) (int, bool) {
	if n < 0 {
		return 0, false
	}
	at := from
	for ; n > 0 && at < len(s); n-- {
		if s[at] < utf8.RuneSelf {
			at++
			continue
		}
		_, size := utf8.DecodeRuneInString(s[at:])
		at += size
	}
	return at, n == 0
}

// show fills in a what a statement shows of the candidate c whose row
// held t (but the amount). The texts are slices of the row.
func (t *shownText) show(c *Candidate, a *StatementAllocation) {
	a.ExpenditureID, a.FiscalYear, a.SpentOn, a.SchoolID = c.ExpenditureID, c.FiscalYear, c.SpentOn, t.school
	a.InvoiceNo, a.VendorName, a.Category, a.SchoolName = t.texts[:t.invoice], t.texts[t.invoice:t.vendor],
		t.texts[t.vendor:t.category], t.texts[t.category:]
}
