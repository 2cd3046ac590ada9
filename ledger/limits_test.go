package ledger_test

import (
	"context"
	"testing"

	"github.com/taahod/taahod/ledger"
)

// TestOffsetLimits runs the matching at the edges of its inputs: no taxable
// income, a coarse rounding unit, and amounts of 18 integer digits, the
// largest the API takes.
func TestOffsetLimits(t *testing.T) {
	cases := []struct {
		name                 string
		policy               string
		spend                []string // approved in full, dated in 1404
		due, income          string
		offset, used, unused string
	}{
		{
			name:   "deduction with taxable income 0 offsets nothing and uses nothing",
			policy: deduction172,
			spend:  []string{"1000000"}, due: "5000000", income: "0",
			offset: "0", used: "0", unused: "1000000",
		},
		{
			name:   "deduction with taxable income 0 and a cap rate of 0",
			policy: `{"mode":"deduction","rate":"1","tax_rate":"0.25","deduction_cap_rate":"0","legal_basis":"ماده ۱۷۲"}`,
			spend:  []string{"1000000"}, due: "5000000", income: "800000",
			offset: "0", used: "0", unused: "1000000",
		},
		{
			name:   "rounding unit of 1000 down",
			policy: `{"mode":"credit","rate":"0.7","rounding_unit":"1000","legal_basis":"بودجه"}`,
			spend:  []string{"123456.78"}, due: "1000000",
			// 86419.746 → 86000, which needs 86000 ÷ 0.7 = 122857.142… → 122857.15
			offset: "86000", used: "122857.15", unused: "599.63",
		},
		{
			name:   "rounding unit of 1000 half-even on an exact half below an even",
			policy: `{"mode":"credit","rate":"0.5","rounding_unit":"1000","rounding":"half_even","legal_basis":"بودجه"}`,
			spend:  []string{"5000"}, due: "1000000", // 2500 → 2000
			offset: "2000", used: "4000", unused: "1000",
		},
		{
			name:   "rounding unit of 1000 half-even on an exact half below an odd",
			policy: `{"mode":"credit","rate":"0.5","rounding_unit":"1000","rounding":"half_even","legal_basis":"بودجه"}`,
			spend:  []string{"7000"}, due: "1000000", // 3500 → 4000
			offset: "4000", used: "7000", unused: "0",
		},
		{
			name:   "rounding unit of 1000 takes the tax due as it is",
			policy: `{"mode":"credit","rate":"1","rounding_unit":"1000","legal_basis":"بودجه"}`,
			spend:  []string{"50000"}, due: "1234.56",
			offset: "1234.56", used: "1234.56", unused: "48765.44",
		},
		{
			name:   "18 integer digits in credit",
			policy: creditFull,
			spend:  []string{"999999999999999999.99"}, due: "999999999999999999.99",
			offset: "999999999999999999", used: "999999999999999999", unused: "0.99",
		},
		{
			name:   "18 integer digits in deduction, half-even",
			policy: `{"mode":"deduction","rate":"1","tax_rate":"0.25","rounding":"half_even","legal_basis":"ماده ۱۷۲"}`,
			spend:  []string{"999999999999999999.99"}, due: "999999999999999999.99", income: "999999999999999999.99",
			// 249999999999999999.9975 → 250000000000000000, which needs 1e18:
			// more than is offered, so all of it is used.
			offset: "250000000000000000", used: "999999999999999999.99", unused: "0",
		},
		{
			name:   "18 integer digits at a rate of 8 decimals",
			policy: `{"mode":"credit","rate":"0.12345678","legal_basis":"بودجه"}`,
			spend:  []string{"999999999999999999.99"}, due: "999999999999999999.99",
			// 123456779999999999.9987654322 → 123456779999999999, ÷ 0.12345678
			// = 999999999999999991.8999993… → 999999999999999991.90
			offset: "123456779999999999", used: "999999999999999991.9", unused: "8.09",
		},
		{
			name:   "18 integer digits of spending against a small tax",
			policy: `{"mode":"credit","rate":"0.00000001","legal_basis":"بودجه"}`,
			spend:  []string{"999999999999999999.99"}, due: "1",
			// 9999999999.9999999999 → capped at the tax due, 1, which needs
			// 1 ÷ 0.00000001 = 100000000.
			offset: "1", used: "100000000", unused: "999999999899999999.99",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			b := newBooks(t, 1)
			u := b.units[0]
			b.policy(1404, c.policy)
			for i, amount := range c.spend {
				b.spendApproved(u, "2025-0"+string(rune('4'+i))+"-01", amount)
			}
			b.mustAssess(u, 1404, c.due, c.income)
			st := b.run(u, 1404)
			if !eq(st.OffsetAmount, c.offset) || !eq(st.SpendingUsed, c.used) || !eq(st.UnusedEligible, c.unused) {
				t.Fatalf("offset %s used %s unused %s; want %s %s %s", st.OffsetAmount, st.SpendingUsed, st.UnusedEligible, c.offset, c.used, c.unused)
			}
			if again := b.statement(u, 1404); !again.OffsetAmount.Equal(st.OffsetAmount) || again.NeedsRun {
				t.Fatalf("statement after the run: offset %s, needs_run %v", again.OffsetAmount, again.NeedsRun)
			}
			b.mustVerify()
		})
	}
}

// TestLargeSumsOfSpending approves several expenditures of 18 integer
// digits for one unit and uses them in one run: their sums pass what one
// amount may be (NUMERIC(20,2)) and must still be booked exactly.
func TestLargeSumsOfSpending(t *testing.T) {
	b := newBooks(t, 1)
	u := b.units[0]
	b.policy(1404, `{"mode":"credit","rate":"0.5","legal_basis":"بودجه"}`)
	var ids []int64
	for i := range 3 {
		ids = append(ids, b.spendApproved(u, "2025-0"+string(rune('4'+i))+"-01", "900000000000000000"))
	}
	b.mustAssess(u, 1404, "999999999999999999.99", "")
	st := b.run(u, 1404)
	// 2.7e18 × 0.5 = 1.35e18, capped by the tax due, 999999999999999999.99,
	// which uses 1999999999999999999.98 of the 2.7e18.
	if !eq(st.OffsetAmount, "999999999999999999.99") || !eq(st.SpendingUsed, "1999999999999999999.98") || !eq(st.UnusedEligible, "700000000000000000.02") {
		t.Fatalf("offset %s used %s unused %s", st.OffsetAmount, st.SpendingUsed, st.UnusedEligible)
	}
	b.mustVerify()
	// Reversing the first undoes the run; run again, the other two serve.
	if err := b.store.ReverseApproval(context.Background(), b.tax, ids[0], ledger.ReverseInput{Reason: "فاکتور تکراری"}); err != nil {
		t.Fatal(err)
	}
	st = b.run(u, 1404)
	if !eq(st.OffsetAmount, "900000000000000000") || !eq(st.SpendingUsed, "1800000000000000000") || !st.UnusedEligible.IsZero() {
		t.Fatalf("after the reversal: offset %s used %s unused %s", st.OffsetAmount, st.SpendingUsed, st.UnusedEligible)
	}
	b.mustVerify()
}
