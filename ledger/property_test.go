package ledger_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
)

// The property test drives the real stores with random sequences of
// submissions, reviews, reversals, assessments, policy changes and offset
// runs, and after every step holds the books to two things: ledger.Verify
// finds nothing, and every unit-year's statement equals what a reference
// model computes on its own. The model is written from the contract's text
// ("Offset policy") with exact rationals; it shares no code with the
// matching it checks.

// propertySeeds are replayed on every run; one more seed comes from the
// clock and is logged, so that a failure it finds can be replayed by adding
// it here.
var propertySeeds = []uint64{1, 2, 3, 1404, 172}

const (
	propertySteps = 500 // per seed
	propertyUnits = 3
	firstYear     = 1401
	lastYear      = 1405
)

func TestOffsetProperty(t *testing.T) {
	seeds := slices.Clone(propertySeeds)
	clock := uint64(time.Now().UnixNano())
	t.Logf("seed from the clock: %d (add it to propertySeeds to replay a failure)", clock)
	seeds = append(seeds, clock)
	steps := propertySteps
	if testing.Short() {
		steps = 100
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			t.Parallel()
			newProperty(t, seed).run(steps)
		})
	}
}

// ---- the reference model

// rat parses an exact decimal.
func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("not a decimal: " + s)
	}
	return r
}

func ratOf(d decimal.Decimal) *big.Rat { return d.Rat() }

func add(a, b *big.Rat) *big.Rat { return new(big.Rat).Add(a, b) }
func sub(a, b *big.Rat) *big.Rat { return new(big.Rat).Sub(a, b) }
func mul(a, b *big.Rat) *big.Rat { return new(big.Rat).Mul(a, b) }
func minRat(a, b *big.Rat) *big.Rat {
	if a.Cmp(b) <= 0 {
		return a
	}
	return b
}
func maxRat(a, b *big.Rat) *big.Rat {
	if a.Cmp(b) >= 0 {
		return a
	}
	return b
}

// floorInt is ⌊x⌋ for x ≥ 0.
func floorInt(x *big.Rat) *big.Int { return new(big.Int).Quo(x.Num(), x.Denom()) }

// roundTo rounds x ≥ 0 to a multiple of unit, down or half to even.
func roundTo(x, unit *big.Rat, mode string) *big.Rat {
	q := floorInt(new(big.Rat).Quo(x, unit))
	rest := sub(x, mul(new(big.Rat).SetInt(q), unit))
	if mode == ledger.RoundHalfEven {
		switch mul(rest, big.NewRat(2, 1)).Cmp(unit) {
		case 1:
			q.Add(q, big.NewInt(1))
		case 0:
			if q.Bit(0) == 1 {
				q.Add(q, big.NewInt(1))
			}
		}
	}
	return mul(new(big.Rat).SetInt(q), unit)
}

// ceilCents is x rounded up to 0.01, x ≥ 0.
func ceilCents(x *big.Rat) *big.Rat {
	hundred := big.NewRat(100, 1)
	c := mul(x, hundred)
	q := floorInt(c)
	if new(big.Rat).SetInt(q).Cmp(c) != 0 {
		q.Add(q, big.NewInt(1))
	}
	return new(big.Rat).Quo(new(big.Rat).SetInt(q), hundred)
}

type mPolicy struct {
	mode                   string
	rate, taxRate, capRate *big.Rat // taxRate nil in credit mode
	capAmount              *big.Rat // nil: no cap
	carry                  int
	unit                   *big.Rat
	rounding               string
	categories             map[string]bool
	body                   string // as sent
}

type mYear struct {
	due     *big.Rat
	income  *big.Rat // nil: not given, no cap
	applied *big.Rat // offset applied
	used    *big.Rat // spending used
	run     bool
	alloc   map[int64]*big.Rat // expenditure → what the year's standing offsets used of it
}

type mExp struct {
	id       int64
	unit     int64
	year     int
	spentOn  taahod.Date
	category string
	amount   *big.Rat
	status   string
	approved *big.Rat
	unused   *big.Rat
}

