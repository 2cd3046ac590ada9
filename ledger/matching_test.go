package ledger

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func dp(s string) *decimal.Decimal {
	v := d(s)
	return &v
}

func deduction(rate, taxRate string) Policy {
	return Policy{FiscalYear: 1404, Mode: ModeDeduction, Rate: d(rate), TaxRate: dp(taxRate),
		DeductionCapRate: d("1"), RoundingUnit: d("1"), Rounding: RoundDown, EligibleCategories: Categories}
}

func credit(rate string) Policy {
	return Policy{FiscalYear: 1404, Mode: ModeCredit, Rate: d(rate),
		DeductionCapRate: d("1"), RoundingUnit: d("1"), Rounding: RoundDown, EligibleCategories: Categories}
}

func cand(id int64, year int, date, unused string) Candidate {
	return Candidate{ExpenditureID: id, FiscalYear: year, SpentOn: taahod.MustParseDate(date), Unused: d(unused)}
}

func TestMatchYearFormulas(t *testing.T) {
	own := []Candidate{cand(1, 1404, "2025-05-01", "600000000"), cand(2, 1404, "2025-06-01", "400000000")} // 1,000,000,000
	withPolicy := func(p Policy, f func(*Policy)) Policy { f(&p); return p }
	cases := []struct {
		name         string
		policy       Policy
		state        YearState
		offset, used string
		deduction    string // "" when not deduction mode
		allocations  []Allocation
	}{
		{
			name:   "deduction uncapped saves a quarter",
			policy: deduction("1", "0.25"),
			state:  YearState{FiscalYear: 1404, TaxDue: d("5000000000")},
			offset: "250000000", used: "1000000000", deduction: "1000000000",
			allocations: []Allocation{{1, d("600000000")}, {2, d("400000000")}},
		},
		{
			name:   "deduction capped by taxable income",
			policy: withPolicy(deduction("1", "0.25"), func(p *Policy) { p.DeductionCapRate = d("0.5") }),
			state:  YearState{FiscalYear: 1404, TaxDue: d("5000000000"), TaxableIncome: dp("800000000")},
			// deduction = min(1e9, 8e8 × 0.5) = 4e8; offset = 1e8; used = 1e8 / 0.25 = 4e8
			offset: "100000000", used: "400000000", deduction: "400000000",
			allocations: []Allocation{{1, d("400000000")}},
		},
		{
			name:   "deduction capped by tax due",
			policy: deduction("1", "0.25"),
			state:  YearState{FiscalYear: 1404, TaxDue: d("70000000")},
			offset: "70000000", used: "280000000", deduction: "1000000000",
			allocations: []Allocation{{1, d("280000000")}},
		},
		{
			name:   "deduction capped by cap_amount",
			policy: withPolicy(deduction("1", "0.25"), func(p *Policy) { p.CapAmount = dp("200000000") }),
			state:  YearState{FiscalYear: 1404, TaxDue: d("5000000000")},
			offset: "50000000", used: "200000000", deduction: "200000000",
			allocations: []Allocation{{1, d("200000000")}},
		},
		{
			name:   "credit counts spending as tax paid",
			policy: credit("1"),
			state:  YearState{FiscalYear: 1404, TaxDue: d("5000000000")},
			offset: "1000000000", used: "1000000000",
			allocations: []Allocation{{1, d("600000000")}, {2, d("400000000")}},
		},
		{
			name:   "credit with rate below one",
			policy: credit("0.7"),
			state:  YearState{FiscalYear: 1404, TaxDue: d("5000000000")},
			offset: "700000000", used: "1000000000",
			allocations: []Allocation{{1, d("600000000")}, {2, d("400000000")}},
		},
		{
			name:   "credit with rate below one capped by tax due uses only what it needs",
			policy: credit("0.7"),
			state:  YearState{FiscalYear: 1404, TaxDue: d("350000000")},
			offset: "350000000", used: "500000000",
			allocations: []Allocation{{1, d("500000000")}},
		},
		{
			name:   "credit capped by cap_amount",
			policy: withPolicy(credit("1"), func(p *Policy) { p.CapAmount = dp("123456789.5") }),
			state:  YearState{FiscalYear: 1404, TaxDue: d("5000000000")},
			offset: "123456789.5", used: "123456789.5",
			allocations: []Allocation{{1, d("123456789.5")}},
		},
		{
			name:   "nothing due, nothing used",
			policy: credit("1"),
			state:  YearState{FiscalYear: 1404, TaxDue: d("0")},
			offset: "0", used: "0",
		},
		{
			name:   "a zero rate uses nothing",
			policy: credit("0"),
			state:  YearState{FiscalYear: 1404, TaxDue: d("100")},
			offset: "0", used: "0",
		},
		{
			name:   "use rounds up to the Rial cent",
			policy: credit("0.3"),
			state:  YearState{FiscalYear: 1404, TaxDue: d("100")},
			// 100 / 0.3 = 333.333… → 333.34
			offset: "100", used: "333.34",
			allocations: []Allocation{{1, d("333.34")}},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := MatchYear(c.policy, c.state, own)
			if !m.Offset.Equal(d(c.offset)) || !m.Used.Equal(d(c.used)) {
				t.Fatalf("offset %s used %s, want %s and %s", m.Offset, m.Used, c.offset, c.used)
			}
			if c.deduction != "" && (m.Deduction == nil || !m.Deduction.Equal(d(c.deduction))) {
				t.Fatalf("deduction %v, want %s", m.Deduction, c.deduction)
			}
			if !m.OffsetIncrease.Equal(m.Offset) || !m.Offered.Equal(d("1000000000")) {
				t.Fatalf("increase %s, offered %s", m.OffsetIncrease, m.Offered)
			}
			checkAllocations(t, m.Allocations, c.allocations)
			if m.Offset.GreaterThan(c.state.TaxDue) {
				t.Fatalf("offset %s above tax due %s", m.Offset, c.state.TaxDue)
			}
		})
	}
}

