package ledger_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// TestOffsetFormulas runs the contract's formulas through the real books:
// one unit, spending of 1404, one run, the statement checked.
func TestOffsetFormulas(t *testing.T) {
	cases := []struct {
		name                  string
		policy                string
		spend                 []string // amounts approved in full, dated in 1404
		due, income           string
		offset, used, unused  string
		remaining, allocation string
	}{
		{
			name:   "deduction capped by taxable income",
			policy: `{"mode":"deduction","rate":"1","tax_rate":"0.25","deduction_cap_rate":"0.5","legal_basis":"ماده ۱۷۲"}`,
			spend:  []string{"600000000", "400000000"}, due: "5000000000", income: "800000000",
			// deduction = min(1e9, 8e8 × 0.5) = 4e8 → offset 1e8, using 4e8 of the first
			offset: "100000000", used: "400000000", unused: "600000000", remaining: "4900000000",
		},
		{
			name:   "deduction capped by tax due",
			policy: deduction172,
			spend:  []string{"600000000", "400000000"}, due: "70000000",
			offset: "70000000", used: "280000000", unused: "720000000", remaining: "0",
		},
		{
			name:   "credit with rate below one",
			policy: `{"mode":"credit","rate":"0.7","legal_basis":"بودجه"}`,
			spend:  []string{"600000000", "400000000"}, due: "5000000000",
			offset: "700000000", used: "1000000000", unused: "0", remaining: "4300000000",
		},
		{
			name:   "credit capped by cap_amount",
			policy: `{"mode":"credit","rate":"1","cap_amount":"250000000.5","legal_basis":"بودجه"}`,
			spend:  []string{"600000000"}, due: "5000000000",
			// The cap applies as it is, after the rounding.
			offset: "250000000.5", used: "250000000.5", unused: "349999999.5", remaining: "4749999999.5",
		},
		{
			name:   "down rounding on a half",
			policy: `{"mode":"credit","rate":"0.5","rounding_unit":"1","rounding":"down","legal_basis":"بودجه"}`,
			spend:  []string{"5"}, due: "100",
			offset: "2", used: "4", unused: "1", remaining: "98",
		},
		{
			name:   "half-even rounding on a half below an even",
			policy: `{"mode":"credit","rate":"0.5","rounding":"half_even","legal_basis":"بودجه"}`,
			spend:  []string{"5"}, due: "100",
			offset: "2", used: "4", unused: "1", remaining: "98",
		},
		{
			name:   "half-even rounding on a half below an odd",
			policy: `{"mode":"credit","rate":"0.5","rounding":"half_even","legal_basis":"بودجه"}`,
			spend:  []string{"7"}, due: "100",
			offset: "4", used: "7", unused: "0", remaining: "96",
		},
		{
			name:   "ineligible category is not offered",
			policy: `{"mode":"credit","rate":"1","eligible_categories":["land"],"legal_basis":"بودجه"}`,
			spend:  []string{"1000"}, due: "100",
			offset: "0", used: "0", unused: "0", remaining: "100",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBooks(t, 1)
			u := b.units[0]
			b.policy(1404, c.policy)
			for i, amount := range c.spend {
				b.spendApproved(u, fmt.Sprintf("2025-0%d-01", i+4), amount)
			}
			b.mustAssess(u, 1404, c.due, c.income)
			st := b.run(u, 1404)
			if !eq(st.OffsetAmount, c.offset) || !eq(st.SpendingUsed, c.used) || !eq(st.UnusedEligible, c.unused) || !eq(st.RemainingTax, c.remaining) {
				t.Fatalf("offset %s used %s unused %s remaining %s; want %s %s %s %s",
					st.OffsetAmount, st.SpendingUsed, st.UnusedEligible, st.RemainingTax, c.offset, c.used, c.unused, c.remaining)
			}
			if st.NeedsRun || !st.PendingOffset.IsZero() {
				t.Fatalf("after a run: needs_run %v, pending %s", st.NeedsRun, st.PendingOffset)
			}
			again := b.statement(u, 1404)
			if !again.OffsetAmount.Equal(st.OffsetAmount) || allocations(again) != allocations(st) {
				t.Fatalf("GET differs from the run's answer: %s / %s", allocations(again), allocations(st))
			}
			b.mustVerify()
		})
	}
}