type unitYear struct {
	unit int64
	year int
}

type model struct {
	policies map[int]*mPolicy
	years    map[unitYear]*mYear
	exps     map[int64]*mExp
	expIDs   []int64 // in submission order
}

// mRun is what a run would do now, and the figures a statement shows.
type mRun struct {
	candidates []*mExp // oldest first
	available  *big.Rat
	carried    *big.Rat // the part of available from earlier years
	offered    *big.Rat
	deduction  *big.Rat // deduction mode only
	offset     *big.Rat // cumulative, after the run
	used       *big.Rat // cumulative, after the run
	takes      []take
}

type take struct {
	id     int64
	amount *big.Rat
}

// plan applies the contract's rules to a unit-year as the model holds it.
func (m *model) plan(u int64, year int) mRun {
	p, y := m.policies[year], m.years[unitYear{u, year}]
	r := mRun{available: new(big.Rat), carried: new(big.Rat)}
	// available: the year's own eligible approved spending not yet used,
	// plus what is unused of the previous carry_forward_years years whose
	// own offset has been run (eligible as those years' policies say).
	for _, id := range m.expIDs {
		e := m.exps[id]
		if e.unit != u || e.unused == nil || e.unused.Sign() <= 0 {
			continue
		}
		switch {
		case e.year == year:
			if !p.categories[e.category] {
				continue
			}
		case e.year < year && e.year >= year-p.carry:
			from, ran := m.years[unitYear{u, e.year}], m.policies[e.year]
			if from == nil || !from.run || ran == nil || !ran.categories[e.category] {
				continue
			}
			r.carried = add(r.carried, e.unused)
		default:
			continue
		}
		r.candidates = append(r.candidates, e)
		r.available = add(r.available, e.unused)
	}
	// Carried amounts first, then by spent_on, then by id.
	slices.SortFunc(r.candidates, func(a, b *mExp) int {
		carriedA, carriedB := a.year < year, b.year < year
		if carriedA != carriedB {
			if carriedA {
				return -1
			}
			return 1
		}
		return cmp.Or(a.spentOn.Compare(b.spentOn), cmp.Compare(a.id, b.id))
	})
	r.offered = add(y.used, r.available)

	var target, eff *big.Rat
	switch p.mode {
	case ledger.ModeDeduction:
		d := mul(r.offered, p.rate)
		if y.income != nil {
			d = minRat(d, mul(y.income, p.capRate))
		}
		if p.capAmount != nil {
			d = minRat(d, p.capAmount)
		}
		r.deduction = d
		target = minRat(roundTo(mul(d, p.taxRate), p.unit, p.rounding), y.due)
		eff = mul(p.rate, p.taxRate)
	default:
		t := roundTo(mul(r.offered, p.rate), p.unit, p.rounding)
		if p.capAmount != nil {
			t = minRat(t, p.capAmount)
		}
		target = minRat(t, y.due)
		eff = p.rate
	}
	// A run only adds: neither the offset nor the spending used goes down.
	r.offset = maxRat(y.applied, target)
	r.used = y.used
	if eff.Sign() > 0 {
		r.used = maxRat(y.used, minRat(r.offered, ceilCents(new(big.Rat).Quo(r.offset, eff))))
	}
	left := sub(r.used, y.used)
	for _, e := range r.candidates {
		if left.Sign() <= 0 {
			break
		}
		t := minRat(left, e.unused)
		r.takes = append(r.takes, take{e.id, t})
		left = sub(left, t)
	}
	if left.Sign() != 0 {
		panic("model: used more than offered")
	}
	return r
}

// apply records a run.
func (m *model) apply(u int64, year int, r mRun) {
	y := m.years[unitYear{u, year}]
	y.applied, y.used, y.run = r.offset, r.used, true
	for _, t := range r.takes {
		e := m.exps[t.id]
		e.unused = sub(e.unused, t.amount)
		y.alloc[t.id] = add(cmp.Or(y.alloc[t.id], new(big.Rat)), t.amount)
	}
}

