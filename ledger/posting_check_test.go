package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// TestPostingsCheckedByAccounts holds migration 0019's cheaper checks of a
// statement of postings to the guarantees of 0012: the balances' UPDATE
// locks no row for a trigger, a statement of one transaction is checked
// from its accounts' sums, and one of several transactions still per
// transaction.
func TestPostingsCheckedByAccounts(t *testing.T) {
	b := newBooks(t, 1)
	b.policy(1404, creditFull)
	u := b.units[0]
	b.spendApproved(u, "2025-05-01", "1000")
	b.mustAssess(u, 1404, "2000", "")
	b.run(u, 1404)
	ctx := context.Background()

	t.Run("no row trigger runs before an account's update", func(t *testing.T) {
		// PostgreSQL locks every row it updates for a BEFORE UPDATE row
		// trigger, column list or not, before it looks at the columns: a
		// run that uses 10,000 expenditures would lock 10,003 accounts, a
		// WAL record each.
		var before []string
		if err := b.db.Select(&before, `
			SELECT tgname FROM pg_trigger
			 WHERE tgrelid = 'ledger_accounts'::regclass AND NOT tgisinternal
			   AND tgtype & 1 = 1 AND tgtype & 2 = 2 AND tgtype & 16 = 16 ORDER BY tgname`); err != nil {
			t.Fatal(err)
		}
		if len(before) > 0 {
			t.Fatalf("BEFORE UPDATE row triggers on ledger_accounts: %v", before)
		}
	})

	var due, offset, expenditure int64
	if err := b.db.QueryRow(`
		SELECT (SELECT id FROM ledger_accounts WHERE code = $1), (SELECT id FROM ledger_accounts WHERE code = $2),
		       (SELECT min(id) FROM ledger_accounts WHERE unit_id = $3 AND expenditure_id IS NOT NULL)`,
		fmt.Sprintf("unit:%d:tax:1404:due", u), fmt.Sprintf("unit:%d:tax:1404:offset", u), u).
		Scan(&due, &offset, &expenditure); err != nil {
		t.Fatal(err)
	}
	// twoTxs inserts two transactions of the unit and, in one statement,
	// the postings $2 (accounts) and $3 (amounts), each of the transaction
	// $1 names (1 or 2; 3 names one that does not exist).
	twoTxs := fmt.Sprintf(`
		WITH t AS (
			INSERT INTO ledger_transactions (kind, unit_id, fiscal_year, memo, postings_sha256, created_at)
			SELECT 'offset', %d, 1404, 'test', sha256(''), now() FROM generate_series(1, 2)
			RETURNING id
		), k AS (
			SELECT id, row_number() OVER (ORDER BY id) AS k FROM t
			UNION ALL SELECT -1, 3
		)
		INSERT INTO ledger_postings (transaction_id, account_id, amount)
		SELECT k.id, x.a, x.v FROM unnest($1::bigint[], $2::bigint[], $3::numeric[]) AS x(k, a, v) JOIN k ON k.k = x.k`, u)
	cases := []struct {
		name     string
		txs      []int64
		accounts []int64
		amounts  []string
		code     string // "": accepted
	}{
		{"two transactions, each balanced", []int64{1, 1, 2, 2}, []int64{due, offset, due, offset}, []string{"-1", "1", "-2", "2"}, ""},
		{"two transactions that balance only together", []int64{1, 1, 2}, []int64{due, offset, due}, []string{"-1", "2", "-1"}, "23514"},
		{"two transactions that balance only across assets", []int64{1, 1, 2, 2}, []int64{due, offset, expenditure, offset}, []string{"-1", "1", "-1", "1"}, "23514"},
		{"two transactions and postings of one that does not exist", []int64{1, 1, 2, 2, 3, 3}, []int64{due, offset, due, offset, due, offset},
			[]string{"-1", "1", "-1", "1", "-1", "1"}, "23503"},
		{"two transactions and an account that does not exist", []int64{1, 1, 2, 2}, []int64{due, offset, due, 999999}, []string{"-1", "1", "-1", "1"}, "23503"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := b.db.BeginTxx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			var offsetBefore decimal.Decimal
			if err := tx.Get(&offsetBefore, `SELECT balance FROM ledger_accounts WHERE id = $1`, offset); err != nil {
				t.Fatal(err)
			}
			// The statement itself is refused: not the commit, after it.
			_, err = tx.ExecContext(ctx, twoTxs, pq.Array(c.txs), pq.Array(c.accounts), pq.Array(c.amounts))
			if c.code != "" {
				var pe *pq.Error
				if !errors.As(err, &pe) || string(pe.Code) != c.code {
					t.Fatalf("got %v, want SQLSTATE %s from the statement", err, c.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var offsetAfter decimal.Decimal
			if err := tx.Get(&offsetAfter, `SELECT balance FROM ledger_accounts WHERE id = $1`, offset); err != nil {
				t.Fatal(err)
			}
			if got := offsetAfter.Sub(offsetBefore); !eq(got, "3") {
				t.Fatalf("the offset account rose by %s, want 3", got)
			}
		})
	}

	t.Run("an account's update that leaves id and asset alone goes through", func(t *testing.T) {
		// The guard against renumbering (see TestPostingsGuardedPerStatement)
		// fires on a change of id or asset only.
		tx, err := b.db.BeginTxx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		if _, err := tx.ExecContext(ctx, `UPDATE ledger_accounts SET id = id, asset = asset, may_go_negative = may_go_negative WHERE id = $1`, due); err != nil {
			t.Fatal(err)
		}
	})
	b.mustVerify()
}

// TestRunPostsWhatMatchYearAllocates compares a run's postings, row by row,
// with what MatchYear (the contract's allocation, in Go) makes of the
// candidates read before it: the same expenditures in the same order, the
// same amounts, the year's three postings after them, the digest of exactly
// those postings; and the run's statement shows them.
func TestRunPostsWhatMatchYearAllocates(t *testing.T) {
	b := newBooks(t, 1)
	b.policy(1403, creditFull)
	b.policy(1404, `{"mode":"credit","rate":"1","carry_forward_years":1,"legal_basis":"بودجه"}`)
	u := b.units[0]
	// 1403: a few, one partly used by its run; 1404: dates out of id order,
	// equal dates, amounts with cents.
	for i, on := range []string{"2024-06-10", "2024-04-02", "2024-09-30"} {
		b.spendApproved(u, on, fmt.Sprintf("%d.25", 100*(i+1)))
	}
	b.mustAssess(u, 1403, "250", "")
	b.run(u, 1403)
	for i, on := range []string{"2025-08-01", "2025-03-25", "2025-08-01", "2026-01-15", "2025-03-25", "2025-11-11"} {
		b.spendApproved(u, on, fmt.Sprintf("%d.%02d", 37*(i+1), 7*i))
	}
	b.bulkApprove(u, 100, 1404, "12.34") // more than a run reads with the sums
	ctx := context.Background()
	for _, due := range []string{"150", "400", "100000"} { // a few, more, all
		b.mustAssess(u, 1404, due, "")
		// The reference: the candidates as the books hold them, matched in Go.
		before := b.statement(u, 1404)
		cands := candidatesOf(t, b, u, 1404)
		p := *before.Policy
		want := ledger.MatchYear(p, ledger.YearState{FiscalYear: 1404, TaxDue: before.TaxDue, TaxableIncome: before.TaxableIncome,
			Applied: before.OffsetAmount, Used: before.SpendingUsed}, cands)

		st, err := b.store.RunOffset(ctx, b.tax, u, 1404)
		if err != nil {
			t.Fatal(err)
		}
		var rows []struct {
			Expenditure *int64          `db:"expenditure_id"`
			Code        string          `db:"code"`
			Amount      decimal.Decimal `db:"amount"`
		}
		if err := b.db.Select(&rows, `
			SELECT a.expenditure_id, a.code, p.amount
			  FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
			 WHERE p.transaction_id = (SELECT max(id) FROM ledger_transactions WHERE kind = 'offset')
			 ORDER BY p.id`); err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(want.Allocations)+3 {
			t.Fatalf("due %s: %d postings, want %d allocations and 3", due, len(rows), len(want.Allocations))
		}
		for i, a := range want.Allocations {
			r := rows[i]
			if r.Expenditure == nil || *r.Expenditure != a.ExpenditureID || !r.Amount.Equal(a.Amount.Neg()) {
				t.Fatalf("due %s: posting %d is %s %s, want expenditure %d −%s", due, i, r.Code, r.Amount, a.ExpenditureID, a.Amount)
			}
		}
		tail := rows[len(want.Allocations):]
		for i, w := range []struct {
			code   string
			amount decimal.Decimal
		}{
			{fmt.Sprintf("unit:%d:spending:1404:used", u), want.UsedIncrease},
			{fmt.Sprintf("unit:%d:tax:1404:due", u), want.OffsetIncrease.Neg()},
			{fmt.Sprintf("unit:%d:tax:1404:offset", u), want.OffsetIncrease},
		} {
			if tail[i].Code != w.code || !tail[i].Amount.Equal(w.amount) {
				t.Fatalf("due %s: posting %s %s, want %s %s", due, tail[i].Code, tail[i].Amount, w.code, w.amount)
			}
		}
		if !st.OffsetAmount.Equal(want.Offset) || !st.SpendingUsed.Equal(want.Used) || !st.PendingOffset.IsZero() {
			t.Fatalf("due %s: statement offset %s used %s pending %s, want %s %s 0", due, st.OffsetAmount, st.SpendingUsed, st.PendingOffset, want.Offset, want.Used)
		}
		// Each allocation is in the statement with what the year used of
		// its expenditure, and its date's Jalali twin.
		shown := map[int64]ledger.StatementAllocation{}
		for _, a := range st.Allocations {
			shown[a.ExpenditureID] = a
			if a.SpentOnJalali != a.SpentOn.Jalali() {
				t.Fatalf("expenditure %d dated %s shown as %s", a.ExpenditureID, a.SpentOn, a.SpentOnJalali)
			}
		}
		for _, a := range want.Allocations {
			if _, ok := shown[a.ExpenditureID]; !ok {
				t.Fatalf("due %s: expenditure %d is not in the statement", due, a.ExpenditureID)
			}
		}
		if got := b.statement(u, 1404); fmt.Sprint(got.Allocations) != fmt.Sprint(st.Allocations) {
			t.Fatalf("due %s: the run's statement shows %v, read again %v", due, st.Allocations, got.Allocations)
		}
	}
	b.mustVerify() // the digests are of exactly the postings
}

// candidatesOf reads the unit-year's candidates as the books hold them: the
// approved, unused spending of the year's eligible categories and of the
// run earlier year its policy carries (1403 here, every category).
func candidatesOf(t *testing.T, b *books, unit int64, year int) []ledger.Candidate {
	t.Helper()
	var rows []struct {
		ID      int64           `db:"id"`
		Year    int             `db:"fiscal_year"`
		SpentOn taahod.Date     `db:"spent_on"`
		Unused  decimal.Decimal `db:"balance"`
	}
	if err := b.db.Select(&rows, `
		SELECT e.id, e.fiscal_year, e.spent_on, a.balance
		  FROM ledger_accounts a JOIN expenditures e ON e.id = a.expenditure_id
		 WHERE a.unit_id = $1 AND a.balance > 0 AND e.fiscal_year BETWEEN $2 - 1 AND $2`, unit, year); err != nil {
		t.Fatal(err)
	}
	out := make([]ledger.Candidate, len(rows))
	for i, r := range rows {
		out[i] = ledger.Candidate{ExpenditureID: r.ID, FiscalYear: r.Year, SpentOn: r.SpentOn, Unused: r.Unused}
	}
	return out
}
