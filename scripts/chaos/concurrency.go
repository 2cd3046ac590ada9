package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
)

// runConcurrency sends, all at once, 20 offset runs for one unit-year, 20
// certificate issues for it, and 16 submissions with one Idempotency-Key,
// and checks that each had its one effect: one offset posted (and a run
// after posts nothing), 20 certificates with gapless serials of which one
// is valid, one expenditure with every 201 naming it.
func runConcurrency(ctx context.Context, s *suite) error {
	e, err := s.newEnv(ctx, "concurrency")
	if err != nil {
		return err
	}
	defer e.close()
	acc, tax := e.tokens["accountant"], e.tokens["tax"]
	unit, pledge, err := secondUnitPledge(ctx, e)
	if err != nil {
		return err
	}
	// Fresh approved spending of 1404 for the unit, so that a run has
	// something to post.
	exp, err := submitExpenditure(ctx, e, acc, pledge, "CC-APPROVE-1", "", "1500000000")
	if err != nil {
		return err
	}
	if err := approveWithEvidence(ctx, e, acc, tax, exp); err != nil {
		return err
	}
	offsets := `SELECT count(*) FROM ledger_transactions WHERE kind = 'offset' AND unit_id = $1 AND fiscal_year = 1404`
	before, err := e.scalar(ctx, offsets, unit)
	if err != nil {
		return err
	}
	runPath := fmt.Sprintf("/api/v1/units/%d/tax-years/1404/offset", unit)
	runStatus := burst(ctx, 20, func(int) (reply, error) { return call(ctx, "POST", e.url(runPath), tax, nil, "") })
	after, err := e.scalar(ctx, offsets, unit)
	if err != nil {
		return err
	}
	again, err := call(ctx, "POST", e.url(runPath), tax, nil, "")
	if err != nil {
		return err
	}
	afterAgain, err := e.scalar(ctx, offsets, unit)
	if err != nil {
		return err
	}
	fmt.Printf("concurrency: offset_runs=20 answers=%s offsets_posted=%d (want 1) posted_by_a_later_run=%d (want 0)\n",
		runStatus, after-before, afterAgain-after)
	s.check(runStatus.only(http.StatusOK), "concurrency", "offset runs answered %s", runStatus)
	s.check(after-before == 1, "concurrency", "20 concurrent runs posted %d offsets, want 1", after-before)
	s.check(again.status == http.StatusOK && afterAgain == after, "concurrency", "a run after the burst: %d, posted %d", again.status, afterAgain-after)

	// Twenty certificate issues at once.
	issue := jsonBody(map[string]any{"unit_id": unit, "fiscal_year": 1404})
	var mu sync.Mutex
	serials := map[string]bool{}
	certStatus := burst(ctx, 20, func(int) (reply, error) {
		r, err := call(ctx, "POST", e.url("/api/v1/certificates"), tax, issue, "")
		if err == nil && r.status == http.StatusCreated {
			mu.Lock()
			serials[fmt.Sprint(r.object()["serial"])] = true
			mu.Unlock()
		}
		return r, err
	})
	var seqs []int
	if err := e.db.SelectContext(ctx, &seqs, `SELECT seq FROM certificates WHERE fiscal_year = 1404 ORDER BY seq`); err != nil {
		return err
	}
	gaps := 0
	for i, q := range seqs {
		if q != i+1 {
			gaps++
		}
	}
	valid, err := e.scalar(ctx, `SELECT count(*) FROM certificates WHERE unit_id = $1 AND fiscal_year = 1404 AND status = 'valid'`, unit)
	if err != nil {
		return err
	}
	fmt.Printf("concurrency: certificate_issues=20 answers=%s distinct_serials=%d serials_of_1404=%d gaps=%d valid_for_the_unit_year=%d (want 1)\n",
		certStatus, len(serials), len(seqs), gaps, valid)
	s.check(certStatus.only(http.StatusCreated) && len(serials) == 20, "concurrency", "certificate issues answered %s, %d serials", certStatus, len(serials))
	s.check(gaps == 0, "concurrency", "certificate serials of 1404 have %d gaps: %v", gaps, seqs)
	s.check(valid == 1, "concurrency", "%d valid certificates for the unit-year", valid)

	// Sixteen submissions with one key.
	body := expenditureBody(pledge, "CC-ONE-KEY", "2500000")
	ids := map[string]bool{}
	keyStatus := burst(ctx, 16, func(int) (reply, error) {
		r, err := call(ctx, "POST", e.url("/api/v1/expenditures"), acc, body, "", "Idempotency-Key", "chaos-one-key")
		if err == nil && r.status == http.StatusCreated {
			mu.Lock()
			ids[fmt.Sprint(r.object()["id"])] = true
			mu.Unlock()
		}
		return r, err
	})
	rows, err := e.scalar(ctx, `SELECT count(*) FROM expenditures WHERE invoice_no = 'CC-ONE-KEY'`)
	if err != nil {
		return err
	}
	fmt.Printf("concurrency: one_key_posts=16 answers=%s expenditures_written=%d (want 1) ids_in_201s=%d (want 1)\n", keyStatus, rows, len(ids))
	s.check(rows == 1, "concurrency", "16 POSTs with one key wrote %d expenditures", rows)
	s.check(len(ids) == 1, "concurrency", "the 201s name %d different expenditures", len(ids))
	s.check(keyStatus.only(http.StatusCreated, http.StatusConflict), "concurrency", "one-key POSTs answered %s", keyStatus)
	s.verify(ctx, e)
	return nil
}

