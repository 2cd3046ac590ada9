package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// TestConcurrentBooks lets 50 goroutines loose at once on the same two units
// and years: offset runs, approvals and partial approvals, rejections,
// assessment changes (some below the offset), reversals and policy changes.
// None may fail but for the refusals the rules call for. Afterwards the
// books verify, no unit-year's offset is above its tax due, no expenditure
// is used beyond its approval, and runs in a fixed order agree with the
// reference model rebuilt from what the books hold.
func TestConcurrentBooks(t *testing.T) {
	b := newBooks(t, 2)
	ctx := context.Background()
	b.policy(1403, `{"mode":"deduction","rate":"1","tax_rate":"0.25","rounding_unit":"10","legal_basis":"ماده ۱۷۲"}`)
	b.policy(1404, `{"mode":"credit","rate":"0.7","carry_forward_years":1,"rounding":"half_even","legal_basis":"ترتیبات استانی"}`)

	// Spending waiting for review: nothing of these units is approved yet,
	// so their first approvals also race to open the units' accounts.
	var pool []int64
	for _, u := range b.units {
		for i := range 14 {
			on := []string{"2024-05-01", "2024-11-20", "2025-04-10", "2025-08-15"}[i%4]
			pool = append(pool, b.spend(u, on, fmt.Sprintf("%d", 1000+97*i), ledger.Categories[i%len(ledger.Categories)]))
		}
		b.mustAssess(u, 1403, "2000", "")
		b.mustAssess(u, 1404, "3000", "")
	}

	const workers = 50
	var (
		start    = make(chan struct{})
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []string
		done     = map[string]int{}
	)
	note := func(what string, err error, allowed ...string) {
		mu.Lock()
		defer mu.Unlock()
		code := taahod.ErrorCode(err)
		switch {
		case err == nil:
			done[what]++
		case strings.Contains(strings.Join(allowed, " "), code) && code != "":
			done[what+" refused ("+code+")"]++
		default:
			failures = append(failures, fmt.Sprintf("%s: %v", what, err))
		}
	}
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 50))
			<-start
			for range 4 {
				unit := b.units[r.IntN(len(b.units))]
				year := 1403 + r.IntN(2)
				switch w % 5 {
				case 0, 1:
					_, err := b.store.RunOffset(ctx, b.tax, unit, year)
					note("run", err)
				case 2:
					// Review: any worker may pick an expenditure another
					// reviews at the same moment; one of them wins.
					id := pool[r.IntN(len(pool))]
					in := ledger.ReviewInput{Decision: ledger.DecisionApprove}
					switch r.IntN(4) {
					case 0:
						reason := "بخشی پذیرفته شد"
						in.ApprovedAmount, in.Reason = json.RawMessage(`"500.55"`), &reason
					case 1:
						reason := "فاکتور ناخوانا"
						in = ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason}
					}
					_, err := b.store.Review(ctx, b.tax, id, in)
					note("review", err, taahod.ECONFLICT)
				case 3:
					if r.IntN(2) == 0 {
						err := b.assess(unit, year, fmt.Sprintf("%d", 200*r.IntN(25)), "")
						note("assess", err, ledger.ETAXBELOWOFFSET)
					} else {
						id := pool[r.IntN(len(pool))]
						err := b.store.ReverseApproval(ctx, b.tax, id, ledger.ReverseInput{Reason: "بازبینی"})
						note("reverse", err, taahod.ECONFLICT)
					}
				case 4:
					rate := []string{"0.5", "0.7", "1"}[r.IntN(3)]
					var in ledger.PolicyInput
					_ = json.Unmarshal([]byte(fmt.Sprintf(`{"mode":"credit","rate":%q,"carry_forward_years":1,"legal_basis":"ترتیبات استانی"}`, rate)), &in)
					_, err := b.store.SetPolicy(ctx, b.tax, 1404, in)
					note("policy", err)
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	t.Logf("done: %v", done)
	b.mustVerify()
	checkInvariants(t, b)

	// The final runs, in a fixed order, agree with the model rebuilt from
	// the books; a second round posts nothing.
	m := modelFromBooks(t, b)
	for _, u := range b.units {
		for year := 1403; year <= 1404; year++ {
			r := m.plan(u, year)
			st := b.run(u, year)
			m.apply(u, year, r)
			if diffs := m.diff(u, year, st); len(diffs) > 0 {
				t.Errorf("final run of unit %d, %d differs from the model:\n  %s", u, year, strings.Join(diffs, "\n  "))
			}
		}
	}
	n := b.transactions()
	for _, u := range b.units {
		for year := 1403; year <= 1404; year++ {
			st := b.run(u, year)
			if diffs := m.diff(u, year, st); len(diffs) > 0 {
				t.Errorf("second final run of unit %d, %d differs from the model:\n  %s", u, year, strings.Join(diffs, "\n  "))
			}
		}
	}
	if b.transactions() != n {
		t.Errorf("a second round of runs posted %d transactions", b.transactions()-n)
	}
	b.mustVerify()
	checkInvariants(t, b)
}

