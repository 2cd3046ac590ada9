package api

import (
	"sync"
	"testing"
)

// TestSubmissionKeyConcurrent: an expenditure's submission checks and
// records its Idempotency-Key in its one statement (database.StatementClaim);
// twenty submissions with one key at once write one expenditure, and every
// answer is its 201 (carried out or replayed) or 409 (the first still running).
func TestSubmissionKeyConcurrent(t *testing.T) {
	w := newWorld(t)
	body := expenditure(w.pledgeA, "1500000")
	const n = 20
	answers := make([]response, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", "same-submission")
		}()
	}
	wg.Wait()
	var first *response
	for i, r := range answers {
		switch {
		case r.status == 409:
		case r.status != 201:
			t.Fatalf("answer %d: %d %s", i, r.status, r.body)
		case first == nil:
			first = &answers[i]
		case string(r.body) != string(first.body):
			t.Fatalf("two answers for one key:\n%s\n%s", first.body, r.body)
		}
	}
	if first == nil {
		t.Fatal("no submission was carried out")
	}
	if got := w.count("expenditures"); got != 1 {
		t.Fatalf("%d expenditures for one key", got)
	}
	if r := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", "same-submission"); r.status != 201 ||
		r.header.Get("Idempotent-Replayed") != "true" || string(r.body) != string(first.body) {
		t.Fatalf("replay: %d %s", r.status, r.body)
	}
	// The same key with another body is refused; a new key with the same
	// invoice is the invoice's conflict, not the key's.
	other := expenditure(w.pledgeA, "2000000")
	if r := w.do("POST", "/api/v1/expenditures", w.accA, other, "Idempotency-Key", "same-submission"); r.status != 422 {
		t.Fatalf("reused key: %d %s", r.status, r.body)
	}
	if r := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", "another-key"); r.status != 409 {
		t.Fatalf("same invoice, new key: %d %s", r.status, r.body)
	}
}
