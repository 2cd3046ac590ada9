package ledger_test

import (
	"testing"
)

// TestRunReadsItsBooksPrepared holds an offset run to reading its books by
// statements prepared once per connection: the reading of the figures and
// the oldest candidates is a statement of several CTEs that took four times
// as long to plan as to run, once per unit in a province's run (migration
// 0023's sums made the province's run slower by it). Every run of a
// connection after its first uses the prepared statements: the pool is
// held to one connection here, so that the session the runs used is the
// one this test asks.
func TestRunReadsItsBooksPrepared(t *testing.T) {
	b := newBooks(t, 3)
	b.policy(1404, creditFull)
	b.db.SetMaxOpenConns(1)
	for _, u := range b.units {
		b.spendApproved(u, "2025-05-01", "1000")
		b.spendApproved(u, "2025-05-02", "1000")
		b.mustAssess(u, 1404, "1500", "")
		b.run(u, 1404)
	}
	for _, part := range []struct{ name, text string }{
		{"the figures and the oldest candidates", "%FROM ledger_spending_sums%"},
		{"what a statement shows of the candidates used", "%FROM expenditures e JOIN pledges pl%WHERE e.id = ANY($1)%"},
		{"the transaction and its postings", "%INSERT INTO ledger_postings%"},
	} {
		var runs int
		if err := b.db.Get(&runs, `SELECT COALESCE(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements WHERE statement LIKE $1`,
			part.text); err != nil {
			t.Fatal(err)
		}
		if runs < len(b.units) {
			t.Errorf("%s: a prepared statement ran %d times for %d runs", part.name, runs, len(b.units))
		}
	}
	b.mustVerify()
}