// statusCount counts answers by status (0: no answer).
type statusCount map[int]int

func (c statusCount) String() string {
	out := ""
	for _, st := range []int{0, 200, 201, 409, 422, 500, 503} {
		if c[st] > 0 {
			out += fmt.Sprintf("%d×%d,", c[st], st)
		}
	}
	for st, n := range c {
		switch st {
		case 0, 200, 201, 409, 422, 500, 503:
		default:
			out += fmt.Sprintf("%d×%d,", n, st)
		}
	}
	if out == "" {
		return "none"
	}
	return out[:len(out)-1]
}

// only reports whether every answer has one of the statuses.
func (c statusCount) only(statuses ...int) bool {
	ok := map[int]bool{}
	for _, st := range statuses {
		ok[st] = true
	}
	for st, n := range c {
		if n > 0 && !ok[st] {
			return false
		}
	}
	return true
}

// burst runs n calls at once (released together) and counts their answers.
func burst(ctx context.Context, n int, f func(i int) (reply, error)) statusCount {
	var wg sync.WaitGroup
	var mu sync.Mutex
	counts := statusCount{}
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := f(i)
			mu.Lock()
			if err != nil {
				counts[0]++
			} else {
				counts[r.status]++
			}
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return counts
}

// secondUnitPledge returns the demo accountant's second unit (its 1404 tax
// is assessed and not yet run) and one of its pledges.
func secondUnitPledge(ctx context.Context, e *env) (unit, pledge int64, err error) {
	me, err := call(ctx, "GET", e.url("/api/v1/auth/me"), e.tokens["accountant"], nil, "")
	if err != nil {
		return 0, 0, err
	}
	units, _ := me.object()["unit_ids"].([]any)
	if len(units) < 2 {
		return 0, 0, fmt.Errorf("the demo accountant has %d units, want 2", len(units))
	}
	unit, _ = strconv.ParseInt(fmt.Sprint(units[1]), 10, 64)
	r, err := call(ctx, "GET", e.url(fmt.Sprintf("/api/v1/pledges?unit_id=%d", unit)), e.tokens["accountant"], nil, "")
	if err != nil {
		return 0, 0, err
	}
	items, _ := r.object()["items"].([]any)
	if len(items) == 0 {
		return 0, 0, fmt.Errorf("unit %d has no pledge: %s", unit, r.body)
	}
	pledge, _ = strconv.ParseInt(fmt.Sprint(asMap(items[0])["id"]), 10, 64)
	return unit, pledge, nil
}

// expenditureBody is a submission of amount on pledge, spent in 1404.
func expenditureBody(pledge int64, invoice, amount string) []byte {
	return jsonBody(map[string]any{"pledge_id": pledge, "amount": amount, "spent_on": "2025-06-01",
		"invoice_no": invoice, "vendor_name": "پیمانکار آزمون", "category": "construction"})
}

// submitExpenditure submits one expenditure and returns its id.
func submitExpenditure(ctx context.Context, e *env, token string, pledge int64, invoice, key, amount string) (int64, error) {
	var headers []string
	if key != "" {
		headers = []string{"Idempotency-Key", key}
	}
	r, err := call(ctx, "POST", e.url("/api/v1/expenditures"), token, expenditureBody(pledge, invoice, amount), "", headers...)
	if err != nil {
		return 0, err
	}
	if r.status != http.StatusCreated {
		return 0, fmt.Errorf("submit %s: %d %s", invoice, r.status, r.body)
	}
	return strconv.ParseInt(fmt.Sprint(r.object()["id"]), 10, 64)
}

// approveWithEvidence uploads a PDF to the expenditure and approves it.
func approveWithEvidence(ctx context.Context, e *env, acc, tax string, id int64) error {
	body, ct := multipartFile("invoice.pdf", []byte("%PDF-1.4\n% the fault suite's invoice\n%%EOF\n"))
	r, err := call(ctx, "POST", e.url(fmt.Sprintf("/api/v1/expenditures/%d/documents", id)), acc, body, ct)
	if err != nil {
		return err
	}
	if r.status != http.StatusCreated {
		return fmt.Errorf("upload evidence: %d %s", r.status, r.body)
	}
	r, err = call(ctx, "POST", e.url(fmt.Sprintf("/api/v1/expenditures/%d/review", id)), tax, jsonBody(map[string]string{"decision": "approve"}), "")
	if err != nil {
		return err
	}
	if r.status != http.StatusOK {
		return fmt.Errorf("approve: %d %s", r.status, r.body)
	}
	return nil
}