// reverse undoes an approval: every standing offset of the years that used
// the expenditure is undone (the spending they used returns), those years
// must be run again, and the approval goes.
func (m *model) reverse(id int64) {
	e := m.exps[id]
	for key, y := range m.years {
		if key.unit != e.unit || y.alloc[id] == nil || y.alloc[id].Sign() == 0 {
			continue
		}
		for other, a := range y.alloc {
			m.exps[other].unused = add(m.exps[other].unused, a)
		}
		y.alloc = map[int64]*big.Rat{}
		y.applied, y.used, y.run = new(big.Rat), new(big.Rat), false
	}
	if e.unused.Cmp(e.approved) != 0 {
		panic("model: a reversed expenditure still used")
	}
	e.unused, e.status = new(big.Rat), ledger.StatusReversed
}

// expected is the statement the model gives a unit-year.
type expected struct {
	taxDue, eligible, carriedIn, offered, used, unused *big.Rat
	offset, remaining, pendingOffset, pendingUse       *big.Rat
	deduction                                          *big.Rat
	needsRun                                           bool
	allocations                                        []take // by spent_on, id
}

func (m *model) statement(u int64, year int) expected {
	y, p := m.years[unitYear{u, year}], m.policies[year]
	x := expected{taxDue: y.due, used: y.used, offset: y.applied, remaining: sub(y.due, y.applied),
		eligible: new(big.Rat), carriedIn: new(big.Rat), offered: y.used, unused: new(big.Rat),
		pendingOffset: new(big.Rat), pendingUse: new(big.Rat)}
	for _, id := range m.expIDs {
		e := m.exps[id]
		if a := y.alloc[id]; a != nil && a.Sign() != 0 {
			x.allocations = append(x.allocations, take{id, a})
			if e.year < year {
				x.carriedIn = add(x.carriedIn, a)
			}
		}
		if p != nil && e.unit == u && e.year == year && p.categories[e.category] &&
			(e.status == ledger.StatusApproved || e.status == ledger.StatusPartiallyApproved) {
			x.eligible = add(x.eligible, e.approved)
		}
	}
	slices.SortFunc(x.allocations, func(a, b take) int {
		return cmp.Or(m.exps[a.id].spentOn.Compare(m.exps[b.id].spentOn), cmp.Compare(a.id, b.id))
	})
	if p != nil {
		r := m.plan(u, year)
		x.carriedIn = add(x.carriedIn, r.carried)
		x.offered, x.unused, x.deduction = r.offered, r.available, r.deduction
		x.pendingOffset, x.pendingUse = sub(r.offset, y.applied), sub(r.used, y.used)
	}
	x.needsRun = !y.run || x.pendingOffset.Sign() > 0 || x.pendingUse.Sign() > 0
	return x
}

// ---- the driver

type property struct {
	*books
	t       *testing.T
	seed    uint64
	r       *rand.Rand
	m       *model
	scale   *big.Rat // every amount of the run is a multiple of a small one by scale
	history []string
	ctx     context.Context
	// seen counts what the sequence exercised, logged at its end so that
	// a change that made the test toothless shows.
	seen map[string]int
}

func newProperty(t *testing.T, seed uint64) *property {
	b := newBooks(t, propertyUnits)
	// A run reads the oldest few candidates with its sums and the rest
	// only when it uses more: most seeds make it read 1 to 3 (so that both
	// ways are taken), some the default.
	if n := int(seed % 4); n > 0 {
		ledger.SetRunReadsOldest(b.store, n)
		t.Logf("runs read the %d oldest candidates with the sums", n)
	}
	r := rand.New(rand.NewPCG(seed, seed^0x172))
	scales := []string{"1", "1", "1000", "1000000", "0.01"}
	return &property{books: b, t: t, seed: seed, r: r, ctx: context.Background(),
		scale: rat(scales[r.IntN(len(scales))]), seen: map[string]int{},
		m: &model{policies: map[int]*mPolicy{}, years: map[unitYear]*mYear{}, exps: map[int64]*mExp{}}}
}

