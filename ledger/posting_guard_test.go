package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/lib/pq"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
)

// TestPostingsGuardedPerStatement holds the database's guard of the ledger
// to its promises now that postings are checked by statement (migration
// 0012): nothing fires per posting, yet what the foreign keys and the check
// at commit refused is still refused, by the database, whatever the
// application sends.
func TestPostingsGuardedPerStatement(t *testing.T) {
	b := newBooks(t, 1)
	b.policy(1404, creditFull)
	u := b.units[0]
	b.spendApproved(u, "2025-05-01", "1000")
	b.mustAssess(u, 1404, "2000", "") // the run uses all the spending and leaves tax due
	b.run(u, 1404)
	ctx := context.Background()

	t.Run("no trigger fires per posting written", func(t *testing.T) {
		// A row-level INSERT trigger on postings (a foreign key's too) runs
		// once per posting: 10,003 times for a run that uses 10,000
		// expenditures.
		var perRow []string
		if err := b.db.Select(&perRow, `
			SELECT tgname FROM pg_trigger
			 WHERE tgrelid = 'ledger_postings'::regclass AND tgtype & 1 = 1 AND tgtype & 4 = 4 ORDER BY tgname`); err != nil {
			t.Fatal(err)
		}
		if len(perRow) > 0 {
			t.Fatalf("row-level INSERT triggers on ledger_postings: %v", perRow)
		}
	})

	var contributions, expenditure, due, offset, tx int64
	if err := b.db.QueryRow(`
		SELECT (SELECT id FROM ledger_accounts WHERE code = $1), (SELECT min(id) FROM ledger_accounts WHERE unit_id = $2 AND expenditure_id IS NOT NULL),
		       (SELECT id FROM ledger_accounts WHERE code = $3), (SELECT id FROM ledger_accounts WHERE code = $4),
		       (SELECT max(id) FROM ledger_transactions WHERE kind = 'offset')`,
		fmt.Sprintf("unit:%d:spending:contributions", u), u, fmt.Sprintf("unit:%d:tax:1404:due", u), fmt.Sprintf("unit:%d:tax:1404:offset", u)).
		Scan(&contributions, &expenditure, &due, &offset, &tx); err != nil {
		t.Fatal(err)
	}
	// newTx is a statement that inserts a transaction of the unit and the
	// postings $1 (accounts) and $2 (amounts) in one go, as the store does.
	newTx := fmt.Sprintf(`
		WITH t AS (
			INSERT INTO ledger_transactions (kind, unit_id, fiscal_year, memo, postings_sha256, created_at)
			VALUES ('offset', %d, 1404, 'test', sha256(''), now()) RETURNING id
		)
		INSERT INTO ledger_postings (transaction_id, account_id, amount)
		SELECT t.id, a, v FROM t, unnest($1::bigint[], $2::numeric[]) AS x(a, v)`, u)

	refused := []struct {
		name       string
		statements []string
		args       [][]any
		code       string
	}{
		{"a posting on an account that does not exist", []string{newTx},
			[][]any{{pq.Array([]int64{due, 999999}), pq.Array([]string{"-1", "1"})}}, "23503"},
		{"a posting of a transaction that does not exist",
			[]string{`INSERT INTO ledger_postings (transaction_id, account_id, amount) VALUES (999999, $1, -1), (999999, $2, 1)`},
			[][]any{{due, offset}}, "23503"},
		{"a transaction that does not balance", []string{newTx},
			[][]any{{pq.Array([]int64{due, offset, offset}), pq.Array([]string{"-1", "1", "1"})}}, "23514"},
		{"a transaction that balances only across assets", []string{newTx},
			[][]any{{pq.Array([]int64{due, expenditure}), pq.Array([]string{"-1", "1"})}}, "23514"},
		// The check at commit saw only new transactions: a posting added to
		// an earlier one went through.
		{"postings added to an earlier transaction that unbalance it",
			[]string{`INSERT INTO ledger_postings (transaction_id, account_id, amount) VALUES ($1, $2, -1)`},
			[][]any{{tx, due}}, "23514"},
		{"a transaction with no postings",
			[]string{`INSERT INTO ledger_transactions (kind, unit_id, fiscal_year, memo, postings_sha256, created_at)
			          VALUES ('offset', $1, 1404, 'test', sha256(''), now())`},
			[][]any{{u}}, "23514"},
		{"a posting that takes a balance below zero", []string{newTx},
			[][]any{{pq.Array([]int64{expenditure, contributions}), pq.Array([]string{"-1", "1"})}}, "23514"},
		{"an account deleted", []string{`DELETE FROM ledger_accounts WHERE id = $1`}, [][]any{{due}}, "55000"},
		{"an account renumbered", []string{`UPDATE ledger_accounts SET id = id + 1000000 WHERE id = $1`}, [][]any{{offset}}, "55000"},
		{"an account's asset changed", []string{`UPDATE ledger_accounts SET asset = 'spending' WHERE id = $1`}, [][]any{{due}}, "55000"},
		{"the accounts truncated", []string{`TRUNCATE ledger_accounts CASCADE`}, [][]any{nil}, "55000"},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			// A plain transaction, to see the database's own error.
			tx, err := b.db.BeginTxx(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Rollback()
			for i, q := range c.statements {
				if _, err = tx.ExecContext(ctx, q, c.args[i]...); err != nil {
					break
				}
			}
			if err == nil {
				err = tx.Commit()
			}
			var pe *pq.Error
			if !errors.As(err, &pe) || string(pe.Code) != c.code {
				t.Fatalf("got %v, want SQLSTATE %s", err, c.code)
			}
		})
	}

	t.Run("balances follow every posting of a statement", func(t *testing.T) {
		// Two postings on one account in one statement: the balance takes
		// both.
		before := b.statement(u, 1404)
		err := b.db.Transact(ctx, func(tx *database.Tx) error {
			_, err := tx.ExecContext(ctx, newTx, pq.Array([]int64{due, offset, due, offset}), pq.Array([]string{"-2", "2", "-3", "3"}))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		after := b.statement(u, 1404)
		if got := after.OffsetAmount.Sub(before.OffsetAmount); !eq(got, "5") {
			t.Fatalf("the offset rose by %s, want 5", got)
		}
		// The digest of the test's transaction is not its postings': verify
		// names that transaction and nothing else.
		_, findings, err := ledger.Verify(ctx, b.db)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			if f.Check != "ledger digest" {
				t.Errorf("verify: %s", f)
			}
		}
	})
}