func checkAllocations(t *testing.T, got, want []Allocation) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("allocations %v, want %v", got, want)
	}
	for i := range got {
		if got[i].ExpenditureID != want[i].ExpenditureID || !got[i].Amount.Equal(want[i].Amount) {
			t.Fatalf("allocations %v, want %v", got, want)
		}
	}
}

func TestRounding(t *testing.T) {
	cases := []struct {
		unit, mode, in, want string
	}{
		{"1", RoundDown, "2.5", "2"},
		{"1", RoundHalfEven, "2.5", "2"},
		{"1", RoundHalfEven, "3.5", "4"},
		{"1", RoundHalfEven, "3.49", "3"},
		{"1", RoundHalfEven, "3.51", "4"},
		{"1000", RoundDown, "1234567.89", "1234000"},
		{"1000", RoundHalfEven, "1234500", "1234000"},
		{"1000", RoundHalfEven, "1235500", "1236000"},
		{"1000", RoundHalfEven, "1235500.01", "1236000"},
		{"0.01", RoundHalfEven, "0.125", "0.12"},
		{"0.01", RoundHalfEven, "0.135", "0.14"},
		{"0.01", RoundDown, "0.139", "0.13"},
		{"10", RoundDown, "9.99", "0"},
	}
	for _, c := range cases {
		p := Policy{RoundingUnit: d(c.unit), Rounding: c.mode}
		if got := p.Round(d(c.in)); !got.Equal(d(c.want)) {
			t.Errorf("round %s to %s %s = %s, want %s", c.in, c.unit, c.mode, got, c.want)
		}
	}
	// The policy's rounding decides the offset on a .5 case.
	spend := []Candidate{cand(1, 1404, "2025-05-01", "5")}
	down := credit("0.5")
	even := credit("0.5")
	even.Rounding = RoundHalfEven
	st := YearState{FiscalYear: 1404, TaxDue: d("100")}
	if got := MatchYear(down, st, spend).Offset; !got.Equal(d("2")) {
		t.Errorf("down: offset %s, want 2", got)
	}
	if got := MatchYear(even, st, spend).Offset; !got.Equal(d("2")) {
		t.Errorf("half_even of 2.5: offset %s, want 2", got)
	}
	spend[0].Unused = d("7") // 3.5 → 4 half-even, 3 down
	if got := MatchYear(even, st, spend).Offset; !got.Equal(d("4")) {
		t.Errorf("half_even of 3.5: offset %s, want 4", got)
	}
	if got := MatchYear(down, st, spend).Offset; !got.Equal(d("3")) {
		t.Errorf("down of 3.5: offset %s, want 3", got)
	}
}