// fail stops the test with the seed and the steps that led here.
func (p *property) fail(format string, args ...any) {
	p.t.Helper()
	from := max(0, len(p.history)-60)
	p.t.Fatalf("seed %d, step %d: %s\nsteps (the last %d):\n  %s", p.seed, len(p.history), fmt.Sprintf(format, args...),
		len(p.history)-from, strings.Join(p.history[from:], "\n  "))
}

func (p *property) step(format string, args ...any) {
	p.history = append(p.history, fmt.Sprintf("%d: ", len(p.history)+1)+fmt.Sprintf(format, args...))
}

func (p *property) run(steps int) {
	p.t.Helper()
	for range steps {
		unit := p.units[p.r.IntN(len(p.units))]
		year := firstYear + p.r.IntN(lastYear-firstYear+1)
		if p.r.IntN(4) > 0 {
			// Mostly years that can be run.
			for try := 0; try < 5 && (p.m.policies[year] == nil || p.m.years[unitYear{unit, year}] == nil); try++ {
				year = firstYear + p.r.IntN(lastYear-firstYear+1)
			}
		}
		touched := []int64{unit}
		switch n := p.r.IntN(100); {
		case n < 24:
			p.submit(unit)
		case n < 45:
			p.review()
		case n < 48:
			p.resubmit()
		case n < 54:
			p.reverse()
		case n < 66:
			p.assess(unit, year)
		case n < 72:
			p.setPolicy(year)
			touched = p.units
		default:
			if p.r.IntN(2) == 0 {
				// Half the runs go where the model says there is work.
				unit, year = p.pending(unit, year)
				touched = []int64{unit}
			}
			p.runOffset(unit, year)
		}
		p.check(touched)
	}
	p.t.Logf("seed %d exercised %v", p.seed, p.seen)
}

// pending returns a random unit-year that a run would change, or the one
// given when there is none.
func (p *property) pending(unit int64, year int) (int64, int) {
	var work []unitYear
	for _, u := range p.units {
		for y := firstYear; y <= lastYear; y++ {
			ty := p.m.years[unitYear{u, y}]
			if ty == nil || p.m.policies[y] == nil {
				continue
			}
			if r := p.m.plan(u, y); r.offset.Cmp(ty.applied) > 0 || r.used.Cmp(ty.used) > 0 {
				work = append(work, unitYear{u, y})
			}
		}
	}
	if len(work) == 0 {
		return unit, year
	}
	w := work[p.r.IntN(len(work))]
	return w.unit, w.year
}

// amount is a random positive amount: a few digits, whole mostly, some
// with cents, some round, times the run's scale.
func (p *property) amount(limit int) *big.Rat {
	var a *big.Rat
	switch n := p.r.IntN(10); {
	case n < 2:
		a = big.NewRat(int64(1+p.r.IntN(limit*100)), 100)
	case n < 4:
		a = big.NewRat(int64(1+p.r.IntN(20))*int64(limit/20+1), 1)
	default:
		a = big.NewRat(int64(1+p.r.IntN(limit)), 1)
	}
	return ceilCents(mul(a, p.scale))
}

// text writes an exact decimal with at most two fractional digits.
func text(r *big.Rat) string { return r.FloatString(2) }

func (p *property) submit(unit int64) {
	year := firstYear + p.r.IntN(lastYear-firstYear+1)
	months := 12
	if year == lastYear {
		months = 8 // booksNow is 1405/09/05: spending is never in the future
	}
	// Few distinct days, so that equal dates are ordered by id.
	on, err := taahod.FromJalali(year, 1+p.r.IntN(months), 1+5*p.r.IntN(6))
	if err != nil {
		p.fail("date: %v", err)
	}
	amount := p.amount(5000)
	category := ledger.Categories[p.r.IntN(len(ledger.Categories))]
	id := p.spend(unit, on.String(), text(amount), category)
	p.step("submit %d: unit %d, %s on %s (%d), %s", id, unit, text(amount), on, year, category)
	p.m.exps[id] = &mExp{id: id, unit: unit, year: year, spentOn: on, category: category, amount: amount, status: ledger.StatusSubmitted}
	p.m.expIDs = append(p.m.expIDs, id)
}

