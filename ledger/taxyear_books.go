package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

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
// the year lacks either. Its reading of the figures runs prepared when ps
// has it.
func readYearBooks(ctx context.Context, ps prepared, q sqlx.ExtContext, unit int64, year int, lock bool, oldest int) (yearBooks, error) {
	var b yearBooks
	suffix := ""
	if lock {
		suffix = " FOR UPDATE"
	}
	p, err := loadPolicy(ctx, q, year, lock)
	if errors.Is(err, sql.ErrNoRows) {
		return b, taahod.Errorf(ENOPOLICY, "no offset policy is stored for %d: store one with PUT /policies/%d first", year, year)
	} else if err != nil {
		return b, fmt.Errorf("read the offset policy of %d: %w", year, err)
	}
	b.policy = p
	err = sqlx.GetContext(ctx, q, &b.taxYear, `SELECT `+taxYearColumns+` FROM tax_years WHERE unit_id = $1 AND fiscal_year = $2`+suffix, unit, year)
	if errors.Is(err, sql.ErrNoRows) {
		return b, taahod.Errorf(ENOASSESSMENT, "no tax is recorded for unit %d in %d: record it with PUT /units/%d/tax-years/%d first (0 when nothing is due)", unit, year, unit, year)
	} else if err != nil {
		return b, fmt.Errorf("read the tax year of unit %d year %d: %w", unit, year, err)
	}

	if b.carriedYears, b.carriedCategories, err = readCarried(ctx, q, unit, year, p); err != nil {
		return b, err
	}
	if err := readFigures(ctx, ps, q, &b, unit, year, oldest); err != nil {
		return b, err
	}
	b.state.FiscalYear, b.state.TaxDue, b.state.TaxableIncome = year, b.taxYear.TaxDue, b.taxYear.TaxableIncome
	return b, nil
}

// readCarried returns the earlier years' (year, category) pairs whose
// spending the year takes in: the years within its policy's carry-forward
// whose own offset has been run, each with the categories of the policy it
// was offered under.
func readCarried(ctx context.Context, q sqlx.QueryerContext, unit int64, year int, p Policy) (years []int64, categories []string, err error) {
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
			return nil, nil, fmt.Errorf("read the years carried into unit %d year %d: %w", unit, year, err)
		}
	}
	years, categories = []int64{}, []string{}
	for _, c := range carried {
		for _, category := range c.Categories {
			years = append(years, int64(c.Year))
			categories = append(categories, category)
		}
	}
	return years, categories, nil
}

// readFigures reads into b the year's accounts, its approved eligible
// spending and the sums of its candidates, and beside them the oldest
// candidates, up to oldest of them.
func readFigures(ctx context.Context, ps prepared, q sqlx.ExtContext, b *yearBooks, unit int64, year int, oldest int) error {
	// The figures come from the year's accounts and the sums the ledger
	// keeps per unit, year and category (ledger_spending_sums): a few rows,
	// however much spending the unit has. The oldest candidates are read
	// beside them, in the order runs use them, by the index on the unit's
	// expenditures by year and date: the carried years' oldest, then the
	// year's, each part stopping after as many as asked, past only the
	// expenditures whose spending is used up. One statement, so that the
	// sums and the candidates are of one snapshot (approvals do not wait
	// for the unit's lock). FULL JOIN ON true puts the sums beside each of
	// the oldest, or alone when there are none.
	carriedFrom := year // no carried years: an empty range
	for _, y := range b.carriedYears {
		carriedFrom = min(carriedFrom, int(y))
	}
	rows, err := ps.query(ctx, q, booksQuery, unit, year, pq.Array(b.policy.EligibleCategories), pq.Array(b.carriedYears), pq.Array(b.carriedCategories),
		taxOffset(unit, year).Code(), usedSpending(unit, year).Code(), taxDue(unit, year).Code(), oldest, carriedFrom)
	if err != nil {
		return fmt.Errorf("read the books of unit %d year %d: %w", unit, year, err)
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
			return fmt.Errorf("read the books of unit %d year %d: %w", unit, year, err)
		}
		if accountID == nil {
			continue // no candidate: the sums alone
		}
		c.accountID, c.ExpenditureID, c.FiscalYear, c.SpentOn, c.Unused = *accountID, *expenditure, *fiscalYear, *spentOn, unused.Decimal
		b.oldest = append(b.oldest, c)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the books of unit %d year %d: %w", unit, year, err)
	}
	return nil
}

// booksQuery reads a unit-year's figures and its oldest candidates
// (readFigures): $1 the unit, $2 the year, $3 the policy's categories, $4
// and $5 the carried (year, category) pairs, $6, $7 and $8 the codes of the
// year's offset, used and due accounts, $9 how many candidates, $10 the
// first carried year.
const booksQuery = `
	WITH sums AS (
		SELECT s.fiscal_year, s.approved, s.unused, s.unused_accounts
		  FROM ledger_spending_sums s
		 WHERE s.unit_id = $1
		   AND ((s.fiscal_year = $2 AND s.category = ANY($3::text[]))
		        OR (s.fiscal_year < $2 AND (s.fiscal_year, s.category) IN (SELECT * FROM unnest($4::int[], $5::text[]))))
	), figures AS (
		SELECT COALESCE((SELECT balance FROM ledger_accounts WHERE code = $6), 0) AS offset_amount,
		       COALESCE((SELECT balance FROM ledger_accounts WHERE code = $7), 0) AS spending_used,
		       COALESCE((SELECT id FROM ledger_accounts WHERE code = $6), 0) AS offset_account,
		       COALESCE((SELECT id FROM ledger_accounts WHERE code = $7), 0) AS used_account,
		       COALESCE((SELECT id FROM ledger_accounts WHERE code = $8), 0) AS due_account,
		       COALESCE(sum(approved) FILTER (WHERE fiscal_year = $2), 0) AS eligible,
		       COALESCE(sum(unused_accounts), 0) AS candidates, COALESCE(sum(unused), 0) AS available,
		       COALESCE(sum(unused) FILTER (WHERE fiscal_year < $2), 0) AS carried_in
		  FROM sums
	), oldest AS (
		(SELECT a.id AS account_id, e.id, e.fiscal_year, e.spent_on, a.balance
		   FROM expenditures e JOIN ledger_accounts a ON a.expenditure_id = e.id
		  WHERE e.unit_id = $1 AND e.fiscal_year >= $10 AND e.fiscal_year < $2 AND a.balance > 0
		    AND (e.fiscal_year, e.category) IN (SELECT * FROM unnest($4::int[], $5::text[]))
		  ORDER BY e.fiscal_year, e.spent_on, e.id
		  LIMIT $9)
		UNION ALL
		(SELECT a.id AS account_id, e.id, e.fiscal_year, e.spent_on, a.balance
		   FROM expenditures e JOIN ledger_accounts a ON a.expenditure_id = e.id
		  WHERE e.unit_id = $1 AND e.fiscal_year = $2 AND e.category = ANY($3::text[]) AND a.balance > 0
		  ORDER BY e.spent_on, e.id
		  LIMIT $9)
	)
	SELECT f.*, o.account_id, o.id, o.fiscal_year, o.spent_on, o.balance
	  FROM figures f FULL JOIN (SELECT * FROM oldest e ORDER BY ` + candidatesOrder + ` LIMIT $9) o ON true`

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