func TestMatchYearIsCumulative(t *testing.T) {
	p := credit("1")
	st := YearState{FiscalYear: 1404, TaxDue: d("1000")}
	first := MatchYear(p, st, []Candidate{cand(1, 1404, "2025-05-01", "300")})
	if !first.OffsetIncrease.Equal(d("300")) {
		t.Fatalf("first run adds %s", first.OffsetIncrease)
	}
	st.Applied, st.Used = first.Offset, first.Used

	t.Run("re-run with no change adds nothing", func(t *testing.T) {
		m := MatchYear(p, st, nil)
		if !m.OffsetIncrease.IsZero() || !m.UsedIncrease.IsZero() || len(m.Allocations) != 0 {
			t.Fatalf("second run adds %s / %s", m.OffsetIncrease, m.UsedIncrease)
		}
	})
	t.Run("a new approval adds only the difference", func(t *testing.T) {
		// 550.5 offered rounds down to 550 at the Rial: half a Rial stays unused.
		m := MatchYear(p, st, []Candidate{cand(2, 1404, "2025-06-01", "250.5")})
		if !m.Offset.Equal(d("550")) || !m.OffsetIncrease.Equal(d("250")) || !m.Offered.Equal(d("550.5")) {
			t.Fatalf("offset %s, increase %s, offered %s", m.Offset, m.OffsetIncrease, m.Offered)
		}
		checkAllocations(t, m.Allocations, []Allocation{{2, d("250")}})
	})
	t.Run("a lower policy never takes back", func(t *testing.T) {
		// offered 400 × 0.5 = 200 < 300 applied: the offset stays, and by the
		// contract's used = min(offered, offset ÷ rate) = min(400, 600) the
		// new spending backs the offset already applied.
		m := MatchYear(credit("0.5"), st, []Candidate{cand(2, 1404, "2025-06-01", "100")})
		if !m.Offset.Equal(d("300")) || !m.OffsetIncrease.IsZero() || !m.Used.Equal(d("400")) {
			t.Fatalf("offset %s, increase %s, used %s", m.Offset, m.OffsetIncrease, m.Used)
		}
		// And a higher one never lowers what was used.
		m = MatchYear(credit("1"), YearState{FiscalYear: 1404, TaxDue: d("1000"), Applied: d("300"), Used: d("600")}, nil)
		if !m.Used.Equal(d("600")) || !m.UsedIncrease.IsZero() {
			t.Fatalf("used %s", m.Used)
		}
	})
}

func TestMatchYearCarriedFirstThenOldest(t *testing.T) {
	p := credit("1")
	st := YearState{FiscalYear: 1404, TaxDue: d("250")}
	m := MatchYear(p, st, []Candidate{
		cand(9, 1404, "2025-04-01", "100"),
		cand(5, 1403, "2024-12-01", "100"),
		cand(3, 1402, "2024-01-01", "30"),
		cand(4, 1404, "2025-04-01", "100"),
	})
	if !m.CarriedIn.Equal(d("130")) || !m.Available.Equal(d("330")) {
		t.Fatalf("carried %s available %s", m.CarriedIn, m.Available)
	}
	// 250: 30 (1402) + 100 (1403) + 100 of id 4 + 20 of id 9 — same date, lower id first.
	checkAllocations(t, m.Allocations, []Allocation{{3, d("30")}, {5, d("100")}, {4, d("100")}, {9, d("20")}})
}

// MatchYear is matchFigures over the candidates' sums, then allocate over
// the candidates: the figures must come from the sums alone.
func TestMatchFiguresNeedOnlyTheSums(t *testing.T) {
	cs := []Candidate{
		cand(3, 1402, "2024-01-01", "30"),
		cand(5, 1403, "2024-12-01", "100"),
		cand(4, 1404, "2025-04-01", "100.5"),
		cand(9, 1404, "2025-04-01", "100"),
	}
	offer := Offer{Available: d("330.5"), CarriedIn: d("130")}
	cases := []struct {
		name   string
		policy Policy
		state  YearState
	}{
		{"credit, all used", credit("1"), YearState{FiscalYear: 1404, TaxDue: d("1000")}},
		{"credit capped by tax due", credit("1"), YearState{FiscalYear: 1404, TaxDue: d("250")}},
		{"credit below one, after a run", credit("0.7"), YearState{FiscalYear: 1404, TaxDue: d("1000"), Applied: d("50"), Used: d("71.43")}},
		{"deduction capped by taxable income", deduction("1", "0.25"), YearState{FiscalYear: 1404, TaxDue: d("1000"), TaxableIncome: dp("200")}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := MatchYear(c.policy, c.state, cs)
			got := matchFigures(c.policy, c.state, offer)
			figures := func(m Match) []decimal.Decimal {
				deduction := decimal.NewFromInt(-1) // none
				if m.Deduction != nil {
					deduction = *m.Deduction
				}
				return []decimal.Decimal{m.Available, m.CarriedIn, m.Offered, deduction, m.Target, m.Offset,
					m.OffsetIncrease, m.Used, m.UsedIncrease}
			}
			for i, w := range figures(want) {
				if !figures(got)[i].Equal(w) {
					t.Fatalf("figures from the sums %v, want %v", figures(got), figures(want))
				}
			}
			if len(got.Allocations) != 0 || !got.CarriedUsed.IsZero() {
				t.Fatalf("figures allocate: %v", got.Allocations)
			}
		})
	}
}

