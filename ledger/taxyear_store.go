package ledger

import (
	"context"
	"database/sql"
	"errors"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// LockUnitBooks serialises every change of a unit's offset books (runs,
// assessments, reversals) and what relies on them (issuing and revoking its
// certificates): the first statement of those transactions, so the lock
// order is fixed and they cannot deadlock one another. The lock is held
// until tx ends.
func LockUnitBooks(ctx context.Context, tx *database.Tx, unit int64) error {
	// One advisory key per unit, in a range of its own.
	const base = 1_720_000_000_000_000_000
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, base+unit)
	return err
}

const taxYearColumns = `unit_id, fiscal_year, tax_due, taxable_income, income_source, run_at, updated_at`

// Assess records a unit's tax for a fiscal year, or a new assessment of it,
// and posts the change of the tax due. It returns ENOTFOUND for a unit
// outside the actor's scope, EINVALID for bad figures and ETAXBELOWOFFSET
// when the tax due would fall below what has been offset already.
func (s *Store) Assess(ctx context.Context, actor taahod.Actor, unit int64, year int, in TaxYearInput) (TaxYear, error) {
	if err := s.checkUnit(ctx, actor, unit); err != nil {
		return TaxYear{}, err
	}
	a, err := in.validate(year)
	if err != nil {
		return TaxYear{}, err
	}
	var ty TaxYear
	err = s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := LockUnitBooks(ctx, tx, unit); err != nil {
			return err
		}
		before, found, err := loadTaxYear(ctx, tx, unit, year)
		if err != nil {
			return err
		}
		offset, err := balance(ctx, tx, taxOffset(unit, year))
		if err != nil {
			return err
		}
		if a.taxDue.LessThan(offset) {
			return taahod.Errorf(ETAXBELOWOFFSET, "the tax due %s of %d would be below the %s already offset", a.taxDue, year, offset)
		}
		err = tx.GetContext(ctx, &ty, `
			INSERT INTO tax_years (unit_id, fiscal_year, tax_due, taxable_income, income_source, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (unit_id, fiscal_year) DO UPDATE SET tax_due = EXCLUDED.tax_due,
			    taxable_income = EXCLUDED.taxable_income, income_source = EXCLUDED.income_source,
			    updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
			RETURNING `+taxYearColumns,
			unit, year, a.taxDue, a.taxableIncome, a.incomeSource, tx.Now, actorRef(actor))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO tax_year_assessments (unit_id, fiscal_year, tax_due, taxable_income, income_source, recorded_at, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			unit, year, a.taxDue, a.taxableIncome, a.incomeSource, tx.Now, actorRef(actor)); err != nil {
			return err
		}
		if delta := a.taxDue.Sub(before.TaxDue); !delta.IsZero() {
			_, err := post(ctx, tx, actorRef(actor), Transaction{
				Kind: TxAssessment, UnitID: unit, FiscalYear: year, Memo: "tax assessment",
				Postings: []Posting{{taxAssessed(unit, year), delta.Neg()}, {taxDue(unit, year), delta}},
			})
			if err != nil {
				return err
			}
		}
		changes := map[string]any{"to": map[string]any{"tax_due": ty.TaxDue, "taxable_income": ty.TaxableIncome, "income_source": ty.IncomeSource}}
		if found {
			changes["from"] = map[string]any{"tax_due": before.TaxDue, "taxable_income": before.TaxableIncome, "income_source": before.IncomeSource}
		}
		tx.Audit(ctx, actor, "tax_year.assess", "tax_year", taxYearTarget(unit, year), changes)
		return nil
	})
	return ty, err
}

func taxYearTarget(unit int64, year int) string {
	return decimal.NewFromInt(unit).String() + "/" + decimal.NewFromInt(int64(year)).String()
}

// loadTaxYear reads and locks a tax year; found is false when none is
// recorded (and the zero TaxYear has a zero tax due).
func loadTaxYear(ctx context.Context, tx *database.Tx, unit int64, year int) (TaxYear, bool, error) {
	var ty TaxYear
	err := tx.GetContext(ctx, &ty, `SELECT `+taxYearColumns+` FROM tax_years WHERE unit_id = $1 AND fiscal_year = $2 FOR UPDATE`, unit, year)
	if errors.Is(err, sql.ErrNoRows) {
		return TaxYear{UnitID: unit, FiscalYear: year}, false, nil
	}
	return ty, err == nil, err
}

// balance returns an account's balance, zero when it was never opened.
func balance(ctx context.Context, q sqlx.QueryerContext, a Account) (decimal.Decimal, error) {
	var b []decimal.Decimal
	if err := sqlx.SelectContext(ctx, q, &b, `SELECT balance FROM ledger_accounts WHERE code = $1`, a.Code()); err != nil {
		return decimal.Zero, err
	}
	if len(b) == 0 {
		return decimal.Zero, nil
	}
	return b[0], nil
}

