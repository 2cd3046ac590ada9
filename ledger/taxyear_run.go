package ledger

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/metrics"
)

// allocated is a run's allocations, in m.Allocations' order: the accounts
// they are posted to, and the expenditures as a statement shows them. Two
// slices rather than one of pairs, so that the statement can take the
// second as it is (a run of 10,000 copies no 10,000 wide rows).
type allocated struct {
	accounts []int64
	shown    []StatementAllocation
	// amounts, when set, is each allocation's amount as decimal.Decimal's
	// String writes it, when the allocation is its candidate's whole
	// balance and was read in a packed row (canonicalAmount of the row's
	// text: no decimal formatted for each of 10,000), and "" otherwise.
	amounts []string
}

// readAllocations allocates m's added use of spending from the unit-year's
// candidates, oldest first, and returns each of m.Allocations with its
// account and what a statement shows of it. The oldest candidates, read
// with the books' sums in one statement, cover a run that uses a few. One
// that uses more reads all the candidates, with what a statement shows of
// them (the unit's spending is read whole, and shipped), and matches
// them as MatchYear does, figures and all: approvals do not wait for the
// unit's lock, so this later reading may hold spending approved since the
// sums were read, and a run's figures and allocations must come from one
// reading.
func readAllocations(ctx context.Context, ps prepared, q sqlx.ExtContext, unit int64, b yearBooks, m *Match) (allocated, error) {
	year := b.state.FiscalYear
	if !m.UsedIncrease.IsPositive() {
		return allocated{}, nil
	}
	// allocate takes the candidates in order: the rows must come as
	// MatchYear sorts them.
	if !slices.IsSortedFunc(b.oldest, oldestFirst(year)) {
		return allocated{}, fmt.Errorf("ledger: unit %d year %d: candidates read out of order", unit, year)
	}
	if taken, left := m.allocate(year, b.oldest); !left.IsPositive() {
		ids := make([]int64, taken)
		for i, c := range b.oldest[:taken] {
			ids[i] = c.ExpenditureID
		}
		shown, err := showExpenditures(ctx, ps, q, ids)
		if err != nil {
			return allocated{}, err
		}
		out := allocated{accounts: make([]int64, taken), shown: make([]StatementAllocation, taken)}
		for i, c := range b.oldest[:taken] {
			out.accounts[i], out.shown[i] = c.accountID, shown[c.ExpenditureID]
			out.shown[i].Amount = m.Allocations[i].Amount
		}
		return out, nil
	}

	// Both slices are sized up front, and each row is read in place: growing
	// them, or copying each row into them, costs as much as reading the rows.
	cs := make([]Candidate, 0, b.candidates)
	texts := make([]shownText, 0, b.candidates)
	err := withHashJoins(ctx, q, func() error {
		// Read without reflection, for a run may use many; and sorted
		// here, not by the database, which sorts these wide rows slower.
		rows, err := q.QueryContext(ctx, `
			SELECT `+candidateRowColumn+`
			  FROM ledger_accounts a JOIN expenditures e ON e.id = a.expenditure_id
			  JOIN pledges pl ON pl.id = e.pledge_id
			  JOIN schools s ON s.id = pl.school_id
			 WHERE `+candidatesWhere,
			unit, year, pq.Array(b.policy.EligibleCategories), pq.Array(b.carriedYears), pq.Array(b.carriedCategories))
		if err != nil {
			return err
		}
		defer rows.Close()
		var row string
		for rows.Next() {
			if err := rows.Scan(&row); err != nil {
				return err
			}
			// Extended in place: appending a zero row first copies it in,
			// write barriers and all, and then its reading over it.
			n := len(cs)
			cs, texts = slices.Grow(cs, 1)[:n+1], slices.Grow(texts, 1)[:n+1]
			if err := parseCandidateRow(row, &cs[n], &texts[n]); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	if err != nil {
		return allocated{}, err
	}
	// Oldest first, as MatchYear sorts them: by a permutation, for the
	// rows are wide.
	perm := oldestFirstOrder(year, cs)
	sorted := make([]Candidate, len(cs))
	for i, k := range perm {
		sorted[i] = cs[k]
	}
	*m = matchSorted(b.policy, b.state, sorted)
	n := len(m.Allocations)
	out := allocated{accounts: make([]int64, n), shown: make([]StatementAllocation, n), amounts: make([]string, n)}
	for i, k := range perm[:n] { // the allocations are of the oldest, in order
		out.accounts[i] = cs[k].accountID
		texts[k].show(&cs[k], &out.shown[i])
		out.shown[i].Amount = m.Allocations[i].Amount
		if m.Allocations[i].Amount.Equal(cs[k].Unused) {
			out.amounts[i] = canonicalAmount(texts[k].unused)
		}
	}
	return out, nil
}

// showExpendituresQuery reads what a statement shows of the expenditures $1.
const showExpendituresQuery = `
	SELECT e.id, e.fiscal_year, e.spent_on, e.invoice_no, e.vendor_name, e.category, s.id, s.name
	  FROM expenditures e JOIN pledges pl ON pl.id = e.pledge_id JOIN schools s ON s.id = pl.school_id
	 WHERE e.id = ANY($1)`

// showExpenditures returns what a statement shows of the expenditures ids
// (but the amount), by id: few, each found by its key; prepared when ps
// has it.
func showExpenditures(ctx context.Context, ps prepared, q sqlx.QueryerContext, ids []int64) (map[int64]StatementAllocation, error) {
	rows, err := ps.query(ctx, q, showExpendituresQuery, pq.Array(ids))
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
	if err != nil {
		return st, fmt.Errorf("run offset unit %d year %d: %w", unit, year, err)
	}
	return st, nil
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
		ps    = s.prepared(ctx) // before the transaction: see prepared
	)
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := LockUnitBooks(ctx, tx, unit); err != nil {
			return err
		}
		pl, err := s.planOffset(ctx, ps, tx, unit, year)
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
			if txID, err = postOffset(ctx, ps, tx, actor.UserKey(), unit, year, b, m, ran); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE tax_years SET run_at = $3, run_by = $4 WHERE unit_id = $1 AND fiscal_year = $2`,
			unit, year, tx.Now, actor.UserKey()); err != nil {
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

// postOffset appends what a run adds, as post does: the spending it uses,
// out of each expenditure's account (ran.accounts, in m.Allocations'
// order, known by id from the reading) into the year's used spending, and the
// offset, out of the tax due into the year's offset account. It writes the
// insert's arrays directly: a run of 10,000 allocations makes no Posting,
// no negated decimal and no sum per asset for each. The database checks
// that the transaction balances per asset, as it does for post's.
func postOffset(ctx context.Context, ps prepared, tx *database.Tx, actorID *int64, unit int64, year int, b yearBooks, m Match, ran allocated) (int64, error) {
	n := len(m.Allocations)
	accountIDs, amounts := make([]int64, n, n+3), make([]string, n, n+3)
	for i, a := range m.Allocations {
		text := ""
		if ran.amounts != nil {
			text = ran.amounts[i]
		}
		if text == "" {
			text = a.Amount.String()
		}
		accountIDs[i], amounts[i] = ran.accounts[i], "-"+text
	}
	// The year's accounts, once opened; nothing is posted to them when
	// their amount is 0.
	yearly := []Posting{
		{usedSpending(unit, year), m.UsedIncrease},
		{taxDue(unit, year), m.OffsetIncrease.Neg()},
		{taxOffset(unit, year), m.OffsetIncrease}}
	yearly[0].Account.id, yearly[1].Account.id, yearly[2].Account.id = b.usedAccount, b.dueAccount, b.offsetAccount
	var unopened []Posting
	for _, p := range yearly {
		if !p.Amount.IsZero() && p.Account.id == 0 {
			unopened = append(unopened, p)
		}
	}
	opened, err := openAccounts(ctx, ps, tx, unopened)
	if err != nil {
		return 0, err
	}
	for _, p := range yearly {
		if p.Amount.IsZero() {
			continue
		}
		id := p.Account.id
		if id == 0 {
			id = opened[p.Account.Code()]
		}
		accountIDs, amounts = append(accountIDs, id), append(amounts, p.Amount.String())
	}
	id, err := insertTransactionText(ctx, ps, tx, actorID, header{kind: TxOffset, unitID: unit, fiscalYear: year, memo: "Article 172 offset run"},
		accountIDs, amounts)
	if err != nil {
		return 0, fmt.Errorf("post %s transaction of unit %d: %w", TxOffset, unit, err)
	}
	return id, nil
}

// offsetPlan is what a run of a unit-year would post, read under the
// unit's lock: the books before it, the match, and its allocations with
// their accounts. A run posts it; a preview shows it and posts nothing.
type offsetPlan struct {
	books yearBooks
	match Match
	ran   allocated
}

// planOffset reads a unit-year's books and matches them, as a run does.
// Call LockUnitBooks first; ps (Store.prepared) before the transaction.
func (s *Store) planOffset(ctx context.Context, ps prepared, tx *database.Tx, unit int64, year int) (offsetPlan, error) {
	oldest := cmp.Or(s.runReadsOldest, defaultRunReadsOldest)
	b, err := readYearBooks(ctx, ps, tx, unit, year, true, oldest)
	if err != nil {
		return offsetPlan{}, err
	}
	// MatchYear in two steps: the figures from the sums, then the
	// allocations from as much of the spending as they use.
	m := matchFigures(b.policy, b.state, b.offer)
	ran, err := readAllocations(ctx, ps, tx, unit, b, &m)
	if err != nil {
		return offsetPlan{}, err
	}
	return offsetPlan{books: b, match: m, ran: ran}, nil
}

// shown is what a statement shows of the plan's allocations: a copy, in
// their order. Call it before after, which takes them over.
func (pl offsetPlan) shown() []StatementAllocation {
	shown := slices.Clone(pl.allocations())
	jalali := jalaliDates{}
	for i, a := range shown {
		shown[i].SpentOnJalali = jalali.of(a.SpentOn)
	}
	return shown
}

// allocations is the plan's allocations as a statement shows them, but for
// their Jalali dates (statement adds them), never nil.
func (pl offsetPlan) allocations() []StatementAllocation {
	if pl.ran.shown == nil {
		return []StatementAllocation{}
	}
	return pl.ran.shown
}

// after is the statement of the books as the plan leaves them, once posted
// as transaction txID (0: not posted, a preview) at runAt. The statement
// takes the plan's allocations over (and may reorder them): call it last.
func (pl offsetPlan) after(ctx context.Context, q sqlx.QueryerContext, unit int64, year int, txID int64, runAt *time.Time) (Statement, error) {
	b, m := pl.books, pl.match
	b.taxYear.RunAt = runAt
	b.state.Applied, b.state.Used = m.Offset, m.Used
	return statement(ctx, q, unit, year, b, m.settled(), posted{txID, pl.allocations()})
}
