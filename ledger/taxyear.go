package ledger

import (
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// TaxYear is a unit's tax for a fiscal year, as the tax office last assessed
// it (برگ تشخیص).
type TaxYear struct {
	UnitID        int64            `db:"unit_id" json:"unit_id"`
	FiscalYear    int              `db:"fiscal_year" json:"fiscal_year"`
	TaxDue        decimal.Decimal  `db:"tax_due" json:"tax_due"`
	TaxableIncome *decimal.Decimal `db:"taxable_income" json:"taxable_income"`
	IncomeSource  *string          `db:"income_source" json:"income_source"`
	RunAt         *time.Time       `db:"run_at" json:"run_at"`
	UpdatedAt     time.Time        `db:"updated_at" json:"updated_at"`
}

// Assessment is one recorded assessment of a tax year: its history.
type Assessment struct {
	ID            int64            `db:"id" json:"id"`
	TaxDue        decimal.Decimal  `db:"tax_due" json:"tax_due"`
	TaxableIncome *decimal.Decimal `db:"taxable_income" json:"taxable_income"`
	IncomeSource  *string          `db:"income_source" json:"income_source"`
	RecordedAt    time.Time        `db:"recorded_at" json:"recorded_at"`
	RecordedBy    *UserRef         `db:"recorded_by" json:"recorded_by"`
}

// TaxYearInput is the body of PUT /units/{id}/tax-years/{year}.
type TaxYearInput struct {
	TaxDue        json.RawMessage `json:"tax_due"`
	TaxableIncome json.RawMessage `json:"taxable_income"`
	IncomeSource  *string         `json:"income_source"`
}

// assessment is a validated TaxYearInput.
type assessment struct {
	taxDue        decimal.Decimal
	taxableIncome *decimal.Decimal
	incomeSource  *string
}

// validate checks the input: tax_due is an amount that may be zero (a year
// with nothing to offset is run with tax due 0), taxable_income likewise and
// optional.
func (in TaxYearInput) validate(year int) (assessment, error) {
	var (
		p taahod.Problems
		a assessment
	)
	checkYear(&p, year)
	due, err := taahod.ParseAmountJSONAllowZero(in.TaxDue)
	if err != nil {
		p.AddErr("tax_due", err)
	}
	a.taxDue = due
	if !absent(in.TaxableIncome) {
		ti, err := taahod.ParseAmountJSONAllowZero(in.TaxableIncome)
		if err != nil {
			p.AddErr("taxable_income", err)
		}
		a.taxableIncome = &ti
	}
	if in.IncomeSource != nil {
		s := strings.TrimSpace(*in.IncomeSource)
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 200 {
			p.Add("income_source", "too_long", "income_source must be at most 200 characters")
		}
		if s != "" {
			a.incomeSource = &s
		}
	}
	return a, p.Err()
}

// checkYear refuses fiscal years outside what the books keep.
func checkYear(p *taahod.Problems, year int) {
	if !taahod.ValidFiscalYear(year) {
		p.Add("year", "out_of_range", "the fiscal year must be a Solar Hijri year such as 1404")
	}
}

// Statement is a unit-year's offset statement: its tax, the spending offered
// to it, what has been offset, and which expenditures the year used. All
// figures are cumulative; Pending says what a run now would add.
type Statement struct {
	UnitID           int64            `json:"unit_id"`
	FiscalYear       int              `json:"fiscal_year"`
	Policy           *Policy          `json:"policy"`
	TaxDue           decimal.Decimal  `json:"tax_due"`
	TaxableIncome    *decimal.Decimal `json:"taxable_income"`
	IncomeSource     *string          `json:"income_source"`
	EligibleSpending decimal.Decimal  `json:"eligible_spending"`
	CarriedIn        decimal.Decimal  `json:"carried_in"`
	Offered          decimal.Decimal  `json:"offered"`
	SpendingUsed     decimal.Decimal  `json:"spending_used"`
	UnusedEligible   decimal.Decimal  `json:"unused_eligible"`
	Deduction        *decimal.Decimal `json:"deduction,omitempty"`
	OffsetAmount     decimal.Decimal  `json:"offset_amount"`
	RemainingTax     decimal.Decimal  `json:"remaining_tax"`
	PendingOffset    decimal.Decimal  `json:"pending_offset"`
	PendingUse       decimal.Decimal  `json:"pending_use"`
	RunAt            *time.Time       `json:"run_at"`
	// NeedsRun is true when the year was never run, its offsets were
	// reversed, or a run now would change its figures.
	NeedsRun    bool                  `json:"needs_run"`
	Allocations []StatementAllocation `json:"allocations"`
}

// StatementAllocation is the spending of one expenditure that the year used.
type StatementAllocation struct {
	ExpenditureID int64           `db:"expenditure_id" json:"expenditure_id"`
	Amount        decimal.Decimal `db:"amount" json:"amount"`
	FiscalYear    int             `db:"fiscal_year" json:"fiscal_year"`
	SpentOn       taahod.Date     `db:"spent_on" json:"spent_on"`
	SpentOnJalali string          `db:"-" json:"spent_on_jalali"`
	InvoiceNo     string          `db:"invoice_no" json:"invoice_no"`
	VendorName    string          `db:"vendor_name" json:"vendor_name"`
	Category      string          `db:"category" json:"category"`
	SchoolID      int64           `db:"school_id" json:"school_id"`
	SchoolName    string          `db:"school_name" json:"school_name"`
}