// Assessments returns the history of a tax year's assessments, oldest
// first. It returns ENOTFOUND for a unit outside the actor's scope.
func (s *Store) Assessments(ctx context.Context, actor taahod.Actor, unit int64, year int) ([]Assessment, error) {
	if err := s.checkUnit(ctx, actor, unit); err != nil {
		return nil, err
	}
	out := []Assessment{}
	err := s.DB.SelectContext(ctx, &out, `
		SELECT id, tax_due, taxable_income, income_source, recorded_at, recorded_by
		  FROM tax_year_assessments WHERE unit_id = $1 AND fiscal_year = $2 ORDER BY id`, unit, year)
	return out, database.MapError(err)
}

// checkUnit returns ENOTFOUND unless the unit exists and the actor may see
// it.
func (s *Store) checkUnit(ctx context.Context, actor taahod.Actor, unit int64) error {
	if !actor.CanSeeUnit(unit) {
		return taahod.Errorf(taahod.ENOTFOUND, "unit %d not found", unit)
	}
	var exists bool
	if err := s.DB.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1)`, unit); err != nil {
		return database.MapError(err)
	}
	if !exists {
		return taahod.Errorf(taahod.ENOTFOUND, "unit %d not found", unit)
	}
	return nil
}

// yearBooks is what matching a unit-year reads: its policy and tax year, its
// state, and the spending it may use.
type yearBooks struct {
	policy     Policy
	taxYear    TaxYear
	state      YearState
	candidates []Candidate
	eligible   decimal.Decimal // approved eligible spending dated in the year
}

// readYearBooks reads a unit-year's books. Inside a run (lock true) it locks
// the tax year row and shares the policies' rows; it returns ENOPOLICY and
// ENOASSESSMENT when the year lacks either.
func readYearBooks(ctx context.Context, q sqlx.ExtContext, unit int64, year int, lock bool) (yearBooks, error) {
	var b yearBooks
	suffix := ""
	if lock {
		suffix = " FOR UPDATE"
	}
	p, err := loadPolicy(ctx, q, year, lock)
	if errors.Is(err, sql.ErrNoRows) {
		return b, taahod.Errorf(ENOPOLICY, "no offset policy is stored for %d: store one with PUT /policies/%d first", year, year)
	} else if err != nil {
		return b, err
	}
	b.policy = p
	err = sqlx.GetContext(ctx, q, &b.taxYear, `SELECT `+taxYearColumns+` FROM tax_years WHERE unit_id = $1 AND fiscal_year = $2`+suffix, unit, year)
	if errors.Is(err, sql.ErrNoRows) {
		return b, taahod.Errorf(ENOASSESSMENT, "no tax is recorded for unit %d in %d: record it with PUT /units/%d/tax-years/%d first (0 when nothing is due)", unit, year, unit, year)
	} else if err != nil {
		return b, err
	}

	// The years whose spending may be offered: this one under its own
	// policy, and the earlier ones within its carry-forward whose own
	// offset has been run, each under the policy it was offered under.
	type yearPolicy struct {
		Year       int            `db:"fiscal_year"`
		Categories pq.StringArray `db:"eligible_categories"`
	}
	var carried []yearPolicy
	if p.CarryForwardYears > 0 {
		if err := sqlx.SelectContext(ctx, q, &carried, `
			SELECT t.fiscal_year, o.eligible_categories
			  FROM tax_years t JOIN offset_policies o ON o.fiscal_year = t.fiscal_year
			 WHERE t.unit_id = $1 AND t.fiscal_year BETWEEN $2 AND $3 AND t.run_at IS NOT NULL`,
			unit, year-p.CarryForwardYears, year-1); err != nil {
			return b, err
		}
	}
	var years []int64
	var cats []string
	add := func(y int, categories []string) {
		for _, c := range categories {
			years = append(years, int64(y))
			cats = append(cats, c)
		}
	}
	add(year, p.EligibleCategories)
	for _, c := range carried {
		add(c.Year, c.Categories)
	}
	// The unit's expenditures with spending unused, oldest first: the
	// order MatchYear uses them in, so that it need not sort them. Both
	// sides are read by the unit and hashed together; the planner may not
	// choose a nested loop, which for a unit whose many expenditures are
	// not in the statistics yet it would, and run in quadratic time. Read
	// without reflection, for a unit may have many.
	if _, err := q.ExecContext(ctx, `SET LOCAL enable_nestloop = off`); err != nil {
		return b, err
	}
	rows, err := q.QueryContext(ctx, `
		SELECT a.id, e.id, e.fiscal_year, e.spent_on, a.balance
		  FROM ledger_accounts a JOIN expenditures e ON e.id = a.expenditure_id
		 WHERE a.unit_id = $1 AND a.expenditure_id IS NOT NULL AND a.balance > 0 AND e.unit_id = $1
		   AND (e.fiscal_year, e.category) IN (SELECT * FROM unnest($2::int[], $3::text[]))
		 ORDER BY e.fiscal_year >= $4, e.spent_on, e.id`,
		unit, pq.Array(years), pq.Array(cats), year)
	if err != nil {
		return b, err
	}
	defer rows.Close()
	for rows.Next() {
		var c Candidate
		if err := rows.Scan(&c.accountID, &c.ExpenditureID, &c.FiscalYear, &c.SpentOn, &c.Unused); err != nil {
			return b, err
		}
		b.candidates = append(b.candidates, c)
	}
	if err := rows.Err(); err != nil {
		return b, err
	}
	if _, err := q.ExecContext(ctx, `SET LOCAL enable_nestloop TO DEFAULT`); err != nil {
		return b, err
	}

	var figures struct {
		Offset   decimal.Decimal `db:"offset_amount"`
		Used     decimal.Decimal `db:"spending_used"`
		Eligible decimal.Decimal `db:"eligible"`
	}
	if err := sqlx.GetContext(ctx, q, &figures, `
		SELECT COALESCE((SELECT balance FROM ledger_accounts WHERE code = $1), 0) AS offset_amount,
		       COALESCE((SELECT balance FROM ledger_accounts WHERE code = $2), 0) AS spending_used,
		       COALESCE((SELECT sum(approved_amount) FROM expenditures
		                  WHERE unit_id = $3 AND fiscal_year = $4 AND category = ANY($5)
		                    AND status IN ('approved', 'partially_approved')), 0) AS eligible`,
		taxOffset(unit, year).Code(), usedSpending(unit, year).Code(), unit, year, pq.Array(p.EligibleCategories)); err != nil {
		return b, err
	}
	b.eligible = figures.Eligible
	b.state = YearState{FiscalYear: year, TaxDue: b.taxYear.TaxDue, TaxableIncome: b.taxYear.TaxableIncome,
		Applied: figures.Offset, Used: figures.Used}
	return b, nil
}

// RunOffset matches the unit-year's approved spending against its tax under
// the year's policy and posts what the run adds: the increase of the offset
// and the spending it uses, oldest first. Run again on the same data it posts
// nothing. It returns the statement after the run; ENOTFOUND for a unit
// outside the actor's scope, ENOPOLICY without a policy for the year and
// ENOASSESSMENT without a recorded tax.
func (s *Store) RunOffset(ctx context.Context, actor taahod.Actor, unit int64, year int) (Statement, error) {
	if err := s.checkUnit(ctx, actor, unit); err != nil {
		return Statement{}, err
	}
	var st Statement
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := LockUnitBooks(ctx, tx, unit); err != nil {
			return err
		}
		b, err := readYearBooks(ctx, tx, unit, year, true)
		if err != nil {
			return err
		}
		m := MatchYear(b.policy, b.state, b.candidates)
		var txID int64
		if m.OffsetIncrease.IsPositive() || m.UsedIncrease.IsPositive() {
			postings := make([]Posting, 0, len(m.Allocations)+3)
			// The expenditures' accounts are known by id from the reading.
			accounts := make(map[int64]int64, len(b.candidates))
			for _, c := range b.candidates {
				accounts[c.ExpenditureID] = c.accountID
			}
			for _, a := range m.Allocations {
				account := unusedSpending(unit, a.ExpenditureID)
				account.id = accounts[a.ExpenditureID]
				postings = append(postings, Posting{account, a.Amount.Neg()})
			}
			postings = append(postings,
				Posting{usedSpending(unit, year), m.UsedIncrease},
				Posting{taxDue(unit, year), m.OffsetIncrease.Neg()},
				Posting{taxOffset(unit, year), m.OffsetIncrease})
			if txID, err = post(ctx, tx, actorRef(actor), Transaction{Kind: TxOffset, UnitID: unit, FiscalYear: year,
				Memo: "Article 172 offset run", Postings: postings}); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tax_years SET run_at = $3, run_by = $4 WHERE unit_id = $1 AND fiscal_year = $2`,
			unit, year, tx.Now, actorRef(actor)); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "tax_year.offset", "tax_year", taxYearTarget(unit, year), map[string]any{
			"ledger_transaction": txID, "offset_added": m.OffsetIncrease, "spending_used_added": m.UsedIncrease,
			// The allocations themselves are the transaction's postings, which
			// its digest protects; the entry names how many.
			"offset": m.Offset, "spending_used": m.Used, "allocations": len(m.Allocations),
		})
		// The statement after the run: the books as the run left them.
		b.taxYear.RunAt = &tx.Now
		b.state.Applied, b.state.Used = m.Offset, m.Used
		st, err = statement(ctx, tx, unit, year, b, m.settled())
		return err
	})
	return st, err
}