// pick returns a random expenditure whose status is one of those given, or
// nil.
func (p *property) pick(statuses ...string) *mExp {
	var ids []int64
	for _, id := range p.m.expIDs {
		if slices.Contains(statuses, p.m.exps[id].status) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	return p.m.exps[ids[p.r.IntN(len(ids))]]
}

func (p *property) review() {
	e := p.pick(ledger.StatusSubmitted)
	if e == nil || p.r.IntN(20) == 0 {
		// A reviewed expenditure cannot be reviewed again.
		if done := p.pick(ledger.StatusApproved, ledger.StatusRejected, ledger.StatusReversed); done != nil {
			_, err := p.store.Review(p.ctx, p.tax, done.id, ledger.ReviewInput{Decision: ledger.DecisionApprove})
			p.step("review %d again (%s): %v", done.id, done.status, err)
			if taahod.ErrorCode(err) != taahod.ECONFLICT {
				p.fail("reviewing %s expenditure %d: %v, want a conflict", done.status, done.id, err)
			}
		}
		return
	}
	reason := "بررسی"
	in := ledger.ReviewInput{Decision: ledger.DecisionApprove}
	approved, status := e.amount, ledger.StatusApproved
	switch n := p.r.IntN(10); {
	case n < 2:
		in = ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason}
		approved, status = nil, ledger.StatusRejected
	case n < 5:
		// Part of it: a share in cents, above zero and below the amount.
		cents := floorInt(mul(e.amount, big.NewRat(100, 1))).Int64()
		if cents < 2 {
			break
		}
		part := big.NewRat(1+p.r.Int64N(cents-1), 100)
		in.ApprovedAmount, in.Reason = json.RawMessage(`"`+text(part)+`"`), &reason
		approved, status = part, ledger.StatusPartiallyApproved
	case n == 5:
		// More than the amount is refused, and changes nothing.
		in.ApprovedAmount = json.RawMessage(`"` + text(add(e.amount, big.NewRat(1, 100))) + `"`)
		_, err := p.store.Review(p.ctx, p.tax, e.id, in)
		p.step("approve %d for more than its amount: %v", e.id, err)
		if taahod.ErrorCode(err) != taahod.EINVALID {
			p.fail("approving more than the amount: %v", err)
		}
		return
	}
	got, err := p.store.Review(p.ctx, p.tax, e.id, in)
	p.step("review %d (unit %d, %d): %s %v", e.id, e.unit, e.year, status, approved)
	if err != nil {
		p.fail("review %d: %v", e.id, err)
	}
	if got.Status != status {
		p.fail("review %d: status %s, want %s", e.id, got.Status, status)
	}
	e.status = status
	if approved != nil {
		e.approved, e.unused = approved, approved
	}
}

// resubmit puts a rejected expenditure back in review, as its unit's
// accountant would after correcting it; the model takes it back to
// submitted, and it may be reviewed again.
func (p *property) resubmit() {
	e := p.pick(ledger.StatusRejected)
	if e == nil {
		return
	}
	got, err := p.store.Resubmit(p.ctx, p.accts[e.unit], e.id)
	p.step("resubmit %d (unit %d): %v", e.id, e.unit, err)
	if err != nil || got.Status != ledger.StatusSubmitted || len(got.Reviews) == 0 {
		p.fail("resubmit %d: %+v %v", e.id, got, err)
	}
	e.status = ledger.StatusSubmitted
	p.seen["resubmission"]++
}

