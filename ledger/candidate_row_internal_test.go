package ledger

import (
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// A packed candidate row that does not read exactly is refused, not read
// as something else.
func TestParseCandidateRowRefusesWhatDoesNotFit(t *testing.T) {
	const good = "7,42,1404,9400,1000.50,3,3,4,12,A,1فروشconstructionمدرسه"
	var (
		c  Candidate
		tx shownText
		a  StatementAllocation
	)
	if err := parseCandidateRow(good, &c, &tx); err != nil {
		t.Fatalf("%q: %v", good, err)
	}
	tx.show(&c, &a)
	if c.accountID != 7 || c.ExpenditureID != 42 || c.FiscalYear != 1404 || c.SpentOn.String() != "2025-09-26" ||
		c.Unused.String() != "1000.5" || a.SchoolID != 3 || a.InvoiceNo != "A,1" || a.VendorName != "فروش" ||
		a.Category != "construction" || a.SchoolName != "مدرسه" {
		t.Errorf("%q read as %+v and %+v", good, c, a)
	}
	// A day before 2000 counts back; an empty text is cut as empty.
	if err := parseCandidateRow("1,2,1378,-1,0.01,3,0,0,0,", &c, &tx); err != nil {
		t.Fatal(err)
	}
	tx.show(&c, &a)
	if c.SpentOn.String() != "1999-12-31" || c.Unused.String() != "0.01" || a.InvoiceNo != "" || a.SchoolName != "" {
		t.Errorf("a row of 1999 read as %+v and %+v", c, a)
	}
	for _, row := range []string{
		"",
		"7,42,1404,9400,1000.50,3,3,6,12", // no comma after the numbers
		"7,42,1404,9400,1000.50,3,3,4,99,A,1فروشconstructionمدرسه", // texts shorter than their lengths
		"7,42,1404,9400,1000.50,3,-1,4,12,A,1فروشconstructionمدرسه",
		"7,x,1404,9400,1000.50,3,3,4,12,A,1فروشconstructionمدرسه",
		"7,42,1404,9400,10e,3,3,4,12,A,1فروشconstructionمدرسه",
		"7,42,1404,99999999,1000.50,3,3,4,12,A,1فروشconstructionمدرسه", // a day past the supported years
	} {
		if err := parseCandidateRow(row, &c, &tx); err == nil {
			t.Errorf("%q was read, as %+v and %+v", row, c, tx)
		} else if !strings.Contains(err.Error(), "candidate row") {
			t.Errorf("%q: %v does not say what it read", row, err)
		} else if strings.Contains(err.Error(), "فروش") || strings.Contains(err.Error(), "مدرسه") {
			t.Errorf("%q: %v quotes the row's texts", row, err)
		}
	}
}

// A balance as a packed row holds it (PostgreSQL's text of a NUMERIC)
// becomes the text a transaction's digest covers, decimal.Decimal's
// String, exactly: a run writes it in place of formatting each amount.
func TestCanonicalAmountIsDecimalsString(t *testing.T) {
	texts := []string{"1000.00", "1000.50", "1000.05", "0.05", "0.50", "0.00", "10.00", "100", "7",
		"-5.50", "-0.01", "123456789012345678.99", "999999999999999999999999999999999999.90"}
	for i := range 2000 { // and every cent of 0–19.99
		texts = append(texts, fmt.Sprintf("%d.%02d", i/100, i%100))
	}
	for _, text := range texts {
		want := decimal.RequireFromString(text).String()
		if got := canonicalAmount(text); got != want {
			t.Errorf("canonicalAmount(%q) = %q, decimal.Decimal's String %q", text, got, want)
		}
	}
}
