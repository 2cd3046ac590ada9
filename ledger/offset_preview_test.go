package ledger_test

import (
	"context"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// TestOffsetPreviewIsTheRun checks that a preview posts nothing, that the
// run confirmed from it leaves exactly the statement it showed, and that a
// preview gone stale is refused with nothing posted.
func TestOffsetPreviewIsTheRun(t *testing.T) {
	ctx := context.Background()
	b := newBooks(t, 1)
	u := b.units[0]
	b.policy(1404, deduction172)
	b.spendApproved(u, "2025-05-01", "400")
	b.spendApproved(u, "2025-06-01", "600")
	b.mustAssess(u, 1404, "1000", "")
	n := b.transactions()
	pv, err := b.store.PreviewOffset(ctx, b.tax, u, 1404)
	if err != nil {
		t.Fatal(err)
	}
	if b.transactions() != n {
		t.Fatal("the preview posted")
	}
	if !eq(pv.OffsetIncrease, "250") || !eq(pv.After.OffsetAmount, "250") || !eq(pv.After.RemainingTax, "750") ||
		!pv.Before.OffsetAmount.IsZero() || len(pv.Allocations) != 2 || pv.After.NeedsRun {
		t.Fatalf("preview %+v", pv)
	}

	t.Run("a stale preview is refused", func(t *testing.T) {
		stale, err := b.store.PreviewOffset(ctx, b.tax, u, 1404)
		if err != nil {
			t.Fatal(err)
		}
		b.mustAssess(u, 1404, "100", "")
		if _, err := b.store.RunPreviewedOffset(ctx, b.tax, u, 1404, stale.Fingerprint); taahod.ErrorCode(err) != ledger.ESTALEPREVIEW {
			t.Fatalf("stale preview: %v", err)
		}
		if _, err := b.store.RunPreviewedOffset(ctx, b.tax, u, 1404, ""); taahod.ErrorCode(err) != ledger.ESTALEPREVIEW {
			t.Fatalf("no preview: %v", err)
		}
		if b.transactions() != n+1 { // the assessment only
			t.Fatalf("a refused run posted: %d transactions", b.transactions()-n)
		}
		b.mustAssess(u, 1404, "1000", "")
		n = b.transactions()
	})

	again, err := b.store.PreviewOffset(ctx, b.tax, u, 1404)
	if err != nil {
		t.Fatal(err)
	}
	if again.Fingerprint != pv.Fingerprint {
		t.Fatal("the same books gave another fingerprint")
	}
	st, err := b.store.RunPreviewedOffset(ctx, b.tax, u, 1404, pv.Fingerprint)
	if err != nil {
		t.Fatal(err)
	}
	if b.transactions() != n+1 || !st.OffsetAmount.Equal(pv.After.OffsetAmount) || !st.SpendingUsed.Equal(pv.After.SpendingUsed) ||
		!st.RemainingTax.Equal(pv.After.RemainingTax) || !st.UnusedEligible.Equal(pv.After.UnusedEligible) || len(st.Allocations) != len(pv.After.Allocations) {
		t.Fatalf("run %+v\npreview %+v", st, pv.After)
	}
	for i, a := range st.Allocations {
		if w := pv.After.Allocations[i]; a.ExpenditureID != w.ExpenditureID || !a.Amount.Equal(w.Amount) {
			t.Errorf("allocation %d: %+v, previewed %+v", i, a, w)
		}
	}
	// Once run, the same preview is stale: the run would post nothing.
	if _, err := b.store.RunPreviewedOffset(ctx, b.tax, u, 1404, pv.Fingerprint); taahod.ErrorCode(err) != ledger.ESTALEPREVIEW {
		t.Fatalf("a preview confirmed twice: %v", err)
	}
	b.mustVerify()
}