func (p *property) reverse() {
	if p.r.IntN(8) == 0 {
		// Only an approval can be reversed.
		if e := p.pick(ledger.StatusSubmitted, ledger.StatusRejected, ledger.StatusReversed); e != nil {
			err := p.store.ReverseApproval(p.ctx, p.tax, e.id, ledger.ReverseInput{Reason: "آزمون"})
			p.step("reverse %s expenditure %d: %v", e.status, e.id, err)
			if taahod.ErrorCode(err) != taahod.ECONFLICT {
				p.fail("reversing a %s expenditure: %v, want a conflict", e.status, err)
			}
		}
		return
	}
	e := p.pick(ledger.StatusApproved, ledger.StatusPartiallyApproved)
	if e == nil {
		return
	}
	p.step("reverse %d (unit %d, %d, %s approved, %s unused)", e.id, e.unit, e.year, text(e.approved), text(e.unused))
	if err := p.store.ReverseApproval(p.ctx, p.tax, e.id, ledger.ReverseInput{Reason: "فاکتور نامعتبر"}); err != nil {
		p.fail("reverse %d: %v", e.id, err)
	}
	for _, y := range p.m.years {
		if a := y.alloc[e.id]; a != nil && a.Sign() > 0 {
			p.seen["reversal un-ran a year"]++
		}
	}
	p.m.reverse(e.id)
	got, err := p.store.FindExpenditure(p.ctx, p.tax, e.id)
	if err != nil || got.Status != ledger.StatusReversed {
		p.fail("expenditure %d after its reversal: %s %v", e.id, got.Status, err)
	}
}

func (p *property) assess(unit int64, year int) {
	key := unitYear{unit, year}
	y := p.m.years[key]
	applied := new(big.Rat)
	if y != nil {
		applied = y.applied
	}
	var due *big.Rat
	switch n := p.r.IntN(10); {
	case n == 0:
		due = new(big.Rat)
	case n == 1 && applied.Sign() > 0:
		due = applied // exactly the offset: allowed
	case n == 2 && applied.Sign() > 0:
		due = sub(applied, big.NewRat(1, 100)) // just below: refused
	default:
		due = p.amount(3000)
	}
	var income *big.Rat
	incomeText := ""
	switch p.r.IntN(4) {
	case 0: // not given: no cap
	case 1:
		income, incomeText = new(big.Rat), "0"
	default:
		income = p.amount(8000)
		incomeText = text(income)
	}
	err := p.books.assess(unit, year, text(due), incomeText)
	p.step("assess unit %d, %d: tax due %s, taxable income %q (offset %s): %v", unit, year, text(due), incomeText, text(applied), err)
	if due.Cmp(applied) < 0 {
		if taahod.ErrorCode(err) != ledger.ETAXBELOWOFFSET {
			p.fail("tax due %s below the offset %s: %v, want %s", text(due), text(applied), err, ledger.ETAXBELOWOFFSET)
		}
		return
	}
	if err != nil {
		p.fail("assess: %v", err)
	}
	if y == nil {
		y = &mYear{applied: new(big.Rat), used: new(big.Rat), alloc: map[int64]*big.Rat{}}
		p.m.years[key] = y
	}
	y.due, y.income = due, income
}

func (p *property) setPolicy(year int) {
	pick := func(options ...string) string { return options[p.r.IntN(len(options))] }
	mode := pick(ledger.ModeDeduction, ledger.ModeCredit)
	pol := &mPolicy{mode: mode, rate: rat(pick("1", "1", "0.5", "0.5", "0.7", "0.33333333", "0.12345678", "0")),
		capRate: rat("1"), unit: rat("1"), rounding: ledger.RoundDown, categories: map[string]bool{}}
	body := map[string]any{"mode": mode, "rate": pol.rate.FloatString(8), "legal_basis": "ماده ۱۷۲ قانون مالیات‌های مستقیم"}
	if mode == ledger.ModeDeduction {
		pol.taxRate = rat(pick("0.25", "0.25", "0.5", "0.1", "1", "0.33333333", "0"))
		body["tax_rate"] = pol.taxRate.FloatString(8)
	}
	if p.r.IntN(2) == 0 {
		pol.capRate = rat(pick("0.5", "0.3", "1", "0"))
		body["deduction_cap_rate"] = pol.capRate.FloatString(8)
	}
	if p.r.IntN(3) == 0 {
		pol.capAmount = p.amount(4000)
		body["cap_amount"] = text(pol.capAmount)
	}
	pol.carry = p.r.IntN(3)
	body["carry_forward_years"] = pol.carry
	if p.r.IntN(2) == 0 {
		pol.unit = rat(pick("1", "1", "0.01", "0.05", "10", "1000", "7", "0.5"))
		body["rounding_unit"] = pol.unit.FloatString(2)
	}
	if p.r.IntN(3) > 0 {
		pol.rounding = pick(ledger.RoundDown, ledger.RoundHalfEven, ledger.RoundHalfEven, ledger.RoundHalfEven)
		body["rounding"] = pol.rounding
	}
	if p.r.IntN(3) == 0 {
		cats := []string{}
		for _, c := range ledger.Categories {
			if p.r.IntN(2) == 0 {
				cats = append(cats, c)
				pol.categories[c] = true
			}
		}
		body["eligible_categories"] = cats
	} else {
		for _, c := range ledger.Categories {
			pol.categories[c] = true
		}
	}
	raw, err := json.Marshal(body)
	if err != nil {
		p.fail("%v", err)
	}
	pol.body = string(raw)
	p.step("policy %d: %s", year, raw)
	p.policy(year, pol.body)
	p.m.policies[year] = pol
}

