package ledger_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
)

// tamperedBooks are books with every kind of ledger transaction: approvals,
// assessments, offset runs over two years with carried spending, and a
// reversal.
func tamperedBooks(t *testing.T) *books {
	t.Helper()
	b := newBooks(t, 2)
	b.policy(1403, deduction172)
	b.policy(1404, `{"mode":"credit","rate":"1","carry_forward_years":1,"legal_basis":"بودجه"}`)
	for _, u := range b.units {
		b.spendApproved(u, "2024-06-01", "4000")
		e := b.spend(u, "2024-07-01", "3000", "equipment")
		b.approve(e, "2500.50")
		b.spendApproved(u, "2025-06-01", "1200")
		b.mustAssess(u, 1403, "700", "")
		b.run(u, 1403)
		b.mustAssess(u, 1404, "5000", "")
		b.run(u, 1404)
	}
	gone := b.spendApproved(b.units[1], "2025-07-01", "100")
	b.run(b.units[1], 1404)
	if err := b.store.ReverseApproval(context.Background(), b.tax, gone, ledger.ReverseInput{Reason: "فاکتور تکراری"}); err != nil {
		t.Fatal(err)
	}
	b.mustVerify()
	return b
}

// tamper runs statements on one connection with the triggers off, as
// someone with the database's superuser password could.
func tamper(t *testing.T, db *database.DB, statements ...string) {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range append(append([]string{`SET session_replication_role = replica`}, statements...), `SET session_replication_role = origin`) {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestVerifyNamesTampering changes the books behind the application's back,
// one way at a time, and expects ledger.Verify to name what was changed.
func TestVerifyNamesTampering(t *testing.T) {
	// Each case picks its victim with a query and returns the statements
	// that change it and the subject Verify must name.
	cases := []struct {
		name   string
		victim string // one row: an id or a key
		change func(victim string) (statements []string, subject string)
	}{
		{
			name:   "a posting's amount",
			victim: `SELECT p.id FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id WHERE t.kind = 'offset' ORDER BY p.id LIMIT 1`,
			change: func(id string) ([]string, string) {
				return []string{`UPDATE ledger_postings SET amount = amount + 1 WHERE id = ` + id}, "ledger posting " + id
			},
		},
		{
			name:   "a posting's amount, balanced by another's in the same transaction",
			victim: `SELECT p.id FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id WHERE t.kind = 'approval' ORDER BY p.id LIMIT 1`,
			change: func(id string) ([]string, string) {
				// An approval's two postings, both moved by 1000: the
				// transaction still balances, only its digest and the
				// accounts' balances tell.
				return []string{
					`UPDATE ledger_postings SET amount = amount - 1000 WHERE id = ` + id,
					`UPDATE ledger_postings SET amount = amount + 1000 WHERE transaction_id = (SELECT transaction_id FROM ledger_postings WHERE id = ` + id + `) AND id <> ` + id,
				}, "ledger posting " + id
			},
		},
		{
			name: "a posting's account",
			// An offset posting moved to another expenditure's account of
			// the same unit: the same asset, so every sum still balances.
			victim: `SELECT p.id || ':' || (SELECT o.id FROM ledger_accounts o WHERE o.unit_id = a.unit_id AND o.expenditure_id IS NOT NULL AND o.id <> a.id ORDER BY o.id LIMIT 1)
			           FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id JOIN ledger_transactions t ON t.id = p.transaction_id
			          WHERE t.kind = 'offset' AND a.expenditure_id IS NOT NULL ORDER BY p.id LIMIT 1`,
			change: func(v string) ([]string, string) {
				id, account, _ := strings.Cut(v, ":")
				return []string{`UPDATE ledger_postings SET account_id = ` + account + ` WHERE id = ` + id}, "ledger posting " + id
			},
		},
		{
			name:   "a transaction's digest",
			victim: `SELECT id FROM ledger_transactions WHERE kind = 'assessment' ORDER BY id LIMIT 1`,
			change: func(id string) ([]string, string) {
				return []string{`UPDATE ledger_transactions SET postings_sha256 = sha256('forged') WHERE id = ` + id}, "ledger transaction " + id
			},
		},
		{
			name:   "a transaction's kind",
			victim: `SELECT id FROM ledger_transactions WHERE kind = 'approval' ORDER BY id LIMIT 1`,
			change: func(id string) ([]string, string) {
				// An approval passed off as an offset: the expenditure's
				// account no longer holds what its review approved.
				return []string{`UPDATE ledger_transactions SET kind = 'offset', fiscal_year = 1404 WHERE id = ` + id},
					"expenditure " + strings.TrimSpace(id)
			},
		},
		{
			name: "a posting's amount, its account's balance made to match",
			victim: `SELECT p.transaction_id || ':' || p.id FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
			           JOIN ledger_accounts a ON a.id = p.account_id WHERE t.kind = 'offset' AND a.code LIKE '%:offset' ORDER BY p.id LIMIT 1`,
			change: func(v string) ([]string, string) {
				// Only the transaction's digest (and balance) can tell now.
				tx, id, _ := strings.Cut(v, ":")
				return []string{
					`UPDATE ledger_postings SET amount = amount - 1 WHERE id = ` + id,
					`UPDATE ledger_accounts SET balance = balance - 1 WHERE id = (SELECT account_id FROM ledger_postings WHERE id = ` + id + `)`,
				}, "ledger transaction " + tx
			},
		},
		{
			name:   "an offset's year",
			victim: `SELECT id FROM ledger_transactions WHERE kind = 'offset' AND fiscal_year = 1404 ORDER BY id LIMIT 1`,
			change: func(id string) ([]string, string) {
				// The statement of 1403 would show 1404's allocations, and a
				// reversal would undo the wrong year.
				return []string{`UPDATE ledger_transactions SET fiscal_year = 1403 WHERE id = ` + id}, "ledger transaction " + id
			},
		},
		{
			name:   "an offset's unit",
			victim: `SELECT t.id || ':' || (SELECT max(id) FROM units) FROM ledger_transactions t WHERE t.kind = 'offset' AND t.unit_id = (SELECT min(id) FROM units) ORDER BY t.id LIMIT 1`,
			change: func(v string) ([]string, string) {
				id, unit, _ := strings.Cut(v, ":")
				return []string{`UPDATE ledger_transactions SET unit_id = ` + unit + ` WHERE id = ` + id}, "ledger transaction " + id
			},
		},
		{
			name:   "an approval's expenditure",
			victim: `SELECT t.id || ':' || (SELECT max(id) FROM expenditures) FROM ledger_transactions t WHERE t.kind = 'approval' ORDER BY t.id LIMIT 1`,
			change: func(v string) ([]string, string) {
				id, e, _ := strings.Cut(v, ":")
				return []string{`UPDATE ledger_transactions SET expenditure_id = ` + e + ` WHERE id = ` + id}, "ledger transaction " + id
			},
		},
		{
			name: "two accounts' codes swapped",
			// A year's assessed and due accounts trade names: every figure
			// read by code would be the other's.
			victim: `SELECT string_agg(id || '=' || code, ',' ORDER BY id) FROM ledger_accounts
			          WHERE code IN (SELECT 'unit:' || min(unit_id) || ':tax:1403:' || r FROM ledger_accounts, unnest(ARRAY['assessed', 'due']) r GROUP BY r)`,
			change: func(v string) ([]string, string) {
				first, second, _ := strings.Cut(v, ",")
				id1, code1, _ := strings.Cut(first, "=")
				id2, code2, _ := strings.Cut(second, "=")
				return []string{
					`UPDATE ledger_accounts SET code = 'swapping' WHERE id = ` + id1,
					`UPDATE ledger_accounts SET code = '` + code1 + `' WHERE id = ` + id2,
					`UPDATE ledger_accounts SET code = '` + code2 + `' WHERE id = ` + id1,
				}, "ledger account " + code2
			},
		},
		{
			name:   "an account's cached balance",
			victim: `SELECT code FROM ledger_accounts WHERE code LIKE '%:tax:1404:offset' ORDER BY id LIMIT 1`,
			change: func(code string) ([]string, string) {
				return []string{`UPDATE ledger_accounts SET balance = balance - 10 WHERE code = '` + code + `'`}, "ledger account " + code
			},
		},
		{
			name:   "a tax year's tax due",
			victim: `SELECT unit_id || ',' || fiscal_year FROM tax_years ORDER BY unit_id, fiscal_year LIMIT 1`,
			change: func(key string) ([]string, string) {
				unit, year, _ := strings.Cut(key, ",")
				return []string{`UPDATE tax_years SET tax_due = tax_due + 1 WHERE unit_id = ` + unit + ` AND fiscal_year = ` + year},
					"unit " + unit + ", year " + year
			},
		},
		{
			name:   "a tax due lowered below its offset",
			victim: `SELECT unit_id || ',' || fiscal_year FROM tax_years WHERE fiscal_year = 1403 ORDER BY unit_id LIMIT 1`,
			change: func(key string) ([]string, string) {
				unit, year, _ := strings.Cut(key, ",")
				return []string{`UPDATE tax_years SET tax_due = 1 WHERE unit_id = ` + unit + ` AND fiscal_year = ` + year},
					"unit " + unit + ", year " + year
			},
		},
		{
			name:   "an expenditure's approved amount",
			victim: `SELECT id FROM expenditures WHERE status = 'partially_approved' ORDER BY id LIMIT 1`,
			change: func(id string) ([]string, string) {
				return []string{`UPDATE expenditures SET approved_amount = approved_amount + 1 WHERE id = ` + id}, "expenditure " + id
			},
		},
		{
			name:   "a posting deleted",
			victim: `SELECT p.transaction_id || ':' || p.id FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id WHERE t.kind = 'offset' ORDER BY p.id DESC LIMIT 1`,
			change: func(v string) ([]string, string) {
				tx, id, _ := strings.Cut(v, ":")
				return []string{`DELETE FROM ledger_postings WHERE id = ` + id}, "ledger transaction " + tx
			},
		},
		{
			// Postings are refused by set when their transaction does not
			// exist, not by a foreign key: verify names those left behind.
			name:   "a transaction deleted, its postings left",
			victim: `SELECT max(id) FROM ledger_transactions WHERE kind = 'offset'`,
			change: func(id string) ([]string, string) {
				return []string{`DELETE FROM ledger_transactions WHERE id = ` + id}, "ledger postings"
			},
		},
		{
			name:   "a reversal's posting",
			victim: `SELECT p.id FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id WHERE t.kind = 'reversal' ORDER BY p.id LIMIT 1`,
			change: func(id string) ([]string, string) {
				return []string{`UPDATE ledger_postings SET amount = amount * 2 WHERE id = ` + id}, "ledger posting " + id
			},
		},
		{
			// A run reads its figures from the sums (0023): a sum raised
			// would offer spending that is not there.
			name:   "a unit's spending sums",
			victim: `SELECT unit_id || ',' || fiscal_year || ',' || category FROM ledger_spending_sums WHERE unused > 0 ORDER BY 1 LIMIT 1`,
			change: func(key string) ([]string, string) {
				k := strings.Split(key, ",")
				return []string{fmt.Sprintf(`UPDATE ledger_spending_sums SET unused = unused + 1000
				                              WHERE unit_id = %s AND fiscal_year = %s AND category = '%s'`, k[0], k[1], k[2])},
					fmt.Sprintf("unit %s, year %s, %s", k[0], k[1], k[2])
			},
		},
		{
			// The posting trigger sums an account's postings by the year
			// and category it records.
			name:   "an expenditure account's category",
			victim: `SELECT code FROM ledger_accounts WHERE expenditure_id IS NOT NULL AND category <> 'land' ORDER BY id LIMIT 1`,
			change: func(code string) ([]string, string) {
				return []string{`UPDATE ledger_accounts SET category = 'land' WHERE code = '` + code + `'`}, "ledger account " + code
			},
		},
		{
			name:   "a unit's spending sums deleted",
			victim: `SELECT unit_id || ',' || fiscal_year || ',' || category FROM ledger_spending_sums WHERE approved > 0 ORDER BY 1 DESC LIMIT 1`,
			change: func(key string) ([]string, string) {
				k := strings.Split(key, ",")
				return []string{fmt.Sprintf(`DELETE FROM ledger_spending_sums WHERE unit_id = %s AND fiscal_year = %s AND category = '%s'`, k[0], k[1], k[2])},
					fmt.Sprintf("unit %s, year %s, %s", k[0], k[1], k[2])
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := tamperedBooks(t)
			var victim string
			if err := b.db.Get(&victim, c.victim); err != nil {
				t.Fatalf("victim: %v", err)
			}
			statements, subject := c.change(victim)
			tamper(t, b.db, statements...)
			_, findings, err := ledger.Verify(context.Background(), b.db)
			if err != nil {
				t.Fatal(err)
			}
			named := false
			var all []string
			for _, f := range findings {
				all = append(all, fmt.Sprintf("%s: %s: %s", f.Check, f.Subject, f.Problem))
				named = named || f.Subject == subject
			}
			if !named {
				t.Fatalf("verify did not name %q; it found:\n  %s", subject, strings.Join(all, "\n  "))
			}
			t.Logf("found:\n  %s", strings.Join(all, "\n  "))
		})
	}
}
