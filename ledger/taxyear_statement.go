package ledger

import (
	"cmp"
	"context"
	"database/sql"
	"slices"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// LockedStatement returns a unit-year's statement inside tx, for a caller
// that acts on it before tx commits, as issuing a certificate does. Call
// LockUnitBooks first: then no run, assessment or reversal of the unit
// changes the figures, and the year's tax row stays locked and its policy's
// row shared until tx ends, so the policy cannot change either. It returns
// ENOPOLICY without a policy for the year and ENOASSESSMENT without a
// recorded tax; it does not check the actor's scope.
func LockedStatement(ctx context.Context, tx *database.Tx, unit int64, year int) (Statement, error) {
	b, err := readYearBooks(ctx, nil, tx, unit, year, true, 0)
	if err != nil {
		return Statement{}, err
	}
	return statement(ctx, tx, unit, year, b, matchFigures(b.policy, b.state, b.offer), posted{})
}

// Statement returns a unit-year's statement without changing anything. It
// returns ENOTFOUND for a unit outside the actor's scope or a year with no
// recorded tax.
func (s *Store) Statement(ctx context.Context, actor taahod.Actor, unit int64, year int) (Statement, error) {
	if err := s.checkUnit(ctx, actor, unit); err != nil {
		return Statement{}, err
	}
	var st Statement
	ps := s.prepared(ctx) // before the transaction: see prepared
	err := s.DB.TransactWith(ctx, database.Options{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, func(tx *database.Tx) error {
		b, err := readYearBooks(ctx, ps, tx, unit, year, false, 0)
		if code := taahod.ErrorCode(err); code == ENOASSESSMENT {
			return taahod.Errorf(taahod.ENOTFOUND, "no tax is recorded for unit %d in %d", unit, year)
		} else if code == ENOPOLICY {
			b, err = readYearBooksWithoutPolicy(ctx, tx, unit, year)
			if err != nil {
				return err
			}
			st, err = statement(ctx, tx, unit, year, b, Match{}, posted{})
			return err
		} else if err != nil {
			return err
		}
		st, err = statement(ctx, tx, unit, year, b, matchFigures(b.policy, b.state, b.offer), posted{})
		return err
	})
	return st, err
}

// posted is the offset transaction a run has just posted (id 0: none) and
// its allocations, as a statement shows them; statement takes the slice
// over, and adds their Jalali dates.
type posted struct {
	txID        int64
	allocations []StatementAllocation
}

// statement assembles the statement of a unit-year from its books and what a
// run now would do (m, computed on the books as they stand). After a run, run
// is what it posted: its allocations are taken as the run made them, not
// read back from the postings it has just written.
func statement(ctx context.Context, q sqlx.QueryerContext, unit int64, year int, b yearBooks, m Match, run posted) (Statement, error) {
	st := Statement{
		UnitID: unit, FiscalYear: year,
		TaxDue: b.taxYear.TaxDue, TaxableIncome: b.taxYear.TaxableIncome, IncomeSource: b.taxYear.IncomeSource,
		EligibleSpending: b.eligible,
		OffsetAmount:     b.state.Applied,
		SpendingUsed:     b.state.Used,
		RemainingTax:     b.taxYear.TaxDue.Sub(b.state.Applied),
		RunAt:            b.taxYear.RunAt,
		Allocations:      []StatementAllocation{},
	}
	if b.policy.Mode != "" {
		p := b.policy
		st.Policy = &p
		st.CarriedIn = m.CarriedIn // plus the carried spending used, below
		st.Offered = m.Offered
		st.UnusedEligible = m.Offered.Sub(b.state.Used)
		st.Deduction = m.Deduction
		st.PendingOffset = m.OffsetIncrease
		st.PendingUse = m.UsedIncrease
	} else {
		st.Offered = b.state.Used
	}
	st.NeedsRun = st.RunAt == nil || st.PendingOffset.IsPositive() || st.PendingUse.IsPositive()

	// Each expenditure's spending the year used, the run's own added.
	rows, err := q.QueryContext(ctx, allocationsSelect, unit, year, run.txID)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	before := map[int64]int{} // expenditure → its index in st.Allocations
	for rows.Next() {
		var a StatementAllocation
		if err := scanAllocation(rows, &a); err != nil {
			return st, err
		}
		before[a.ExpenditureID] = len(st.Allocations)
		st.Allocations = append(st.Allocations, a)
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	if len(st.Allocations) == 0 && run.allocations != nil {
		// A year's first run: its allocations are all there is, taken as
		// they are (a run of 10,000 copies no 10,000 wide rows).
		st.Allocations = run.allocations
	} else {
		for _, a := range run.allocations {
			if i, ok := before[a.ExpenditureID]; ok {
				st.Allocations[i].Amount = st.Allocations[i].Amount.Add(a.Amount)
			} else {
				st.Allocations = append(st.Allocations, a)
			}
		}
	}
	// A run's allocations come oldest first, which is this order unless
	// spending was carried in: sorted only when not so already.
	byDay := func(a, b StatementAllocation) int {
		return cmp.Or(a.SpentOn.Compare(b.SpentOn), cmp.Compare(a.ExpenditureID, b.ExpenditureID))
	}
	if !slices.IsSortedFunc(st.Allocations, byDay) {
		slices.SortFunc(st.Allocations, byDay)
	}
	jalali := jalaliDates{}
	for i, a := range st.Allocations {
		st.Allocations[i].SpentOnJalali = jalali.of(a.SpentOn)
		// carried_in is cumulative like every figure: the earlier years'
		// spending this year has used, and what of it is still offered.
		if a.FiscalYear < year {
			st.CarriedIn = st.CarriedIn.Add(a.Amount)
		}
	}
	return st, nil
}

// allocationsSelect reads each expenditure's spending a unit-year ($1,
// $2) used: what the year's offsets and their reversals moved out of its
// account, leaving out the offset transaction $3 (0: none), with the
// expenditure and its school. Unordered: a statement orders them by day
// and expenditure. Read without reflection (scanAllocation), for a year
// may use many.
const allocationsSelect = `
	SELECT u.expenditure_id, u.amount, e.fiscal_year, e.spent_on, e.invoice_no, e.vendor_name, e.category,
	       s.id, s.name
	  FROM (SELECT a.expenditure_id, -sum(p.amount) AS amount
	          FROM ledger_transactions t
	          JOIN ledger_postings p ON p.transaction_id = t.id
	          JOIN ledger_accounts a ON a.id = p.account_id
	         WHERE t.unit_id = $1 AND t.fiscal_year = $2 AND t.kind IN ('offset', 'reversal') AND t.id <> $3
	           AND a.expenditure_id IS NOT NULL
	         GROUP BY a.expenditure_id HAVING sum(p.amount) <> 0) u
	  JOIN expenditures e ON e.id = u.expenditure_id
	  JOIN pledges pl ON pl.id = e.pledge_id
	  JOIN schools s ON s.id = pl.school_id`

// scanAllocation reads a row of allocationsSelect into a.
func scanAllocation(rows *sql.Rows, a *StatementAllocation) error {
	return rows.Scan(&a.ExpenditureID, &a.Amount, &a.FiscalYear, &a.SpentOn, &a.InvoiceNo, &a.VendorName,
		&a.Category, &a.SchoolID, &a.SchoolName)
}
