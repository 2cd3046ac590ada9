package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// TestPostingsOfOneTransaction holds the path for a statement of one
// transaction's postings (migration 0025, leaner since 0027), which takes
// each posting as its account's change, to the guarantees of the general
// path: an account with several
// postings still gets their sum (the path steps aside), an account or a
// transaction that does not exist and a transaction that does not balance
// are refused by the statement, and the spending sums follow, approvals
// and reversals of them counted as approved spending.
func TestPostingsOfOneTransaction(t *testing.T) {
	b := newBooks(t, 1)
	b.policy(1404, creditFull)
	u := b.units[0]
	first := b.spendApproved(u, "2025-05-01", "1000")
	b.spendApproved(u, "2025-05-02", "500")
	b.mustAssess(u, 1404, "2000", "")
	b.run(u, 1404)
	b.mustKeepSpendingSums("a run")
	ctx := context.Background()

	var due, offset, contributions, spent int64
	if err := b.db.QueryRow(`
		SELECT (SELECT id FROM ledger_accounts WHERE code = $1), (SELECT id FROM ledger_accounts WHERE code = $2),
		       (SELECT id FROM ledger_accounts WHERE code = $3), (SELECT id FROM ledger_accounts WHERE expenditure_id = $4)`,
		fmt.Sprintf("unit:%d:tax:1404:due", u), fmt.Sprintf("unit:%d:tax:1404:offset", u),
		fmt.Sprintf("unit:%d:spending:contributions", u), first).
		Scan(&due, &offset, &contributions, &spent); err != nil {
		t.Fatal(err)
	}
	// oneTx inserts a transaction of the unit ($1: naming expenditure
	// $2, or none when 0) and, in one statement, its postings $3
	// (accounts) and $4 (amounts); $5 true names a transaction that does
	// not exist instead.
	oneTx := fmt.Sprintf(`
		WITH t AS (
			INSERT INTO ledger_transactions (kind, unit_id, fiscal_year, expenditure_id, memo, postings_sha256, created_at)
			VALUES ($1, %d, CASE WHEN $1 = 'offset' THEN 1404 END, NULLIF($2::bigint, 0), 'test', sha256(''), now())
			RETURNING id
		)
		INSERT INTO ledger_postings (transaction_id, account_id, amount)
		SELECT CASE WHEN $5 THEN -1 ELSE t.id END, x.a, x.v FROM t, unnest($3::bigint[], $4::numeric[]) AS x(a, v)`, u)
	balance := func(q interface {
		Get(any, string, ...any) error
	}, id int64) decimal.Decimal {
		t.Helper()
		var d decimal.Decimal
		if err := q.Get(&d, `SELECT balance FROM ledger_accounts WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		return d
	}
	cases := []struct {
		name        string
		kind        string
		expenditure int64
		accounts    []int64
		amounts     []string
		missingTx   bool
		code        string           // "": accepted
		rise        map[int64]string // accepted: what each account's balance rose by
	}{
		{"each account once", "offset", 0, []int64{due, offset}, []string{"-3", "3"}, false, "",
			map[int64]string{due: "-3", offset: "3"}},
		{"an account twice", "offset", 0, []int64{due, offset, due, offset}, []string{"-1", "1", "-2", "2"}, false, "",
			map[int64]string{due: "-3", offset: "3"}},
		{"an expenditure's account twice, as approved spending", "approval", first, []int64{contributions, spent, spent},
			[]string{"-7", "3", "4"}, false, "", map[int64]string{spent: "7", contributions: "-7"}},
		{"an expenditure's account once, as approved spending", "approval", first, []int64{contributions, spent},
			[]string{"-7", "7"}, false, "", map[int64]string{spent: "7", contributions: "-7"}},
		{"an expenditure's account, not as approved spending", "offset", 0, []int64{contributions, spent},
			[]string{"-5", "5"}, false, "", map[int64]string{spent: "5", contributions: "-5"}},
		// An account below zero by one of its postings, and back by the
		// other, in either order: the sum is what is applied.
		{"an account twice, below zero and back", "offset", 0, []int64{due, due}, []string{"-1000000", "1000000"}, false, "",
			map[int64]string{due: "0"}},
		{"an account twice, up and back", "offset", 0, []int64{due, due}, []string{"1000000", "-1000000"}, false, "",
			map[int64]string{due: "0"}},
		{"an account twice, below zero", "offset", 0, []int64{due, due, offset}, []string{"-1000000", "1", "999999"}, false, "23514", nil},
		{"an account once, below zero", "offset", 0, []int64{due, offset}, []string{"-1000000", "1000000"}, false, "23514", nil},
		{"across assets", "offset", 0, []int64{due, spent}, []string{"-1", "1"}, false, "23514", nil},
		{"unbalanced", "offset", 0, []int64{due, offset}, []string{"-1", "2"}, false, "23514", nil},
		{"unbalanced, an account twice", "offset", 0, []int64{due, offset, offset}, []string{"-1", "1", "1"}, false, "23514", nil},
		{"an account that does not exist", "offset", 0, []int64{due, 999999}, []string{"-1", "1"}, false, "23503", nil},
		{"a transaction that does not exist", "offset", 0, []int64{due, offset}, []string{"-1", "1"}, true, "23503", nil},
	}
	// What the refusal names: the first asset, by name, that does not
	// balance.
	says := map[string]string{
		"across assets": "does not balance in spending",
		"unbalanced":    "does not balance in tax",
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tx, err := b.db.BeginTxx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			before := map[int64]decimal.Decimal{}
			for id := range c.rise {
				before[id] = balance(tx, id)
			}
			_, err = tx.ExecContext(ctx, oneTx, c.kind, c.expenditure, pq.Array(c.accounts), pq.Array(c.amounts), c.missingTx)
			if c.code != "" {
				var pe *pq.Error
				if !errors.As(err, &pe) || string(pe.Code) != c.code {
					t.Fatalf("got %v, want SQLSTATE %s from the statement", err, c.code)
				}
				if want, ok := says[c.name]; ok && !strings.Contains(pe.Message, want) {
					t.Fatalf("the refusal says %q, want it to say %q", pe.Message, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for id, want := range c.rise {
				if got := balance(tx, id).Sub(before[id]); !eq(got, want) {
					t.Fatalf("account %d rose by %s, want %s", id, got, want)
				}
			}
			// The sums kept in this transaction agree with the accounts.
			var kept, recounted []string
			if err := tx.Select(&kept, `
				SELECT fiscal_year || '/' || category || ' ' || approved || ' ' || unused || ' ' || unused_accounts
				  FROM ledger_spending_sums WHERE unit_id = $1 ORDER BY fiscal_year, category`, u); err != nil {
				t.Fatal(err)
			}
			if err := tx.Select(&recounted, `
				SELECT e.fiscal_year || '/' || e.category || ' ' || sum(x.approved)::numeric(40,2) || ' ' ||
				       sum(a.balance)::numeric(40,2) || ' ' || count(*) FILTER (WHERE a.balance > 0)
				  FROM ledger_accounts a
				  JOIN expenditures e ON e.id = a.expenditure_id
				  CROSS JOIN LATERAL (
				      SELECT COALESCE(sum(p.amount), 0) AS approved
				        FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
				       WHERE p.account_id = a.id AND t.expenditure_id IS NOT NULL) x
				 WHERE a.unit_id = $1
				 GROUP BY e.fiscal_year, e.category ORDER BY e.fiscal_year, e.category`, u); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(kept) != fmt.Sprint(recounted) {
				t.Fatalf("the sums kept are %q, the accounts make %q", kept, recounted)
			}
		})
	}
	b.mustKeepSpendingSums("after the statements, rolled back")
	b.mustVerify()
}