func (p *property) runOffset(unit int64, year int) {
	st, err := p.store.RunOffset(p.ctx, p.tax, unit, year)
	key := unitYear{unit, year}
	switch {
	case p.m.policies[year] == nil:
		p.step("run unit %d, %d without a policy: %v", unit, year, err)
		if taahod.ErrorCode(err) != ledger.ENOPOLICY {
			p.fail("a run without a policy: %v", err)
		}
		return
	case p.m.years[key] == nil:
		p.step("run unit %d, %d without a tax year: %v", unit, year, err)
		if taahod.ErrorCode(err) != ledger.ENOASSESSMENT {
			p.fail("a run without a tax year: %v", err)
		}
		return
	}
	r := p.m.plan(unit, year)
	p.step("run unit %d, %d: offset %s → %s, used %s → %s, takes %v", unit, year,
		text(p.m.years[key].applied), text(r.offset), text(p.m.years[key].used), text(r.used), r.takes)
	if err != nil {
		p.fail("run: %v", err)
	}
	p.count(unit, year, r)
	p.m.apply(unit, year, r)
	p.compare(unit, year, st, "the run's statement")
}

// count notes what a run does that the test means to exercise.
func (p *property) count(unit int64, year int, r mRun) {
	y, pol := p.m.years[unitYear{unit, year}], p.m.policies[year]
	p.seen["run"]++
	if r.offset.Cmp(y.applied) > 0 {
		p.seen["run adding offset"]++
		if r.offset.Cmp(y.due) == 0 {
			p.seen["offset capped by tax due"]++
		}
	}
	if y.applied.Sign() > 0 && r.offset.Cmp(y.applied) > 0 {
		p.seen["run adding to an earlier offset"]++
	}
	if y.applied.Sign() > 0 && len(r.takes) == 0 && r.offset.Cmp(y.applied) == 0 {
		p.seen["re-run adding nothing"]++
	}
	if r.carried.Sign() > 0 {
		p.seen["run with carried spending"]++
	}
	for _, t := range r.takes {
		e := p.m.exps[t.id]
		if e.year < year {
			p.seen["carried spending used"]++
		}
		if t.amount.Cmp(e.unused) < 0 {
			p.seen["expenditure used in part"]++
		}
	}
	if pol.mode == ledger.ModeDeduction && y.income != nil && r.deduction.Cmp(mul(r.offered, pol.rate)) < 0 {
		p.seen["deduction capped"]++
	}
	if pol.rounding == ledger.RoundHalfEven && r.offset.Cmp(y.applied) > 0 {
		p.seen["half_even run"]++
		x := mul(r.offered, pol.rate)
		if pol.mode == ledger.ModeDeduction {
			x = mul(r.deduction, pol.taxRate)
		}
		if q := new(big.Rat).Quo(x, pol.unit); !q.IsInt() && mul(q, big.NewRat(2, 1)).IsInt() {
			p.seen["half_even on an exact half"]++
		}
	}
	if r.used.Cmp(r.offered) < 0 && len(r.takes) > 0 {
		p.seen["spending left unused"]++
	}
}

