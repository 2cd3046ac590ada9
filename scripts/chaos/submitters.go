package main

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"
)

// submission is one expenditure a client means to write exactly once: its
// invoice number is unique, its Idempotency-Key is its own.
type submission struct {
	invoice, key string
	body         []byte
}

// ledgerOfSubmissions is what the clients know: what was acknowledged
// (201, with the id) and what is still unacknowledged, to retry with the
// same key.
type ledgerOfSubmissions struct {
	mu       sync.Mutex
	acked    map[string]int64 // invoice → id from the 201
	pending  map[string]submission
	statuses statusCount
	// noRetryAfter counts 503s without a Retry-After header.
	noRetryAfter int
	serverErrors []string // 500s and other 5xx but 503
	submitted    int
	// last is the last answer to each submission still pending (status and
	// problem code), to say why a key stayed refused.
	last map[string]string
}

func newLedgerOfSubmissions() *ledgerOfSubmissions {
	return &ledgerOfSubmissions{acked: map[string]int64{}, pending: map[string]submission{}, statuses: statusCount{}, last: map[string]string{}}
}

// send posts one submission and records the outcome; it reports whether
// the submission is settled (acknowledged).
func (l *ledgerOfSubmissions) send(ctx context.Context, e *env, token string, s submission) bool {
	r, err := call(ctx, "POST", e.url("/api/v1/expenditures"), token, s.body, "", "Idempotency-Key", s.key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.statuses[0]++
		l.pending[s.invoice] = s
		l.last[s.invoice] = "no answer: " + err.Error()
		return false
	}
	l.statuses[r.status]++
	l.last[s.invoice] = fmt.Sprintf("%d %v (%v)", r.status, r.object()["code"], r.object()["detail"])
	switch {
	case r.status == http.StatusCreated:
		id, _ := strconv.ParseInt(fmt.Sprint(r.object()["id"]), 10, 64)
		l.acked[s.invoice] = id
		delete(l.pending, s.invoice)
		return true
	case r.status == http.StatusConflict && fmt.Sprint(r.object()["code"]) == "idempotency_response_lost":
		// Done once, its answer lost in a crash: the record is where
		// Location says, and the key is not stuck.
		loc := r.header.Get("Location")
		id, err := strconv.ParseInt(loc[strings.LastIndexByte(loc, '/')+1:], 10, 64)
		if err == nil {
			l.acked[s.invoice] = id
			delete(l.pending, s.invoice)
			return true
		}
	case r.status == http.StatusServiceUnavailable:
		if r.header.Get("Retry-After") == "" {
			l.noRetryAfter++
		}
	case r.status >= 500:
		l.serverErrors = append(l.serverErrors, fmt.Sprintf("%d %s", r.status, strings.TrimSpace(string(r.body))))
	}
	l.pending[s.invoice] = s
	return false
}

// load runs workers submitters, each sending new submissions one after the
// other until stop is closed (or a bound of 500 each); a submission that
// fails stays pending, and the worker goes on with a new one after a pause.
func (l *ledgerOfSubmissions) load(ctx context.Context, e *env, token string, pledge int64, prefix string, workers int, stop <-chan struct{}) {
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				select {
				case <-stop:
					return
				case <-ctx.Done():
					return
				default:
				}
				inv := fmt.Sprintf("%s-%d-%d", prefix, w, i)
				s := submission{invoice: inv, key: "key-" + inv, body: expenditureBody(pledge, inv, strconv.Itoa(1000+i))}
				l.mu.Lock()
				l.submitted++
				l.mu.Unlock()
				if !l.send(ctx, e, token, s) {
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
}

// settle retries every pending submission with its key until all are
// acknowledged or wait has passed; it returns those still unsettled (a key
// still in use, or another refusal).
func (l *ledgerOfSubmissions) settle(ctx context.Context, e *env, token string, wait time.Duration) []submission {
	deadline := time.Now().Add(wait)
	for {
		l.mu.Lock()
		var todo []submission
		for _, s := range l.pending {
			todo = append(todo, s)
		}
		l.mu.Unlock()
		if len(todo) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			return todo
		}
		for _, s := range todo {
			l.send(ctx, e, token, s)
		}
		time.Sleep(time.Second)
	}
}

// audit counts, in the database, acknowledged submissions that are not
// there (lost) and invoices written more than once (duplicates).
func (l *ledgerOfSubmissions) audit(ctx context.Context, e *env, prefix string) (lost, duplicates int64, err error) {
	ids := make([]int64, 0, len(l.acked))
	for _, id := range l.acked {
		ids = append(ids, id)
	}
	present, err := e.scalar(ctx, `SELECT count(*) FROM expenditures WHERE id = ANY($1)`, pq.Array(ids))
	if err != nil {
		return 0, 0, err
	}
	duplicates, err = e.scalar(ctx, `SELECT coalesce(sum(n - 1), 0) FROM (SELECT count(*) AS n FROM expenditures
		WHERE invoice_no LIKE $1 GROUP BY invoice_no) c`, prefix+"-%")
	if err != nil {
		return 0, 0, err
	}
	return int64(len(ids)) - present, duplicates, nil
}

// why lists the last answer to each of the submissions (at most n).
func (l *ledgerOfSubmissions) why(subs []submission, n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, s := range subs {
		if len(out) == n {
			break
		}
		out = append(out, s.key+": "+l.last[s.invoice])
	}
	return out
}

// submitters are 8 clients submitting expenditures on the second unit's
// pledge until stop is closed; done is closed once they have all returned.
type submitters struct {
	*ledgerOfSubmissions
	pledge     int64
	stop, done chan struct{}
}

// startSubmitters starts them, their invoices prefixed with prefix.
func startSubmitters(ctx context.Context, e *env, prefix string) (*submitters, error) {
	_, pledge, err := secondUnitPledge(ctx, e)
	if err != nil {
		return nil, err
	}
	s := &submitters{ledgerOfSubmissions: newLedgerOfSubmissions(), pledge: pledge, stop: make(chan struct{}), done: make(chan struct{})}
	go func() { s.load(ctx, e, e.tokens["accountant"], pledge, prefix, 8, s.stop); close(s.done) }()
	return s, nil
}

// halt stops the clients and waits for them.
func (s *submitters) halt() {
	close(s.stop)
	<-s.done
}
