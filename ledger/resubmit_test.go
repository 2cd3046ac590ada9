package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// TestResubmissionKeepsTotals follows a pledge's running total, and its
// re-derivation by verify, through a rejection, an edit while rejected, a
// resubmission and an approval; the rounds are kept, the latest first.
func TestResubmissionKeepsTotals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pledge("1000")
	check := func(want string) { t.Helper(); f.checkSubmittedTotal(p.ID, want) }
	a, err := f.store.SubmitExpenditure(ctx, f.accountant, newExpenditure(p.ID, "700", "RS-1"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.store.SubmitExpenditure(ctx, f.accountant, newExpenditure(p.ID, "200", "RS-2"))
	if err != nil {
		t.Fatal(err)
	}
	check("900")
	reason := "مبلغ نادرست"
	if _, err := f.store.Review(ctx, f.tax, a.ID, ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason}); err != nil {
		t.Fatal(err)
	}
	check("200")
	amount := taahod.Optional[json.RawMessage]{Set: true, Value: json.RawMessage(`"850"`)}
	if e, err := f.store.UpdateExpenditure(ctx, f.accountant, a.ID, ledger.ExpenditurePatch{Amount: amount}); err != nil || e.Status != ledger.StatusRejected {
		t.Fatalf("edit while rejected: %+v %v", e, err)
	}
	check("200")
	// An hour later: resubmitted after b, 850 lands on 200, and 1050
	// passes the pledge. (At the very instant of b's submission, a's
	// smaller id would put it first.)
	f.db.Now = func() time.Time { return theNow.Add(time.Hour) }
	e, err := f.store.Resubmit(ctx, f.accountant, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Status != ledger.StatusSubmitted || !e.ExceedsPledge || e.ReviewedAt != nil || len(e.Reviews) != 1 {
		t.Fatalf("resubmitted: %+v", e)
	}
	check("1050")
	if _, err := f.store.Resubmit(ctx, f.accountant, a.ID); taahod.ErrorCode(err) != taahod.ECONFLICT {
		t.Fatalf("resubmit a submitted expenditure: %v", err)
	}
	if _, err := f.store.Review(ctx, f.tax, a.ID, ledger.ReviewInput{Decision: ledger.DecisionApprove}); taahod.ErrorCode(err) != ledger.EEVIDENCEREQUIRED {
		t.Fatalf("approve without evidence: %v", err)
	}
	f.evidence(a.ID)
	e, err = f.store.Review(ctx, f.tax, a.ID, ledger.ReviewInput{Decision: ledger.DecisionApprove})
	if err != nil || e.Status != ledger.StatusApproved || len(e.Reviews) != 2 ||
		e.Reviews[0].Status != ledger.StatusApproved || e.Reviews[1].Status != ledger.StatusRejected ||
		e.Reviews[1].Amount.String() != "700" || e.Reviews[0].Amount.String() != "850" {
		t.Fatalf("approved: %+v %v", e, err)
	}
	check("1050")
	// b's flag was set at its own place, before a's resubmission.
	if got, _ := f.store.FindExpenditure(ctx, f.tax, b.ID); got.ExceedsPledge {
		t.Fatalf("b flagged: %+v", got)
	}
}

// TestResubmitRacesWithReview: a resubmission and a review of the same
// rejected expenditure at once never leave the pledge's total wrong.
func TestResubmitRacesWithReview(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pledge("100000")
	reason := "نامعتبر"
	for i := range 10 {
		e, err := f.store.SubmitExpenditure(ctx, f.accountant, newExpenditure(p.ID, "10", "RR-"+string(rune('a'+i))))
		if err != nil {
			t.Fatal(err)
		}
		f.evidence(e.ID)
		if _, err := f.store.Review(ctx, f.tax, e.ID, ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			if _, err := f.store.Resubmit(ctx, f.accountant, e.ID); err != nil {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			// Before the resubmission it is a conflict; after, an approval.
			_, err := f.store.Review(ctx, f.tax, e.ID, ledger.ReviewInput{Decision: ledger.DecisionApprove})
			if err != nil && taahod.ErrorCode(err) != taahod.ECONFLICT {
				t.Error(err)
			}
		}()
		wg.Wait()
	}
	if _, findings, err := ledger.VerifySubmittedTotals(ctx, f.db); err != nil || len(findings) != 0 {
		t.Fatalf("verify: %v %v", findings, err)
	}
}

// TestVerifyReviewRounds: a round removed or changed behind the
// application's back, or a review written without its round, is found.
func TestVerifyReviewRounds(t *testing.T) {
	b := newBooks(t, 1)
	u := b.units[0]
	ok := b.spendApproved(u, "2025-06-01", "100")
	part := b.spend(u, "2025-06-02", "100", ledger.CategoryLand)
	b.approve(part, "40")
	reason := "نامعتبر"
	rejected := b.spend(u, "2025-06-03", "100", ledger.CategoryLand)
	if _, err := b.store.Review(context.Background(), b.tax, rejected, ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason}); err != nil {
		t.Fatal(err)
	}
	if err := b.store.ReverseApproval(context.Background(), b.tax, ok, ledger.ReverseInput{Reason: "باطل"}); err != nil {
		t.Fatal(err)
	}
	verify := func() []string {
		t.Helper()
		n, findings, err := ledger.VerifyReviewRounds(context.Background(), b.db)
		if err != nil || n != 3 {
			t.Fatalf("verify: %d %v", n, err)
		}
		var out []string
		for _, f := range findings {
			out = append(out, f.Subject+": "+f.Problem)
		}
		return out
	}
	if got := verify(); len(got) != 0 {
		t.Fatalf("clean books: %v", got)
	}
	tamper(t, b.db, `UPDATE expenditure_reviews SET reason = 'دلیل دیگر' WHERE expenditure_id = `+fmt.Sprint(rejected))
	tamper(t, b.db, `DELETE FROM expenditure_reviews WHERE expenditure_id = `+fmt.Sprint(part))
	want := []string{
		fmt.Sprintf("expenditure %d: it stands reviewed but has no round of review", part),
		fmt.Sprintf("expenditure %d: its review differs from its latest round", rejected),
	}
	if got := verify(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("found %v, want %v", got, want)
	}
}
