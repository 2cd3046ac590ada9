package ledger

import (
	"cmp"
	"slices"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// Candidate is approved spending of an eligible category, not yet used by
// any year, that a unit-year may use: its own year's, or carried in from an
// earlier year whose offset has been run.
type Candidate struct {
	ExpenditureID int64
	FiscalYear    int // the year it was spent in
	SpentOn       taahod.Date
	Unused        decimal.Decimal

	accountID int64 // the expenditure's ledger account, when read from the books
}

// YearState is what a unit-year holds before a run.
type YearState struct {
	FiscalYear    int
	TaxDue        decimal.Decimal
	TaxableIncome *decimal.Decimal
	Applied       decimal.Decimal // offset already applied
	Used          decimal.Decimal // spending already used
}

// Allocation is spending of one expenditure used by a year.
type Allocation struct {
	ExpenditureID int64           `json:"expenditure_id"`
	Amount        decimal.Decimal `json:"amount"`
}

// Match is the outcome of matching a unit-year's spending against its tax:
// the cumulative figures after the run, and what the run adds.
type Match struct {
	Available decimal.Decimal // unused spending offered now
	CarriedIn decimal.Decimal // the part of Available from earlier years
	Offered   decimal.Decimal // Used before the run + Available
	// Deduction is the deduction from taxable income (deduction mode only).
	Deduction *decimal.Decimal
	// Target is the offset the policy gives on Offered.
	Target decimal.Decimal
	// Offset is the cumulative offset after the run: a run never lowers it.
	Offset         decimal.Decimal
	OffsetIncrease decimal.Decimal
	// Used is the cumulative spending used after the run.
	Used         decimal.Decimal
	UsedIncrease decimal.Decimal
	// Allocations are the run's new uses, oldest spending first.
	Allocations []Allocation
	// CarriedUsed is the part of UsedIncrease taken from earlier years.
	CarriedUsed decimal.Decimal
}

var cent = decimal.New(1, -2)

// MatchYear applies the year's policy to its cumulative figures, as the
// contract defines them:
//
//	offered   = used + available
//	deduction = min(offered × rate, taxable_income × deduction_cap_rate, cap_amount)
//	offset    = min(round(deduction × tax_rate), tax_due)           (deduction)
//	offset    = min(round(offered × rate), cap_amount, tax_due)     (credit)
//	used      = min(offered, ⌈offset ÷ effective_rate⌉ to 0.01)
//
// A null cap or an unknown taxable income is no cap. The run only adds: the
// offset after it is the larger of the applied one and the policy's, and
// likewise the spending used (a policy changed after a run can lower neither).
// The added use is taken oldest first: carried spending before the year's
// own, then by date, then by expenditure id; an expenditure may be used in
// part. candidates may come in any order, though oldest first costs least
// (they need no sorting then); all must have Unused > 0.
//
// It is matchFigures of the candidates' sums followed by allocate over them:
// the figures need only the sums, and the allocations only the oldest
// candidates, as many as the added use takes, so that a run can read no
// more of the books than that.
func MatchYear(p Policy, st YearState, candidates []Candidate) Match {
	cs := candidates
	if !slices.IsSortedFunc(cs, oldestFirst(st.FiscalYear)) {
		cs = slices.Clone(candidates)
		slices.SortFunc(cs, oldestFirst(st.FiscalYear))
	}
	return matchSorted(p, st, cs)
}

// matchSorted is MatchYear of candidates already in oldestFirst's order.
func matchSorted(p Policy, st YearState, cs []Candidate) Match {
	var offer Offer
	for _, c := range cs {
		offer.Available = offer.Available.Add(c.Unused)
		if c.FiscalYear < st.FiscalYear {
			offer.CarriedIn = offer.CarriedIn.Add(c.Unused)
		}
	}
	m := matchFigures(p, st, offer)
	m.allocate(st.FiscalYear, cs)
	return m
}

// Offer is the unused spending offered to a unit-year, summed over its
// candidates.
type Offer struct {
	Available decimal.Decimal // all of it
	CarriedIn decimal.Decimal // the part from earlier years
}

// oldestFirst orders a year's candidates in the order its runs use them:
// carried spending before the year's own, then by date, then by id.
func oldestFirst(year int) func(a, b Candidate) int {
	return func(a, b Candidate) int {
		return cmp.Or(
			cmp.Compare(boolRank(a.FiscalYear >= year), boolRank(b.FiscalYear >= year)),
			a.SpentOn.Compare(b.SpentOn),
			cmp.Compare(a.ExpenditureID, b.ExpenditureID))
	}
}

// oldestFirstOrder returns the order oldestFirst puts cs in, as the
// indexes of cs: a run sorts many candidates, and compares each pair by a
// key made once per candidate rather than by the candidates themselves.
func oldestFirstOrder(year int, cs []Candidate) []int {
	type key struct {
		first int64 // the year's own after carried spending, then the day
		id    int64
		at    int
	}
	keys := make([]key, len(cs))
	for i, c := range cs {
		d := c.SpentOn
		keys[i] = key{int64(boolRank(c.FiscalYear >= year))<<32 | int64(d.Year())<<16 | int64(d.Month())<<8 | int64(d.Day()),
			c.ExpenditureID, i}
	}
	slices.SortFunc(keys, func(a, b key) int { return cmp.Or(cmp.Compare(a.first, b.first), cmp.Compare(a.id, b.id)) })
	perm := make([]int, len(cs))
	for i, k := range keys {
		perm[i] = k.at
	}
	return perm
}

// matchFigures is MatchYear's figures: every field of the Match but the
// allocations (and CarriedUsed), from the sums of the offer alone.
func matchFigures(p Policy, st YearState, o Offer) Match {
	m := Match{Available: o.Available, CarriedIn: o.CarriedIn}
	m.Offered = st.Used.Add(m.Available)

	switch p.Mode {
	case ModeDeduction:
		d := m.Offered.Mul(p.Rate)
		if st.TaxableIncome != nil {
			d = decimal.Min(d, st.TaxableIncome.Mul(p.DeductionCapRate))
		}
		if p.CapAmount != nil {
			d = decimal.Min(d, *p.CapAmount)
		}
		m.Deduction = &d
		taxRate := decimal.Zero
		if p.TaxRate != nil {
			taxRate = *p.TaxRate
		}
		m.Target = decimal.Min(p.Round(d.Mul(taxRate)), st.TaxDue)
	default:
		t := p.Round(m.Offered.Mul(p.Rate))
		if p.CapAmount != nil {
			t = decimal.Min(t, *p.CapAmount)
		}
		m.Target = decimal.Min(t, st.TaxDue)
	}
	m.Offset = decimal.Max(st.Applied, m.Target)
	m.OffsetIncrease = m.Offset.Sub(st.Applied)

	m.Used = st.Used
	if eff := p.EffectiveRate(); eff.IsPositive() {
		m.Used = decimal.Max(st.Used, decimal.Min(m.Offered, ceilCents(m.Offset, eff)))
	}
	m.UsedIncrease = m.Used.Sub(st.Used)
	return m
}

// allocate takes m.UsedIncrease from cs, the oldest candidates in order,
// and returns how many of them it took from (the first ones) and what is
// still to take: zero when cs covered the use. So a caller that read only
// the oldest few of a unit-year's candidates learns whether they were
// enough. Every candidate must have Unused > 0.
func (m *Match) allocate(year int, cs []Candidate) (taken int, left decimal.Decimal) {
	left = m.UsedIncrease
	if m.Allocations == nil && left.IsPositive() {
		// At most one allocation per candidate: a run that uses 10,000
		// would otherwise grow the slice a dozen times over.
		m.Allocations = make([]Allocation, 0, len(cs))
	}
	for _, c := range cs {
		if !left.IsPositive() {
			break
		}
		take := decimal.Min(left, c.Unused)
		m.Allocations = append(m.Allocations, Allocation{ExpenditureID: c.ExpenditureID, Amount: take})
		if c.FiscalYear < year {
			m.CarriedUsed = m.CarriedUsed.Add(take)
		}
		left = left.Sub(take)
		taken++
	}
	return taken, left
}

// settled is the match of the books as the run m leaves them: the same
// cumulative figures, with nothing more to add, and what is still offered
// less what the run used. (Matching those books again gives the same: the
// offered spending and so the policy's offset do not change, and the run
// took the offset and the use up to them.)
func (m Match) settled() Match {
	return Match{
		Available: m.Available.Sub(m.UsedIncrease),
		CarriedIn: m.CarriedIn.Sub(m.CarriedUsed),
		Offered:   m.Offered,
		Deduction: m.Deduction,
		Target:    m.Target,
		Offset:    m.Offset,
		Used:      m.Used,
	}
}

// ceilCents is a ÷ b rounded up to 0.01, exactly.
func ceilCents(a, b decimal.Decimal) decimal.Decimal {
	q, r := a.QuoRem(b, 2)
	if r.IsPositive() {
		q = q.Add(cent)
	}
	return q
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}
