package ledger

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/taahod/taahod/internal/metrics"
	"slices"
	"time"

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
		SELECT a.id, a.tax_due, a.taxable_income, a.income_source, a.recorded_at,
		       `+userRefSQL("a.recorded_by")+` AS recorded_by
		  FROM tax_year_assessments a WHERE a.unit_id = $1 AND a.fiscal_year = $2 ORDER BY a.id`, unit, year)
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
// state, the sums of the spending it may use, and the oldest of that
// spending. The rest of it is read only when a run uses more
// (readAllocations).
type yearBooks struct {
	policy   Policy
	taxYear  TaxYear
	state    YearState
	offer    Offer
	eligible decimal.Decimal // approved eligible spending dated in the year
	// The earlier years' (year, category) pairs whose spending is carried
	// in: the year's own are its policy's categories.
	carriedYears      []int64
	carriedCategories []string
	// candidates counts the expenditures with spending offered; oldest
	// holds the oldest of them, as many as readYearBooks was asked for.
	candidates int64
	oldest     []Candidate
	// The ids of the year's accounts of spending used, tax due and offset,
	// 0 for one not opened yet.
	usedAccount, dueAccount, offsetAccount int64
}

// defaultRunReadsOldest is how many of the oldest candidates a run reads
// with the sums: more than a run uses after a few new approvals or a raised
// assessment, so that such a run reads the unit's spending once.
const defaultRunReadsOldest = 64

// candidatesWhere selects the candidates of a unit-year from ledger_accounts
// a joined with expenditures e: expenditures with spending unused, of the
// year and an eligible category of its policy, or of a carried year and
// category. Its placeholders: $1 the unit, $2 the year, $3 the policy's
// categories, $4 and $5 the carried (year, category) pairs.
const candidatesWhere = `
	a.unit_id = $1 AND a.expenditure_id IS NOT NULL AND a.balance > 0 AND e.unit_id = $1
	AND ((e.fiscal_year = $2 AND e.category = ANY($3::text[]))
	     OR (e.fiscal_year < $2 AND (e.fiscal_year, e.category) IN (SELECT * FROM unnest($4::int[], $5::text[]))))`

// candidatesOrder is the order runs use candidates in, MatchYear's
// (oldestFirst): carried spending first (false sorts before true), then by
// date, then by expenditure id.
const candidatesOrder = `e.fiscal_year >= $2, e.spent_on, e.id`

// readYearBooks reads a unit-year's books, and the oldest of its candidates,
// up to oldest of them. Inside a run (lock true) it locks the tax year row
// and shares the policies' rows; it returns ENOPOLICY and ENOASSESSMENT when
// the year lacks either.
func readYearBooks(ctx context.Context, q sqlx.ExtContext, unit int64, year int, lock bool, oldest int) (yearBooks, error) {
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
	b.carriedYears, b.carriedCategories = []int64{}, []string{}
	for _, c := range carried {
		for _, category := range c.Categories {
			b.carriedYears = append(b.carriedYears, int64(c.Year))
			b.carriedCategories = append(b.carriedCategories, category)
		}
	}

	// The figures: the year's accounts, its approved eligible spending,
	// and the sums of its candidates; and, beside them, the oldest
	// candidates. The candidates are read once, by a hash join over the
	// unit (so: no nested loops, see withHashJoins), and kept for both the
	// sums and the few oldest (a top-N sort): the unit's spending is not
	// shipped, sorted or parsed here, only summed. FULL JOIN ON true puts
	// the sums beside each of the oldest, or alone when there are none,
	// without a nested loop.
	figures := `
		SELECT COALESCE((SELECT balance FROM ledger_accounts WHERE code = $6), 0) AS offset_amount,
		       COALESCE((SELECT balance FROM ledger_accounts WHERE code = $7), 0) AS spending_used,
		       COALESCE((SELECT id FROM ledger_accounts WHERE code = $6), 0) AS offset_account,
		       COALESCE((SELECT id FROM ledger_accounts WHERE code = $7), 0) AS used_account,
		       COALESCE((SELECT id FROM ledger_accounts WHERE code = $8), 0) AS due_account,
		       COALESCE((SELECT sum(approved_amount) FROM expenditures
		                  WHERE unit_id = $1 AND fiscal_year = $2 AND category = ANY($3::text[])
		                    AND status IN ('approved', 'partially_approved')), 0) AS eligible,
		       count(*) AS candidates, COALESCE(sum(balance), 0) AS available,
		       COALESCE(sum(balance) FILTER (WHERE fiscal_year < $2), 0) AS carried_in`
	args := []any{unit, year, pq.Array(p.EligibleCategories), pq.Array(b.carriedYears), pq.Array(b.carriedCategories),
		taxOffset(unit, year).Code(), usedSpending(unit, year).Code(), taxDue(unit, year).Code()}
	var query string
	if oldest > 0 {
		query = `
		WITH candidate AS MATERIALIZED (
			SELECT a.id AS account_id, e.id, e.fiscal_year, e.spent_on, a.balance
			  FROM ledger_accounts a JOIN expenditures e ON e.id = a.expenditure_id
			 WHERE ` + candidatesWhere + `
		), figures AS (` + figures + ` FROM candidate)
		SELECT f.*, o.account_id, o.id, o.fiscal_year, o.spent_on, o.balance
		  FROM figures f FULL JOIN (SELECT * FROM candidate e ORDER BY ` + candidatesOrder + ` LIMIT $9) o ON true`
		args = append(args, oldest)
	} else {
		query = figures + `, NULL::bigint, NULL::bigint, NULL::int, NULL::date, NULL::numeric
		  FROM (SELECT e.fiscal_year, a.balance
		          FROM ledger_accounts a JOIN expenditures e ON e.id = a.expenditure_id
		         WHERE ` + candidatesWhere + `) candidate`
	}
	err = withHashJoins(ctx, q, func() error {
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c           Candidate
				accountID   *int64
				expenditure *int64
				fiscalYear  *int
				spentOn     *taahod.Date
				unused      decimal.NullDecimal
			)
			if err := rows.Scan(&b.state.Applied, &b.state.Used, &b.offsetAccount, &b.usedAccount, &b.dueAccount,
				&b.eligible, &b.candidates, &b.offer.Available, &b.offer.CarriedIn,
				&accountID, &expenditure, &fiscalYear, &spentOn, &unused); err != nil {
				return err
			}
			if accountID == nil {
				continue // no candidate: the sums alone
			}
			c.accountID, c.ExpenditureID, c.FiscalYear, c.SpentOn, c.Unused = *accountID, *expenditure, *fiscalYear, *spentOn, unused.Decimal
			b.oldest = append(b.oldest, c)
		}
		return rows.Err()
	})
	if err != nil {
		return b, err
	}
	b.state.FiscalYear, b.state.TaxDue, b.state.TaxableIncome = year, b.taxYear.TaxDue, b.taxYear.TaxableIncome
	return b, nil
}

// withHashJoins runs fn, whose statements join a unit's expenditures with
// their accounts, with nested loops off, and turns them back on after (SET
// LOCAL: for the transaction, not the session). Both sides are read by the
// unit and hashed together; a nested loop is what the planner would choose
// for a unit whose many expenditures are not in the statistics yet, and it
// would run in quadratic time.
func withHashJoins(ctx context.Context, q sqlx.ExecerContext, fn func() error) error {
	if _, err := q.ExecContext(ctx, `SET LOCAL enable_nestloop = off`); err != nil {
		return err
	}
	if err := fn(); err != nil {
		return err
	}
	_, err := q.ExecContext(ctx, `SET LOCAL enable_nestloop TO DEFAULT`)
	return err
}

// allocated is one of a run's allocations: the account it is posted to, and
// the expenditure as a statement shows it.
type allocated struct {
	account int64
	shown   StatementAllocation
}

// readAllocations allocates m's added use of spending from the unit-year's
// candidates, oldest first, and returns each of m.Allocations with its
// account and what a statement shows of it. The oldest candidates, read
// with the books' sums in one statement, cover a run that uses a few. One
// that uses more reads all the candidates, with what a statement shows of
// them (the unit's spending is read once more, and shipped), and matches
// them as MatchYear does, figures and all: approvals do not wait for the
// unit's lock, so this later reading may hold spending approved since the
// sums were read, and a run's figures and allocations must come from one
// reading.
func readAllocations(ctx context.Context, q sqlx.ExtContext, unit int64, b yearBooks, m *Match) ([]allocated, error) {
	year := b.state.FiscalYear
	if !m.UsedIncrease.IsPositive() {
		return nil, nil
	}
	// allocate takes the candidates in order: the rows must come as
	// MatchYear sorts them.
	if !slices.IsSortedFunc(b.oldest, oldestFirst(year)) {
		return nil, fmt.Errorf("ledger: unit %d year %d: candidates read out of order", unit, year)
	}
	if taken, left := m.allocate(year, b.oldest); !left.IsPositive() {
		ids := make([]int64, taken)
		for i, c := range b.oldest[:taken] {
			ids[i] = c.ExpenditureID
		}
		shown, err := showExpenditures(ctx, q, ids)
		if err != nil {
			return nil, err
		}
		out := make([]allocated, taken)
		for i, c := range b.oldest[:taken] {
			out[i] = allocated{account: c.accountID, shown: shown[c.ExpenditureID]}
			out[i].shown.Amount = m.Allocations[i].Amount
		}
		return out, nil
	}

	// Both slices are sized up front: growing them by appending costs as
	// much as reading the rows.
	cs := make([]Candidate, 0, b.candidates)
	shown := make([]StatementAllocation, 0, b.candidates)
	err := withHashJoins(ctx, q, func() error {
		// Read without reflection, for a run may use many; and sorted
		// here, not by the database, which sorts these wide rows slower.
		rows, err := q.QueryContext(ctx, `
			SELECT a.id, e.id, e.fiscal_year, e.spent_on, a.balance, e.invoice_no, e.vendor_name, e.category, s.id, s.name
			  FROM ledger_accounts a JOIN expenditures e ON e.id = a.expenditure_id
			  JOIN pledges pl ON pl.id = e.pledge_id
			  JOIN schools s ON s.id = pl.school_id
			 WHERE `+candidatesWhere,
			unit, year, pq.Array(b.policy.EligibleCategories), pq.Array(b.carriedYears), pq.Array(b.carriedCategories))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				c Candidate
				a StatementAllocation
			)
			if err := rows.Scan(&c.accountID, &c.ExpenditureID, &c.FiscalYear, &c.SpentOn, &c.Unused,
				&a.InvoiceNo, &a.VendorName, &a.Category, &a.SchoolID, &a.SchoolName); err != nil {
				return err
			}
			a.ExpenditureID, a.FiscalYear, a.SpentOn = c.ExpenditureID, c.FiscalYear, c.SpentOn
			cs = append(cs, c)
			shown = append(shown, a)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// Oldest first, as MatchYear sorts them: by a permutation, for the
	// rows are wide.
	order := oldestFirst(year)
	perm := make([]int, len(cs))
	for i := range perm {
		perm[i] = i
	}
	slices.SortFunc(perm, func(i, j int) int { return order(cs[i], cs[j]) })
	sorted := make([]Candidate, len(cs))
	for i, k := range perm {
		sorted[i] = cs[k]
	}
	*m = MatchYear(b.policy, b.state, sorted)
	out := make([]allocated, len(m.Allocations))
	for i, k := range perm[:len(out)] { // the allocations are of the oldest, in order
		out[i] = allocated{account: cs[k].accountID, shown: shown[k]}
		out[i].shown.Amount = m.Allocations[i].Amount
	}
	return out, nil
}

// showExpenditures returns what a statement shows of the expenditures ids
// (but the amount), by id: few, each found by its key.
func showExpenditures(ctx context.Context, q sqlx.QueryerContext, ids []int64) (map[int64]StatementAllocation, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT e.id, e.fiscal_year, e.spent_on, e.invoice_no, e.vendor_name, e.category, s.id, s.name
		  FROM expenditures e JOIN pledges pl ON pl.id = e.pledge_id JOIN schools s ON s.id = pl.school_id
		 WHERE e.id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[int64]StatementAllocation, len(ids))
	for rows.Next() {
		var a StatementAllocation
		if err := rows.Scan(&a.ExpenditureID, &a.FiscalYear, &a.SpentOn, &a.InvoiceNo, &a.VendorName, &a.Category,
			&a.SchoolID, &a.SchoolName); err != nil {
			return nil, err
		}
		out[a.ExpenditureID] = a
	}
	return out, rows.Err()
}

// RunOffset matches the unit-year's approved spending against its tax under
// the year's policy and posts what the run adds: the increase of the offset
// and the spending it uses, oldest first. Run again on the same data it posts
// nothing. It returns the statement after the run; ENOTFOUND for a unit
// outside the actor's scope, ENOPOLICY without a policy for the year and
// ENOASSESSMENT without a recorded tax.
func (s *Store) RunOffset(ctx context.Context, actor taahod.Actor, unit int64, year int) (Statement, error) {
	return s.runOffset(ctx, actor, unit, year, "")
}

// runOffset is RunOffset; with a fingerprint (RunPreviewedOffset) it posts
// only when the run's plan has that fingerprint, and otherwise returns
// ESTALEPREVIEW having posted nothing.
func (s *Store) runOffset(ctx context.Context, actor taahod.Actor, unit int64, year int, fingerprint string) (Statement, error) {
	st, _, err := s.runOffsetAdding(ctx, actor, unit, year, fingerprint, true)
	return st, err
}

// runOffsetAdding is runOffset that also returns the match the run posted,
// whose increases are what it added (a province's run sums them); without
// statement it returns no statement and spares the reading of one.
func (s *Store) runOffsetAdding(ctx context.Context, actor taahod.Actor, unit int64, year int, fingerprint string, statement bool) (Statement, Match, error) {
	if err := s.checkUnit(ctx, actor, unit); err != nil {
		return Statement{}, Match{}, err
	}
	var (
		st    Statement
		added Match
	)
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := LockUnitBooks(ctx, tx, unit); err != nil {
			return err
		}
		pl, err := s.planOffset(ctx, tx, unit, year)
		if err != nil {
			return err
		}
		if fingerprint != "" && pl.fingerprint() != fingerprint {
			return taahod.Errorf(ESTALEPREVIEW, "the offset of unit %d in %d would not be what was previewed: its books changed since", unit, year)
		}
		b, m, ran := pl.books, pl.match, pl.ran
		added = m
		var txID int64
		if m.OffsetIncrease.IsPositive() || m.UsedIncrease.IsPositive() {
			postings := make([]Posting, 0, len(m.Allocations)+3)
			for i, a := range m.Allocations {
				// The expenditures' accounts are known by id from the reading.
				account := unusedSpending(unit, a.ExpenditureID)
				account.id = ran[i].account
				postings = append(postings, Posting{account, a.Amount.Neg()})
			}
			// The year's accounts too, once opened.
			used, due, offset := usedSpending(unit, year), taxDue(unit, year), taxOffset(unit, year)
			used.id, due.id, offset.id = b.usedAccount, b.dueAccount, b.offsetAccount
			postings = append(postings,
				Posting{used, m.UsedIncrease},
				Posting{due, m.OffsetIncrease.Neg()},
				Posting{offset, m.OffsetIncrease})
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
		if !statement {
			return nil
		}
		// The statement after the run: the books as the run left them.
		st, err = pl.after(ctx, tx, unit, year, txID, &tx.Now)
		return err
	})
	switch {
	case err != nil:
		metrics.OffsetRun(metrics.OffsetFailed)
	case added.OffsetIncrease.IsPositive() || added.UsedIncrease.IsPositive():
		metrics.OffsetRun(metrics.OffsetPosted)
	default:
		metrics.OffsetRun(metrics.OffsetUnchanged)
	}
	return st, added, err
}

// offsetPlan is what a run of a unit-year would post, read under the
// unit's lock: the books before it, the match, and its allocations with
// their accounts. A run posts it; a preview shows it and posts nothing.
type offsetPlan struct {
	books yearBooks
	match Match
	ran   []allocated
}

// planOffset reads a unit-year's books and matches them, as a run does.
// Call LockUnitBooks first.
func (s *Store) planOffset(ctx context.Context, tx *database.Tx, unit int64, year int) (offsetPlan, error) {
	oldest := cmp.Or(s.runReadsOldest, defaultRunReadsOldest)
	b, err := readYearBooks(ctx, tx, unit, year, true, oldest)
	if err != nil {
		return offsetPlan{}, err
	}
	// MatchYear in two steps: the figures from the sums, then the
	// allocations from as much of the spending as they use.
	m := matchFigures(b.policy, b.state, b.offer)
	ran, err := readAllocations(ctx, tx, unit, b, &m)
	if err != nil {
		return offsetPlan{}, err
	}
	return offsetPlan{books: b, match: m, ran: ran}, nil
}

// shown is what a statement shows of the plan's allocations.
func (pl offsetPlan) shown() []StatementAllocation {
	shown := make([]StatementAllocation, len(pl.ran))
	for i, a := range pl.ran {
		shown[i] = a.shown
		shown[i].SpentOnJalali = a.shown.SpentOn.Jalali()
	}
	return shown
}

// after is the statement of the books as the plan leaves them, once posted
// as transaction txID (0: not posted, a preview) at runAt.
func (pl offsetPlan) after(ctx context.Context, q sqlx.QueryerContext, unit int64, year int, txID int64, runAt *time.Time) (Statement, error) {
	b, m := pl.books, pl.match
	b.taxYear.RunAt = runAt
	b.state.Applied, b.state.Used = m.Offset, m.Used
	return statement(ctx, q, unit, year, b, m.settled(), posted{txID, pl.shown()})
}

// LockedStatement returns a unit-year's statement inside tx, for a caller
// that acts on it before tx commits, as issuing a certificate does. Call
// LockUnitBooks first: then no run, assessment or reversal of the unit
// changes the figures, and the year's tax row stays locked and its policy's
// row shared until tx ends, so the policy cannot change either. It returns
// ENOPOLICY without a policy for the year and ENOASSESSMENT without a
// recorded tax; it does not check the actor's scope.
func LockedStatement(ctx context.Context, tx *database.Tx, unit int64, year int) (Statement, error) {
	b, err := readYearBooks(ctx, tx, unit, year, true, 0)
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
	err := s.DB.TransactWith(ctx, database.Options{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, func(tx *database.Tx) error {
		b, err := readYearBooks(ctx, tx, unit, year, false, 0)
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

// posted is the offset transaction a run has just posted (id 0: none) and
// its allocations, as a statement shows them.
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

	// Each expenditure's spending the year used: what the year's offsets
	// and their reversals moved out of its account, the run's own added.
	// Read without reflection, for a year may use many.
	rows, err := q.QueryContext(ctx, `
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
		  JOIN schools s ON s.id = pl.school_id`, unit, year, run.txID)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	st.Allocations = make([]StatementAllocation, 0, len(run.allocations))
	before := map[int64]int{} // expenditure → its index in st.Allocations
	for rows.Next() {
		var a StatementAllocation
		if err := rows.Scan(&a.ExpenditureID, &a.Amount, &a.FiscalYear, &a.SpentOn, &a.InvoiceNo, &a.VendorName,
			&a.Category, &a.SchoolID, &a.SchoolName); err != nil {
			return st, err
		}
		before[a.ExpenditureID] = len(st.Allocations)
		st.Allocations = append(st.Allocations, a)
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	for _, a := range run.allocations {
		if i, ok := before[a.ExpenditureID]; ok {
			st.Allocations[i].Amount = st.Allocations[i].Amount.Add(a.Amount)
		} else {
			st.Allocations = append(st.Allocations, a)
		}
	}
	slices.SortFunc(st.Allocations, func(a, b StatementAllocation) int {
		return cmp.Or(a.SpentOn.Compare(b.SpentOn), cmp.Compare(a.ExpenditureID, b.ExpenditureID))
	})
	for i, a := range st.Allocations {
		st.Allocations[i].SpentOnJalali = a.SpentOn.Jalali()
		// carried_in is cumulative like every figure: the earlier years'
		// spending this year has used, and what of it is still offered.
		if a.FiscalYear < year {
			st.CarriedIn = st.CarriedIn.Add(a.Amount)
		}
	}
	return st, nil
}
