package ledger_test

import (
	"context"
	"testing"

	"github.com/taahod/taahod/ledger"
)

// spendingSums reads ledger_spending_sums as the posting trigger keeps them
// and as they are recounted from the expenditures' accounts and their
// postings, each row as "unit/year/category approved unused accounts".
func (b *books) spendingSums() (kept, recounted []string) {
	b.t.Helper()
	if err := b.db.Select(&kept, `
		SELECT unit_id || '/' || fiscal_year || '/' || category || ' ' || approved || ' ' || unused || ' ' || unused_accounts
		  FROM ledger_spending_sums WHERE approved <> 0 OR unused <> 0 OR unused_accounts <> 0
		 ORDER BY unit_id, fiscal_year, category`); err != nil {
		b.t.Fatal(err)
	}
	if err := b.db.Select(&recounted, `
		SELECT e.unit_id || '/' || e.fiscal_year || '/' || e.category || ' ' || sum(x.approved)::numeric(40,2) || ' ' ||
		       sum(a.balance)::numeric(40,2) || ' ' || count(*) FILTER (WHERE a.balance > 0)
		  FROM ledger_accounts a
		  JOIN expenditures e ON e.id = a.expenditure_id
		  CROSS JOIN LATERAL (
		      SELECT COALESCE(sum(p.amount), 0) AS approved
		        FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
		       WHERE p.account_id = a.id AND t.expenditure_id IS NOT NULL) x
		 GROUP BY e.unit_id, e.fiscal_year, e.category
		HAVING sum(x.approved) <> 0 OR sum(a.balance) <> 0 OR count(*) FILTER (WHERE a.balance > 0) <> 0
		 ORDER BY e.unit_id, e.fiscal_year, e.category`); err != nil {
		b.t.Fatal(err)
	}
	return kept, recounted
}

func (b *books) mustKeepSpendingSums(step string) {
	b.t.Helper()
	kept, recounted := b.spendingSums()
	if len(kept) != len(recounted) {
		b.t.Fatalf("%s: the sums kept are\n  %q\nbut the accounts make\n  %q", step, kept, recounted)
	}
	for i := range kept {
		if kept[i] != recounted[i] {
			b.t.Fatalf("%s: the sums kept are\n  %q\nbut the accounts make\n  %q", step, kept, recounted)
		}
	}
}

// TestSpendingSumsFollowTheLedger holds the sums a run reads its figures
// from (ledger_spending_sums) to the accounts they sum, through approvals in
// full and in part, in two years and categories, runs that use spending in
// part and carry it to the next year, and a reversal of an approval whose
// spending an offset had used.
func TestSpendingSumsFollowTheLedger(t *testing.T) {
	b := newBooks(t, 2)
	b.policy(1403, deduction172)
	b.policy(1404, `{"mode":"credit","rate":"1","carry_forward_years":1,"legal_basis":"بودجه"}`)
	u, other := b.units[0], b.units[1]
	b.mustKeepSpendingSums("no spending")

	b.spendApproved(u, "2024-06-01", "4000")
	e := b.spend(u, "2024-07-01", "3000", ledger.CategoryEquipment)
	b.approve(e, "2500.50")
	b.spendApproved(u, "2025-06-01", "1200")
	used := b.spendApproved(u, "2025-06-02", "300")
	b.spendApproved(other, "2025-06-01", "999.99")
	rejected := b.spend(u, "2025-06-03", "50", ledger.CategoryLand)
	if _, err := b.store.Review(context.Background(), b.tax, rejected, ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: ptr("فاکتور ناخوانا")}); err != nil {
		t.Fatal(err)
	}
	b.mustKeepSpendingSums("approvals")

	b.mustAssess(u, 1403, "700", "")
	b.run(u, 1403)
	b.mustKeepSpendingSums("a run that uses part of 1403's spending")
	b.mustAssess(u, 1404, "5400", "")
	st := b.run(u, 1404)
	if st.EligibleSpending.IsZero() || st.CarriedIn.IsZero() {
		t.Fatalf("1404 has %s eligible and %s carried in", st.EligibleSpending, st.CarriedIn)
	}
	b.mustKeepSpendingSums("a run that carries 1403's rest and uses 1404's")

	if err := b.store.ReverseApproval(context.Background(), b.tax, used, ledger.ReverseInput{Reason: "فاکتور تکراری"}); err != nil {
		t.Fatal(err)
	}
	b.mustKeepSpendingSums("a reversal of spending an offset used")
	again := b.run(u, 1404)
	b.mustKeepSpendingSums("the year run again")
	// The figures a run reads from the sums are those the statement shows
	// when read afresh.
	if fresh := b.statement(u, 1404); !fresh.EligibleSpending.Equal(again.EligibleSpending) ||
		!fresh.Offered.Equal(again.Offered) || !fresh.OffsetAmount.Equal(again.OffsetAmount) {
		t.Fatalf("after the run: eligible %s offered %s offset %s; read afresh: %s, %s, %s", again.EligibleSpending, again.Offered,
			again.OffsetAmount, fresh.EligibleSpending, fresh.Offered, fresh.OffsetAmount)
	}
	b.mustVerify()
}

func ptr[T any](v T) *T { return &v }