// LockedStatement returns a unit-year's statement inside tx, for a caller
// that acts on it before tx commits, as issuing a certificate does. Call
// LockUnitBooks first: then no run, assessment or reversal of the unit
// changes the figures, and the year's tax row stays locked and its policy's
// row shared until tx ends, so the policy cannot change either. It returns
// ENOPOLICY without a policy for the year and ENOASSESSMENT without a
// recorded tax; it does not check the actor's scope.
func LockedStatement(ctx context.Context, tx *database.Tx, unit int64, year int) (Statement, error) {
	b, err := readYearBooks(ctx, tx, unit, year, true)
	if err != nil {
		return Statement{}, err
	}
	return statement(ctx, tx, unit, year, b, MatchYear(b.policy, b.state, b.candidates))
}

// Statement returns a unit-year's statement without changing anything. It
// returns ENOTFOUND for a unit outside the actor's scope or a year with no
// recorded tax.
func (s *Store) Statement(ctx context.Context, actor taahod.Actor, unit int64, year int) (Statement, error) {
	if err := s.checkUnit(ctx, actor, unit); err != nil {
		return Statement{}, err
	}
	var st Statement
	err := s.DB.TransactWith(ctx, database.Options{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, func(tx *database.Tx) error {
		b, err := readYearBooks(ctx, tx, unit, year, false)
		if code := taahod.ErrorCode(err); code == ENOASSESSMENT {
			return taahod.Errorf(taahod.ENOTFOUND, "no tax is recorded for unit %d in %d", unit, year)
		} else if code == ENOPOLICY {
			b, err = readYearBooksWithoutPolicy(ctx, tx, unit, year)
			if err != nil {
				return err
			}
			st, err = statement(ctx, tx, unit, year, b, Match{})
			return err
		} else if err != nil {
			return err
		}
		st, err = statement(ctx, tx, unit, year, b, MatchYear(b.policy, b.state, b.candidates))
		return err
	})
	return st, err
}

// readYearBooksWithoutPolicy reads what a statement shows of a year whose
// policy is not stored yet: its tax and what was offset before (nothing can
// be offered without a policy). It returns ENOTFOUND without a recorded tax.
func readYearBooksWithoutPolicy(ctx context.Context, q sqlx.QueryerContext, unit int64, year int) (yearBooks, error) {
	var b yearBooks
	err := sqlx.GetContext(ctx, q, &b.taxYear, `SELECT `+taxYearColumns+` FROM tax_years WHERE unit_id = $1 AND fiscal_year = $2`, unit, year)
	if errors.Is(err, sql.ErrNoRows) {
		return b, taahod.Errorf(taahod.ENOTFOUND, "no tax is recorded for unit %d in %d", unit, year)
	} else if err != nil {
		return b, err
	}
	offset, err := balance(ctx, q, taxOffset(unit, year))
	if err != nil {
		return b, err
	}
	used, err := balance(ctx, q, usedSpending(unit, year))
	b.state = YearState{FiscalYear: year, TaxDue: b.taxYear.TaxDue, TaxableIncome: b.taxYear.TaxableIncome, Applied: offset, Used: used}
	return b, err
}

// statement assembles the statement of a unit-year from its books and what a
// run now would do (m, computed on the books as they stand).
func statement(ctx context.Context, q sqlx.QueryerContext, unit int64, year int, b yearBooks, m Match) (Statement, error) {
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
	err := sqlx.SelectContext(ctx, q, &st.Allocations, `
		SELECT u.expenditure_id, u.amount, e.fiscal_year, e.spent_on, e.invoice_no, e.vendor_name, e.category,
		       s.id AS school_id, s.name AS school_name
		  FROM (SELECT a.expenditure_id, -sum(p.amount) AS amount
		          FROM ledger_transactions t
		          JOIN ledger_postings p ON p.transaction_id = t.id
		          JOIN ledger_accounts a ON a.id = p.account_id
		         WHERE t.unit_id = $1 AND t.fiscal_year = $2 AND t.kind IN ('offset', 'reversal')
		           AND a.expenditure_id IS NOT NULL
		         GROUP BY a.expenditure_id HAVING sum(p.amount) <> 0) u
		  JOIN expenditures e ON e.id = u.expenditure_id
		  JOIN pledges pl ON pl.id = e.pledge_id
		  JOIN schools s ON s.id = pl.school_id
		 ORDER BY e.spent_on, e.id`, unit, year)
	// carried_in is cumulative like every figure: the earlier years'
	// spending this year has used, and what of it is still offered.
	for i, a := range st.Allocations {
		st.Allocations[i].SpentOnJalali = a.SpentOn.Jalali()
		if a.FiscalYear < year {
			st.CarriedIn = st.CarriedIn.Add(a.Amount)
		}
	}
	return st, err
}