func TestOffsetCarryForwardOverAGapYear(t *testing.T) {
	b := newBooks(t, 1)
	u := b.units[0]
	carry := func(years int) string {
		return fmt.Sprintf(`{"mode":"credit","rate":"1","carry_forward_years":%d,"legal_basis":"بودجه"}`, years)
	}
	b.policy(1402, carry(0))
	b.policy(1403, carry(0))
	b.policy(1404, carry(2))
	e1402 := b.spendApproved(u, "2023-06-01", "1500") // 1402
	e1403 := b.spendApproved(u, "2024-06-01", "500")  // 1403: its year is never run
	e1404 := b.spendApproved(u, "2025-06-01", "300")  // 1404

	// 1402 has nothing to offset: run with tax due 0, its spending stays unused.
	b.mustAssess(u, 1402, "0", "")
	if st := b.run(u, 1402); !eq(st.UnusedEligible, "1500") || !st.OffsetAmount.IsZero() {
		t.Fatalf("1402: unused %s offset %s", st.UnusedEligible, st.OffsetAmount)
	}
	b.mustAssess(u, 1404, "1200", "")
	st := b.run(u, 1404)
	// 1403 was never run, so its 500 is not carried: 1500 (1402) + 300 (1404)
	// are offered, and the carried spending is used first.
	if !eq(st.CarriedIn, "1500") || !eq(st.Offered, "1800") || !eq(st.OffsetAmount, "1200") || !eq(st.UnusedEligible, "600") {
		t.Fatalf("1404: carried %s offered %s offset %s unused %s", st.CarriedIn, st.Offered, st.OffsetAmount, st.UnusedEligible)
	}
	if got, want := allocations(st), fmt.Sprintf("%d:1200 ", e1402); got != want {
		t.Fatalf("allocations %s, want %s", got, want)
	}

	// With one year of carry-forward, 1405 reaches 1404's last 300 but not
	// 1402's (nor 1403's, never run, nor its own: it has none).
	b.policy(1405, carry(1))
	b.mustAssess(u, 1405, "5000", "")
	if st := b.run(u, 1405); !eq(st.CarriedIn, "300") || !eq(st.OffsetAmount, "300") || allocations(st) != fmt.Sprintf("%d:300 ", e1404) {
		t.Fatalf("1405: carried %s offset %s allocations %s", st.CarriedIn, st.OffsetAmount, allocations(st))
	}
	// Once 1403 is run, its spending may be carried into 1404 too.
	b.mustAssess(u, 1403, "0", "")
	b.run(u, 1403)
	if st := b.statement(u, 1404); !eq(st.PendingOffset, "0") || !eq(st.UnusedEligible, "800") {
		t.Fatalf("1404 after 1403 ran: pending %s unused %s (%d)", st.PendingOffset, st.UnusedEligible, e1403)
	}
	b.mustVerify()
}

func TestOffsetSpendingSplitAcrossYears(t *testing.T) {
	b := newBooks(t, 1)
	u := b.units[0]
	b.policy(1403, creditFull)
	b.policy(1404, `{"mode":"credit","rate":"1","carry_forward_years":1,"legal_basis":"بودجه"}`)
	e := b.spendApproved(u, "2024-06-01", "1000")
	b.mustAssess(u, 1403, "300", "")
	if st := b.run(u, 1403); allocations(st) != fmt.Sprintf("%d:300 ", e) {
		t.Fatalf("1403 allocations %s", allocations(st))
	}
	b.mustAssess(u, 1404, "5000", "")
	st := b.run(u, 1404)
	if allocations(st) != fmt.Sprintf("%d:700 ", e) || !eq(st.CarriedIn, "700") || !eq(st.OffsetAmount, "700") {
		t.Fatalf("1404: allocations %s carried %s offset %s", allocations(st), st.CarriedIn, st.OffsetAmount)
	}
	// 1403 keeps its 300: the expenditure was used in part in each year.
	if st := b.statement(u, 1403); allocations(st) != fmt.Sprintf("%d:300 ", e) || !st.UnusedEligible.IsZero() {
		t.Fatalf("1403 after 1404's run: %s unused %s", allocations(st), st.UnusedEligible)
	}
	b.mustVerify()
}

