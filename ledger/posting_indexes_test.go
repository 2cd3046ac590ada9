package ledger_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/lib/pq"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
)

// TestYearsUsingProbesThePostings: which years' offsets used an
// expenditure (asked by the review page and by the reversal of an
// approval) is answered from the unit's offset transactions, each probed
// for the expenditure's account by the postings' index on (transaction_id,
// account_id). Postings have no index by account (migration 0026: an
// offset run paid for it on each of its postings), so a plan that finds
// them by account alone would read every posting of the province.
// Sequential scans are off so that the small test books are planned as
// large ones would be.
func TestYearsUsingProbesThePostings(t *testing.T) {
	b := newBooks(t, 1)
	b.policy(1404, creditFull)
	u := b.units[0]
	first := b.spendApproved(u, "2025-05-01", "1000")
	b.spendApproved(u, "2025-05-02", "1000")
	b.mustAssess(u, 1404, "1500", "")
	b.run(u, 1404)

	ctx := context.Background()
	var plan []byte
	err := b.db.Transact(ctx, func(tx *database.Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
			return err
		}
		return tx.GetContext(ctx, &plan, `EXPLAIN (FORMAT JSON) `+ledger.YearsUsingQuery, u, first)
	})
	if err != nil {
		t.Fatal(err)
	}
	var doc []struct{ Plan planNode }
	if err := json.Unmarshal(plan, &doc); err != nil || len(doc) != 1 {
		t.Fatalf("EXPLAIN: %v %s", err, plan)
	}
	postings := doc[0].Plan.find("ledger_postings")
	if postings == nil {
		t.Fatalf("the plan reads no postings: %s", plan)
	}
	if !strings.Contains(postings.IndexCond, "transaction_id") || !strings.Contains(postings.IndexCond, "account_id") {
		t.Errorf("postings are read by %s %q (filter %q), not probed by transaction and account: %s",
			postings.NodeType, postings.IndexCond, postings.Filter, plan)
	}

	// And the answer is the one the review page shows.
	use, err := b.store.ApprovalUseOf(ctx, b.tax, first)
	if err != nil || !slices.Equal(use.Years, []int{1404}) {
		t.Fatalf("approval use %+v (%v), want the year 1404", use, err)
	}
}

// planNode is what these tests read of an EXPLAIN (FORMAT JSON) node.
type planNode struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	IndexCond string     `json:"Index Cond"`
	Filter    string     `json:"Filter"`
	Plans     []planNode `json:"Plans"`
}

// find returns the first node, depth first, that reads relation.
func (n *planNode) find(relation string) *planNode {
	if n.Relation == relation {
		return n
	}
	for i := range n.Plans {
		if found := n.Plans[i].find(relation); found != nil {
			return found
		}
	}
	return nil
}

// TestPostingsTriggerProbesAccounts: the posting trigger's joins are
// planned as nested loops, one index probe per row of the statement,
// rather than by hashing ledger_accounts whole at every statement (a cost
// that grows with the province's books; migration 0026). The settings live
// on the function, and CREATE OR REPLACE FUNCTION drops settings its text
// does not repeat: a later migration that redefines the function without
// them fails here.
func TestPostingsTriggerProbesAccounts(t *testing.T) {
	b := newBooks(t, 0)
	var settings []string
	if err := b.db.Get(pq.Array(&settings), `SELECT COALESCE(proconfig, '{}') FROM pg_proc WHERE proname = 'ledger_apply_postings'`); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"enable_hashjoin=off", "enable_mergejoin=off"} {
		if !slices.Contains(settings, want) {
			t.Errorf("ledger_apply_postings is planned with %v, want %s among them", settings, want)
		}
	}
}