// TestConcurrentFirstApprovals approves many expenditures of a unit that has
// no approved spending yet, all at once: each approval opens the unit's
// contributions account if it is not there, and none may fail for another
// having opened it first. Several units, so that the race is run often.
func TestConcurrentFirstApprovals(t *testing.T) {
	b := newBooks(t, 6)
	for _, u := range b.units {
		ids := make([]int64, 8)
		for i := range ids {
			ids[i] = b.spend(u, "2025-06-01", "1000", ledger.CategoryEquipment)
		}
		start := make(chan struct{})
		errs := make(chan error, len(ids))
		for _, id := range ids {
			go func() {
				<-start
				_, err := b.store.Review(context.Background(), b.tax, id, ledger.ReviewInput{Decision: ledger.DecisionApprove})
				errs <- err
			}()
		}
		close(start)
		for range ids {
			if err := <-errs; err != nil {
				t.Errorf("unit %d: %v", u, err)
			}
		}
	}
	b.mustVerify()
}

// TestRunAndReviewAtOnce races runs of a unit-year against approvals of its
// spending, many rounds: whatever the order, no spending is used twice and
// a final run catches up with what the racing runs missed.
func TestRunAndReviewAtOnce(t *testing.T) {
	b := newBooks(t, 1)
	u := b.units[0]
	b.policy(1404, creditFull)
	b.mustAssess(u, 1404, "1000000", "")
	ctx := context.Background()
	var approved int64
	for round := range 10 {
		ids := []int64{b.spend(u, "2025-06-01", "100", ledger.CategoryLand), b.spend(u, "2025-06-02", "100", ledger.CategoryLand)}
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for _, id := range ids {
			wg.Add(2)
			go func() {
				defer wg.Done()
				<-start
				_, err := b.store.Review(ctx, b.tax, id, ledger.ReviewInput{Decision: ledger.DecisionApprove})
				errs <- err
			}()
			go func() {
				defer wg.Done()
				<-start
				_, err := b.store.RunOffset(ctx, b.tax, u, 1404)
				errs <- err
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
		approved += 200
		st := b.run(u, 1404)
		if !st.OffsetAmount.Equal(decimal.NewFromInt(approved)) || !st.SpendingUsed.Equal(decimal.NewFromInt(approved)) {
			t.Fatalf("round %d: offset %s, used %s, want %d", round, st.OffsetAmount, st.SpendingUsed, approved)
		}
	}
	b.mustVerify()
	checkInvariants(t, b)
}

// TestPolicyChangeRacingRuns changes a year's policy while runs of it go on:
// each run works under one policy or the other, never a mix, and the books
// stay whole.
func TestPolicyChangeRacingRuns(t *testing.T) {
	b := newBooks(t, 2)
	ctx := context.Background()
	for _, u := range b.units {
		for i := range 6 {
			b.spendApproved(u, fmt.Sprintf("2025-0%d-01", 4+i%5), "1000")
		}
		b.mustAssess(u, 1404, "100000", "")
	}
	b.policy(1404, `{"mode":"credit","rate":"0.1","legal_basis":"بودجه"}`)
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if i%2 == 0 {
				var in ledger.PolicyInput
				rate := []string{"0.2", "0.3", "0.5", "0.9", "1"}[i/2%5]
				_ = json.Unmarshal([]byte(`{"mode":"credit","rate":"`+rate+`","legal_basis":"بودجه"}`), &in)
				_, err := b.store.SetPolicy(ctx, b.tax, 1404, in)
				errs <- err
				return
			}
			_, err := b.store.RunOffset(ctx, b.tax, b.units[i%4/2], 1404)
			errs <- err
		}()
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	b.mustVerify()
	checkInvariants(t, b)
	// Whatever policy each racing run read, a final run under the last one
	// agrees with the model rebuilt from the books.
	m := modelFromBooks(t, b)
	for _, u := range b.units {
		r := m.plan(u, 1404)
		st := b.run(u, 1404)
		m.apply(u, 1404, r)
		if diffs := m.diff(u, 1404, st); len(diffs) > 0 {
			t.Errorf("final run of unit %d differs from the model:\n  %s", u, strings.Join(diffs, "\n  "))
		}
	}
}

// checkInvariants holds the books to the rules of the contract, straight
// from the tables: offsets within tax due, and no expenditure used beyond
// what was approved of it.
func checkInvariants(t *testing.T, b *books) {
	t.Helper()
	var over []string
	if err := b.db.Select(&over, `
		SELECT t.unit_id || '/' || t.fiscal_year || ': offset ' || COALESCE(a.balance, 0) || ' > tax due ' || t.tax_due
		  FROM tax_years t LEFT JOIN ledger_accounts a ON a.code = 'unit:' || t.unit_id || ':tax:' || t.fiscal_year || ':offset'
		 WHERE COALESCE(a.balance, 0) > t.tax_due`); err != nil {
		t.Fatal(err)
	}
	var overused []string
	if err := b.db.Select(&overused, `
		WITH used AS (
			SELECT a.expenditure_id, -sum(p.amount) AS used
			  FROM ledger_postings p
			  JOIN ledger_transactions t ON t.id = p.transaction_id
			  JOIN ledger_accounts a ON a.id = p.account_id
			 WHERE a.expenditure_id IS NOT NULL AND t.fiscal_year IS NOT NULL
			 GROUP BY a.expenditure_id)
		SELECT 'expenditure ' || e.id || ' (' || e.status || '): used ' || used.used || ' of ' || COALESCE(e.approved_amount, 0)
		  FROM used JOIN expenditures e ON e.id = used.expenditure_id
		 WHERE used.used < 0
		    OR used.used > CASE WHEN e.status IN ('approved', 'partially_approved') THEN e.approved_amount ELSE 0 END`); err != nil {
		t.Fatal(err)
	}
	for _, s := range append(over, overused...) {
		t.Error(s)
	}
}

// modelFromBooks rebuilds the reference model from what the books hold:
// the policies, the expenditures and their reviews, the tax years, and
// what each year's standing offsets used (its statement's allocations).
// What is unused of each expenditure follows, and must be what its ledger
// account holds.
func modelFromBooks(t *testing.T, b *books) *model {
	t.Helper()
	ctx := context.Background()
	m := &model{policies: map[int]*mPolicy{}, years: map[unitYear]*mYear{}, exps: map[int64]*mExp{}}
	policies, err := b.store.Policies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range policies {
		mp := &mPolicy{mode: p.Mode, rate: ratOf(p.Rate), capRate: ratOf(p.DeductionCapRate), carry: p.CarryForwardYears,
			unit: ratOf(p.RoundingUnit), rounding: p.Rounding, categories: map[string]bool{}}
		if p.TaxRate != nil {
			mp.taxRate = ratOf(*p.TaxRate)
		}
		if p.CapAmount != nil {
			mp.capAmount = ratOf(*p.CapAmount)
		}
		for _, c := range p.EligibleCategories {
			mp.categories[c] = true
		}
		m.policies[p.FiscalYear] = mp
	}
	var exps []struct {
		ID       int64            `db:"id"`
		Unit     int64            `db:"unit_id"`
		Year     int              `db:"fiscal_year"`
		SpentOn  taahod.Date      `db:"spent_on"`
		Category string           `db:"category"`
		Amount   decimal.Decimal  `db:"amount"`
		Status   string           `db:"status"`
		Approved *decimal.Decimal `db:"approved_amount"`
		Balance  *decimal.Decimal `db:"balance"`
	}
	if err := b.db.Select(&exps, `
		SELECT e.id, e.unit_id, e.fiscal_year, e.spent_on, e.category, e.amount, e.status, e.approved_amount, a.balance
		  FROM expenditures e LEFT JOIN ledger_accounts a ON a.expenditure_id = e.id ORDER BY e.id`); err != nil {
		t.Fatal(err)
	}
	for _, e := range exps {
		me := &mExp{id: e.ID, unit: e.Unit, year: e.Year, spentOn: e.SpentOn, category: e.Category, amount: ratOf(e.Amount),
			status: e.Status, unused: new(big.Rat)}
		if e.Approved != nil && (e.Status == ledger.StatusApproved || e.Status == ledger.StatusPartiallyApproved) {
			me.approved, me.unused = ratOf(*e.Approved), ratOf(*e.Approved)
		}
		m.exps[e.ID] = me
		m.expIDs = append(m.expIDs, e.ID)
	}
	var years []struct {
		Unit   int64            `db:"unit_id"`
		Year   int              `db:"fiscal_year"`
		Due    decimal.Decimal  `db:"tax_due"`
		Income *decimal.Decimal `db:"taxable_income"`
	}
	if err := b.db.Select(&years, `SELECT unit_id, fiscal_year, tax_due, taxable_income FROM tax_years`); err != nil {
		t.Fatal(err)
	}
	for _, y := range years {
		st := b.statement(y.Unit, y.Year)
		my := &mYear{due: ratOf(y.Due), applied: ratOf(st.OffsetAmount), used: ratOf(st.SpendingUsed), run: st.RunAt != nil,
			alloc: map[int64]*big.Rat{}}
		if y.Income != nil {
			my.income = ratOf(*y.Income)
		}
		total := new(big.Rat)
		for _, a := range st.Allocations {
			my.alloc[a.ExpenditureID] = ratOf(a.Amount)
			m.exps[a.ExpenditureID].unused = sub(m.exps[a.ExpenditureID].unused, ratOf(a.Amount))
			total = add(total, ratOf(a.Amount))
		}
		if total.Cmp(my.used) != 0 {
			t.Errorf("unit %d, %d: allocations add up to %s but %s is used", y.Unit, y.Year, total.FloatString(2), st.SpendingUsed)
		}
		m.years[unitYear{y.Unit, y.Year}] = my
	}
	for _, e := range exps {
		balance := new(big.Rat)
		if e.Balance != nil {
			balance = ratOf(*e.Balance)
		}
		if got := m.exps[e.ID].unused; got.Cmp(balance) != 0 || got.Sign() < 0 {
			t.Errorf("expenditure %d (%s): approved less used is %s, its account holds %s", e.ID, e.Status, got.FloatString(2), balance.FloatString(2))
		}
	}
	return m
}
