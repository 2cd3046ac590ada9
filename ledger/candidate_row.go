package ledger

import (
	"fmt"
	"strconv"
	"strings"
	"time"

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
// balance, the school, then the lengths in bytes of the invoice number,
// the vendor and the category), and after them the four texts end to end
// (invoice number, vendor, category, school name). The texts are found by
// their lengths, so that any character in them, commas included, reads
// back as it was; the school name is the rest. A NULL in any of them makes
// the whole value NULL, which does not scan into a string: the run fails
// rather than read it.
const candidateRowColumn = `
	a.id || ',' || e.id || ',' || e.fiscal_year || ',' || (e.spent_on - DATE '2000-01-01') || ',' ||
	a.balance || ',' || s.id || ',' || octet_length(e.invoice_no) || ',' || octet_length(e.vendor_name) || ',' ||
	octet_length(e.category) || ',' || e.invoice_no || e.vendor_name || e.category || s.name`

// candidateRowFields is how many comma-ended numbers lead a candidate row.
const candidateRowFields = 9

// dayZero is the day candidateRowColumn counts dates from.
var dayZero = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)

// shownText is what a statement shows of a candidate, as its packed row
// holds it: the row's texts end to end, with the lengths that cut them, and
// the school. A run cuts them (show) only for the candidates it uses, in
// the order it uses them.
type shownText struct {
	texts                     string
	school                    int64
	invoice, vendor, category int
}

// parseCandidateRow reads a row of candidateRowColumn into c and t.
func parseCandidateRow(row string, c *Candidate, t *shownText) error {
	var nums [candidateRowFields]int64
	rest := row
	var balance string
	for i := range nums {
		field, after, ok := strings.Cut(rest, ",")
		if !ok {
			return fmt.Errorf("ledger: candidate row %q: %d numbers, want %d", row, i, candidateRowFields)
		}
		rest = after
		if i == 4 {
			balance = field
			continue
		}
		n, err := strconv.ParseInt(field, 10, 64)
		if err != nil {
			return fmt.Errorf("ledger: candidate row %q: number %d: %w", row, i+1, err)
		}
		nums[i] = n
	}
	unused, err := decimal.NewFromString(balance)
	if err != nil {
		return fmt.Errorf("ledger: candidate row %q: balance: %w", row, err)
	}
	invoice, vendor, category := nums[6], nums[7], nums[8]
	if invoice < 0 || vendor < 0 || category < 0 || invoice+vendor+category > int64(len(rest)) {
		return fmt.Errorf("ledger: candidate row %q: its texts are shorter than their lengths", row)
	}
	day := dayZero.AddDate(0, 0, int(nums[3]))
	on, err := taahod.NewDate(day.Year(), day.Month(), day.Day())
	if err != nil {
		return fmt.Errorf("ledger: candidate row %q: date: %w", row, err)
	}
	c.ExpenditureID, c.FiscalYear, c.SpentOn, c.Unused, c.accountID = nums[1], int(nums[2]), on, unused, nums[0]
	t.texts, t.school, t.invoice, t.vendor, t.category = rest, nums[5], int(invoice), int(vendor), int(category)
	return nil
}

// show fills in a what a statement shows of the candidate c whose row
// held t (but the amount). The texts are slices of the row.
func (t *shownText) show(c *Candidate, a *StatementAllocation) {
	a.ExpenditureID, a.FiscalYear, a.SpentOn, a.SchoolID = c.ExpenditureID, c.FiscalYear, c.SpentOn, t.school
	v, k := t.invoice+t.vendor, t.invoice+t.vendor+t.category
	a.InvoiceNo, a.VendorName, a.Category, a.SchoolName = t.texts[:t.invoice], t.texts[t.invoice:v], t.texts[v:k], t.texts[k:]
}