// allocate takes the use from the oldest candidates as MatchYear does from
// all of them, says how many it took from, and what is left to take when
// too few were given.
func TestAllocateFromTheOldest(t *testing.T) {
	cs := []Candidate{ // oldest first
		cand(3, 1402, "2024-01-01", "30"),
		cand(5, 1403, "2024-12-01", "100"),
		cand(4, 1404, "2025-04-01", "100"),
		cand(9, 1404, "2025-04-01", "100"),
		cand(2, 1404, "2025-06-01", "50.25"),
	}
	p := credit("1")
	st := YearState{FiscalYear: 1404, TaxDue: d("250")}
	all := MatchYear(p, st, cs)
	// 250: 30 (1402) + 100 (1403) + 100 of id 4 + 20 of id 9.
	checkAllocations(t, all.Allocations, []Allocation{{3, d("30")}, {5, d("100")}, {4, d("100")}, {9, d("20")}})
	for n := 0; n <= len(cs); n++ {
		t.Run(fmt.Sprintf("the %d oldest", n), func(t *testing.T) {
			m := matchFigures(p, st, Offer{Available: d("380.25"), CarriedIn: d("130")})
			taken, left := m.allocate(1404, cs[:n])
			wantTaken := min(n, 4)
			wantLeft := d("250")
			for _, a := range all.Allocations[:wantTaken] {
				wantLeft = wantLeft.Sub(a.Amount)
			}
			if taken != wantTaken || !left.Equal(wantLeft) {
				t.Fatalf("took from %d, %s left; want %d, %s", taken, left, wantTaken, wantLeft)
			}
			checkAllocations(t, m.Allocations, all.Allocations[:wantTaken])
			wantCarried := d("0")
			for _, a := range all.Allocations[:min(n, 2)] {
				wantCarried = wantCarried.Add(a.Amount)
			}
			if !m.CarriedUsed.Equal(wantCarried) {
				t.Fatalf("carried used %s, want %s", m.CarriedUsed, wantCarried)
			}
		})
	}
}

// oldestFirstOrder, the order a run sorts many candidates in by keys, is
// oldestFirst's: over dates from the first to the last supported year,
// years before, at and after the run's, and many candidates of one day.
func TestOldestFirstOrderIsOldestFirst(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 5))
	days := []taahod.Date{taahod.MustParseDate("1900-01-01"), taahod.MustParseDate("2199-12-31"),
		taahod.MustParseDate("2025-03-20"), taahod.MustParseDate("2025-03-21")}
	for range 200 {
		days = append(days, taahod.MustParseDate("1900-01-01").AddDays(rng.IntN(300*366)))
	}
	for round := range 50 {
		cs := make([]Candidate, 1+rng.IntN(400))
		for i, id := range rng.Perm(len(cs)) {
			// Ids distinct, and not in the order of the slice.
			cs[i] = Candidate{ExpenditureID: int64(id)<<20 | int64(rng.IntN(1<<20)), FiscalYear: 1400 + rng.IntN(8),
				SpentOn: days[rng.IntN(len(days))]}
		}
		year := 1401 + rng.IntN(6)
		want := slices.Clone(cs)
		slices.SortFunc(want, oldestFirst(year))
		for i, k := range oldestFirstOrder(year, cs) {
			if cs[k].ExpenditureID != want[i].ExpenditureID {
				t.Fatalf("round %d, year %d: place %d holds expenditure %d (%d, %s), want %d (%d, %s)", round, year, i,
					cs[k].ExpenditureID, cs[k].FiscalYear, cs[k].SpentOn, want[i].ExpenditureID, want[i].FiscalYear, want[i].SpentOn)
			}
		}
	}
}