func TestOffsetRunsAreCumulative(t *testing.T) {
	b := newBooks(t, 1)
	u := b.units[0]
	b.policy(1404, deduction172)
	b.spendApproved(u, "2025-05-01", "400")
	b.mustAssess(u, 1404, "1000", "")
	first := b.run(u, 1404)
	if !eq(first.OffsetAmount, "100") {
		t.Fatalf("first run: %s", first.OffsetAmount)
	}
	n := b.transactions()

	t.Run("a re-run with no change posts nothing", func(t *testing.T) {
		st := b.run(u, 1404)
		if b.transactions() != n || !st.OffsetAmount.Equal(first.OffsetAmount) {
			t.Fatalf("second run posted %d transactions, offset %s", b.transactions()-n, st.OffsetAmount)
		}
	})
	t.Run("a new approval adds only the difference", func(t *testing.T) {
		e := b.spend(u, "2025-06-01", "1000", ledger.CategoryEquipment)
		b.approve(e, "800") // approval posts once
		st := b.statement(u, 1404)
		if !st.NeedsRun || !eq(st.PendingOffset, "200") {
			t.Fatalf("before the run: needs_run %v pending %s", st.NeedsRun, st.PendingOffset)
		}
		before := b.transactions()
		st = b.run(u, 1404)
		if b.transactions() != before+1 || !eq(st.OffsetAmount, "300") || !eq(st.SpendingUsed, "1200") {
			t.Fatalf("run after approval: +%d transactions, offset %s used %s", b.transactions()-before, st.OffsetAmount, st.SpendingUsed)
		}
		var added string
		if err := b.db.Get(&added, `SELECT p.amount::text FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
			WHERE a.code = $1 ORDER BY p.id DESC LIMIT 1`, fmt.Sprintf("unit:%d:tax:1404:offset", u)); err != nil || added != "200.00" {
			t.Fatalf("the last offset posting is %s (%v), want the difference 200", added, err)
		}
	})
	t.Run("tax due may not fall below the offset", func(t *testing.T) {
		err := b.assess(u, 1404, "299.99", "")
		if taahod.ErrorCode(err) != ledger.ETAXBELOWOFFSET {
			t.Fatalf("lowering below the offset: %v", err)
		}
		b.mustAssess(u, 1404, "300", "")
		if st := b.statement(u, 1404); !st.RemainingTax.IsZero() {
			t.Fatalf("remaining %s", st.RemainingTax)
		}
		hist, err := b.store.Assessments(context.Background(), b.tax, u, 1404)
		if err != nil || len(hist) != 2 || !eq(hist[0].TaxDue, "1000") || !eq(hist[1].TaxDue, "300") {
			t.Fatalf("history %+v %v", hist, err)
		}
	})
	b.mustVerify()
}