// check verifies the books and compares the statements of every unit-year
// of the touched units with the model.
func (p *property) check(units []int64) {
	p.t.Helper()
	_, findings, err := ledger.Verify(p.ctx, p.db)
	if err != nil {
		p.fail("verify: %v", err)
	}
	if len(findings) > 0 {
		p.fail("verify found %v", findings)
	}
	for name, check := range map[string]func(context.Context, *database.DB) (int, []database.Finding, error){
		"pledge totals": ledger.VerifySubmittedTotals, "review rounds": ledger.VerifyReviewRounds,
	} {
		if _, findings, err := check(p.ctx, p.db); err != nil || len(findings) > 0 {
			p.fail("verify %s: %v %v", name, findings, err)
		}
	}
	for _, u := range units {
		for year := firstYear; year <= lastYear; year++ {
			st, err := p.store.Statement(p.ctx, p.tax, u, year)
			if p.m.years[unitYear{u, year}] == nil {
				if taahod.ErrorCode(err) != taahod.ENOTFOUND {
					p.fail("statement of unit %d, %d without a tax year: %v", u, year, err)
				}
				continue
			}
			if err != nil {
				p.fail("statement of unit %d, %d: %v", u, year, err)
			}
			p.compare(u, year, st, "the statement")
		}
	}
}

func (p *property) compare(u int64, year int, st ledger.Statement, what string) {
	p.t.Helper()
	if diffs := p.m.diff(u, year, st); len(diffs) > 0 {
		p.fail("%s of unit %d, %d differs from the model:\n  %s", what, u, year, strings.Join(diffs, "\n  "))
	}
}

// diff compares a statement with the model's, field by field.
func (m *model) diff(u int64, year int, st ledger.Statement) []string {
	x := m.statement(u, year)
	var diffs []string
	same := func(field string, got decimal.Decimal, want *big.Rat) {
		if ratOf(got).Cmp(want) != 0 {
			diffs = append(diffs, fmt.Sprintf("%s %s, model %s", field, got, want.FloatString(4)))
		}
	}
	same("tax_due", st.TaxDue, x.taxDue)
	same("eligible_spending", st.EligibleSpending, x.eligible)
	same("carried_in", st.CarriedIn, x.carriedIn)
	same("offered", st.Offered, x.offered)
	same("spending_used", st.SpendingUsed, x.used)
	same("unused_eligible", st.UnusedEligible, x.unused)
	same("offset_amount", st.OffsetAmount, x.offset)
	same("remaining_tax", st.RemainingTax, x.remaining)
	same("pending_offset", st.PendingOffset, x.pendingOffset)
	same("pending_use", st.PendingUse, x.pendingUse)
	switch {
	case x.deduction == nil && st.Deduction != nil:
		diffs = append(diffs, fmt.Sprintf("deduction %s, model none", st.Deduction))
	case x.deduction != nil && st.Deduction == nil:
		diffs = append(diffs, fmt.Sprintf("no deduction, model %s", x.deduction.FloatString(4)))
	case x.deduction != nil:
		same("deduction", *st.Deduction, x.deduction)
	}
	if st.NeedsRun != x.needsRun {
		diffs = append(diffs, fmt.Sprintf("needs_run %v, model %v", st.NeedsRun, x.needsRun))
	}
	var got, want []string
	for _, a := range st.Allocations {
		got = append(got, fmt.Sprintf("%d:%s", a.ExpenditureID, a.Amount))
	}
	for _, a := range x.allocations {
		want = append(want, fmt.Sprintf("%d:%s", a.id, decimal.NewFromBigRat(a.amount, 2)))
	}
	if !slices.Equal(got, want) {
		diffs = append(diffs, fmt.Sprintf("allocations %v, model %v", got, want))
	}
	return diffs
}