func TestOffsetRefusals(t *testing.T) {
	b := newBooks(t, 2)
	u := b.units[0]
	if _, err := b.store.RunOffset(context.Background(), b.tax, u, 1404); taahod.ErrorCode(err) != ledger.ENOPOLICY {
		t.Fatalf("no policy: %v", err)
	}
	b.policy(1404, creditFull)
	if _, err := b.store.RunOffset(context.Background(), b.tax, u, 1404); taahod.ErrorCode(err) != ledger.ENOASSESSMENT {
		t.Fatalf("no assessment: %v", err)
	}
	if _, err := b.store.Statement(context.Background(), b.tax, u, 1404); taahod.ErrorCode(err) != taahod.ENOTFOUND {
		t.Fatalf("statement without a tax year: %v", err)
	}
	// An accountant reads only their unit's statement.
	b.mustAssess(u, 1404, "10", "")
	if _, err := b.store.Statement(context.Background(), b.accts[b.units[1]], u, 1404); taahod.ErrorCode(err) != taahod.ENOTFOUND {
		t.Fatalf("another unit's accountant: %v", err)
	}
	if _, err := b.store.Statement(context.Background(), b.accts[u], u, 1404); err != nil {
		t.Fatalf("own accountant: %v", err)
	}
	for _, bad := range []string{`{"mode":"deduction","rate":"1","legal_basis":"x"}`, `{"mode":"credit","rate":"1.5","legal_basis":"x"}`,
		`{"mode":"credit","rate":"1","legal_basis":" "}`, `{"mode":"credit","rate":"1","rounding_unit":"0","legal_basis":"x"}`,
		`{"mode":"credit","rate":"1","eligible_categories":["food"],"legal_basis":"x"}`, `{"mode":"gift","rate":"1","legal_basis":"x"}`} {
		var in ledger.PolicyInput
		_ = jsonUnmarshal(bad, &in)
		if _, err := b.store.SetPolicy(context.Background(), b.tax, 1405, in); taahod.ErrorCode(err) != taahod.EINVALID {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestReversalUndoesTheYearsItTouched(t *testing.T) {
	b := newBooks(t, 1)
	u := b.units[0]
	b.policy(1403, creditFull)
	b.policy(1404, `{"mode":"credit","rate":"1","carry_forward_years":1,"legal_basis":"بودجه"}`)
	e1 := b.spendApproved(u, "2024-06-01", "1000")
	e2 := b.spendApproved(u, "2024-07-01", "50")
	b.mustAssess(u, 1403, "300", "")
	b.run(u, 1403)
	b.mustAssess(u, 1404, "2000", "")
	b.run(u, 1404) // uses 700 of e1 and e2's 50, carried

	if err := b.store.ReverseApproval(context.Background(), b.tax, e1, ledger.ReverseInput{}); taahod.ErrorCode(err) != taahod.EINVALID {
		t.Fatalf("reversal without a reason: %v", err)
	}
	if err := b.store.ReverseApproval(context.Background(), b.tax, e1, ledger.ReverseInput{Reason: "فاکتور جعلی"}); err != nil {
		t.Fatal(err)
	}
	for _, year := range []int{1403, 1404} {
		st := b.statement(u, year)
		if !st.OffsetAmount.IsZero() || !st.NeedsRun || len(st.Allocations) != 0 || st.RunAt != nil {
			t.Fatalf("%d after the reversal: offset %s needs_run %v allocations %s", year, st.OffsetAmount, st.NeedsRun, allocations(st))
		}
	}
	e, err := b.store.FindExpenditure(context.Background(), b.tax, e1)
	if err != nil || e.Status != ledger.StatusReversed || e.ReversalReason == nil {
		t.Fatalf("expenditure after reversal: %+v %v", e, err)
	}
	if err := b.store.ReverseApproval(context.Background(), b.tax, e1, ledger.ReverseInput{Reason: "دوباره"}); taahod.ErrorCode(err) != taahod.ECONFLICT {
		t.Fatalf("second reversal: %v", err)
	}
	// Run again: only e2 is left, in its own year.
	if st := b.run(u, 1403); !eq(st.OffsetAmount, "50") || allocations(st) != fmt.Sprintf("%d:50 ", e2) {
		t.Fatalf("1403 re-run: %s %s", st.OffsetAmount, allocations(st))
	}
	if st := b.run(u, 1404); !st.OffsetAmount.IsZero() {
		t.Fatalf("1404 re-run: %s", st.OffsetAmount)
	}
	// Its invoice may be submitted again.
	b.mustVerify()
}
