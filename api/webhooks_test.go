package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/notify"
)

// testClock is a clock the tests move by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// receiver is another system's endpoint: it refuses the first fails
// attempts of each event (or every attempt, with fails < 0), checks each
// signature, and keeps the bodies it accepted. It notes any event that
// arrives while an attempt of the same event is still being answered.
type receiver struct {
	t      *testing.T
	secret string
	fails  int
	now    func() time.Time
	pause  time.Duration

	mu       sync.Mutex
	attempts map[string]int
	accepted map[string][]notify.Body
	inFlight map[string]int
	overlaps []string
	badSigs  int
}

func newReceiver(t *testing.T, fails int, now func() time.Time) (*receiver, *httptest.Server) {
	r := &receiver{t: t, fails: fails, now: now, attempts: map[string]int{}, accepted: map[string][]notify.Body{}, inFlight: map[string]int{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	raw, _ := io.ReadAll(req.Body)
	var b notify.Body
	if err := json.Unmarshal(raw, &b); err != nil || req.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "not JSON", http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	secret := r.secret
	if !notify.VerifySignature(secret, req.Header.Get(notify.SignatureHeader), raw, r.now(), 5*time.Minute) {
		r.badSigs++
		r.mu.Unlock()
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	r.inFlight[b.ID]++
	if r.inFlight[b.ID] > 1 {
		r.overlaps = append(r.overlaps, b.ID)
	}
	r.attempts[b.ID]++
	n := r.attempts[b.ID]
	r.mu.Unlock()
	time.Sleep(r.pause) // an answer takes a while: time for another worker to try the same event
	r.mu.Lock()
	defer r.mu.Unlock()
	r.inFlight[b.ID]--
	if r.fails < 0 || n <= r.fails {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		return
	}
	r.accepted[b.ID] = append(r.accepted[b.ID], b)
	w.WriteHeader(http.StatusNoContent)
}

// registerWebhook registers url for types and returns the endpoint's id and
// secret.
func (e *env) registerWebhook(admin, url string, types ...string) (int64, string) {
	e.t.Helper()
	r := e.do("POST", "/api/v1/webhooks", admin, map[string]any{"url": url, "event_types": types, "description": "سامانه آزمون"})
	if r.status != http.StatusCreated {
		e.t.Fatalf("register webhook: %d %s", r.status, r.body)
	}
	m := r.json()
	id, _ := m["id"].(json.Number).Int64()
	return id, m["secret"].(string)
}

// drain runs the deliverer until nothing is due, then moves the clock on by
// step, rounds times.
func drain(t *testing.T, d *notify.Deliverer, clock *testClock, step time.Duration, rounds int) {
	t.Helper()
	for range rounds {
		for {
			did, err := d.DeliverOne(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !did {
				break
			}
		}
		clock.Advance(step)
	}
}

// TestWebhookDelivery registers an endpoint that refuses the first two
// attempts of each event, makes changes (and one that rolls back), and
// checks that exactly the committed events arrive, each signed, once, with
// the body the API documents; an endpoint for other types hears nothing.
func TestWebhookDelivery(t *testing.T) {
	w := newWorld(t)
	clock := &testClock{t: theNow}
	rcv, srv := newReceiver(t, 2, clock.Now)
	id, secret := w.registerWebhook(w.admin, srv.URL+"/hooks", notify.ExpenditureReviewed, notify.ExpenditureReversed)
	rcv.secret = secret
	if len(secret) < 32 {
		t.Errorf("made-up secret %q is short", secret)
	}
	other, _ := w.registerWebhook(w.admin, srv.URL+"/other", notify.CertificateIssued)

	t.Run("secret shown once", func(t *testing.T) {
		got := w.do("GET", fmt.Sprintf("/api/v1/webhooks/%d", id), w.admin, nil)
		if got.status != 200 || got.json()["secret"] != nil || got.json()["url"] != srv.URL+"/hooks" {
			t.Errorf("GET webhook: %d %s", got.status, got.body)
		}
		body := map[string]any{"url": srv.URL + "/replayed", "event_types": []string{notify.CertificateRevoked}, "secret": "a-secret-of-the-receiver"}
		first := w.do("POST", "/api/v1/webhooks", w.admin, body, "Idempotency-Key", "hook-1")
		replay := w.do("POST", "/api/v1/webhooks", w.admin, body, "Idempotency-Key", "hook-1")
		if first.json()["secret"] != "a-secret-of-the-receiver" || replay.status != 201 || replay.json()["secret"] != nil {
			t.Errorf("first %s, replay %d %s", first.body, replay.status, replay.body)
		}
		patch := w.do("PATCH", fmt.Sprintf("/api/v1/webhooks/%d", other), w.admin, map[string]any{
			"event_types": []string{notify.CertificateIssued, notify.CertificateRevoked}, "description": "گواهی‌ها"})
		if patch.status != 200 || len(patch.json()["event_types"].([]any)) != 2 || patch.json()["description"] != "گواهی‌ها" ||
			patch.json()["url"] != srv.URL+"/other" {
			t.Errorf("PATCH webhook: %d %s", patch.status, patch.body)
		}
		if r := w.do("PATCH", "/api/v1/webhooks/999", w.admin, map[string]any{"disabled": true}); r.status != 404 {
			t.Errorf("PATCH unknown webhook: %d %s", r.status, r.body)
		}
		if list := w.get("/api/v1/webhooks", w.admin)["items"].([]any); len(list) != 3 {
			t.Errorf("%d webhooks listed, want 3", len(list))
		}
		if r := w.do("GET", "/api/v1/webhooks", w.tax, nil); r.status != 403 {
			t.Errorf("a tax officer lists webhooks: %d", r.status)
		}
		for _, bad := range []map[string]any{
			{"url": "ftp://example.org/", "event_types": []string{notify.CertificateIssued}},
			{"url": srv.URL, "event_types": []string{"expenditure.eaten"}},
			{"url": srv.URL, "event_types": []string{notify.CertificateIssued}, "secret": "short"},
		} {
			if r := w.do("POST", "/api/v1/webhooks", w.admin, bad); r.status != 422 || len(r.fieldErrors()) != 1 {
				t.Errorf("%v: %d %s", bad, r.status, r.body)
			}
		}
		if buf := w.logBuf.String(); strings.Contains(buf, secret) {
			t.Error("the log holds a webhook secret")
		}
	})

	// The changes: a rejection and an approval are committed; an approval
	// refused for want of evidence and a transaction that rolls back after
	// publishing are not.
	rejected := w.evidenceBy(w.accA, w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000")))
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", rejected), w.tax, map[string]any{"decision": "reject", "reason": "ناخوانا"}); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	approved := w.approved(w.accA, w.pledgeA, "123456789012345678.55")
	bare := w.mustSubmit(w.accA, expenditure(w.pledgeA, "10"))
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", bare), w.tax, map[string]any{"decision": "approve"}); r.status != 409 {
		t.Fatal(r.status, string(r.body))
	}
	ctx := context.Background()
	err := w.db.Transact(ctx, func(tx *database.Tx) error {
		if err := notify.Publish(ctx, tx, notify.Event{Type: notify.ExpenditureReviewed, UnitID: w.unitA.ID, SubjectType: "expenditure",
			SubjectID: 999, Resource: map[string]any{"id": 999, "status": "approved"}}); err != nil {
			return err
		}
		return errors.New("changed its mind")
	})
	if err == nil {
		t.Fatal("the transaction did not roll back")
	}

	d := &notify.Deliverer{DB: w.db, Now: clock.Now}
	drain(t, d, clock, time.Hour, 4)

	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.badSigs != 0 {
		t.Errorf("%d deliveries were not signed right", rcv.badSigs)
	}
	var got []string
	for evID, bodies := range rcv.accepted {
		if len(bodies) != 1 {
			t.Errorf("event %s accepted %d times", evID, len(bodies))
		}
		b := bodies[0]
		var res map[string]any
		if err := json.Unmarshal(b.Resource, &res); err != nil {
			t.Fatal(err)
		}
		if b.Type != notify.ExpenditureReviewed || !b.Time.Equal(theNow) || rcv.attempts[evID] != 3 {
			t.Errorf("event %s: type %s, time %s, after %d attempts", evID, b.Type, b.Time, rcv.attempts[evID])
		}
		got = append(got, fmt.Sprintf("%v:%v:%v", res["id"], res["status"], res["approved_amount"]))
	}
	sort.Strings(got)
	want := []string{fmt.Sprintf("%d:approved:123456789012345678.55", approved), fmt.Sprintf("%d:rejected:<nil>", rejected)}
	sort.Strings(want)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("received %v, want exactly the committed %v", got, want)
	}
	if rcv.attempts != nil && len(rcv.attempts) != 2 {
		t.Errorf("attempts of %d events, want 2: %v", len(rcv.attempts), rcv.attempts)
	}

	list := w.get(fmt.Sprintf("/api/v1/webhooks/%d/deliveries?status=delivered", id), w.admin)["items"].([]any)
	if len(list) != 2 || str(list[0].(map[string]any)["attempts"]) != "3" || str(list[0].(map[string]any)["last_status"]) != "204" {
		t.Errorf("deliveries: %v", list)
	}
	if ep := w.get(fmt.Sprintf("/api/v1/webhooks/%d", other), w.admin); str(ep["pending"]) != "0" || str(ep["failed"]) != "0" {
		t.Errorf("the certificates' endpoint: %v", ep)
	}
	if n, err := notify.Backlog(ctx, w.db); err != nil || n != 0 {
		t.Errorf("backlog %d (%v), want 0", n, err)
	}
}

// TestWebhookGivesUp checks that a delivery an endpoint never accepts is
// retried with growing waits for a day, then marked failed with the last
// answer, which the administrator sees and may send again.
func TestWebhookGivesUp(t *testing.T) {
	w := newWorld(t)
	clock := &testClock{t: theNow}
	rcv, srv := newReceiver(t, -1, clock.Now)
	id, secret := w.registerWebhook(w.admin, srv.URL, notify.ExpenditureReviewed)
	rcv.secret = secret
	exp := w.evidenceBy(w.accA, w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000")))
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", exp), w.tax, map[string]any{"decision": "approve"}); r.status != 200 {
		t.Fatal(r.status, string(r.body))
	}
	d := &notify.Deliverer{DB: w.db, Now: clock.Now}
	drain(t, d, clock, 10*time.Minute, 6*23) // 23 hours
	pending := w.get(fmt.Sprintf("/api/v1/webhooks/%d/deliveries?status=pending", id), w.admin)["items"].([]any)
	if len(pending) != 1 {
		t.Fatalf("after 23 hours: %v", pending)
	}
	attempts := str(pending[0].(map[string]any)["attempts"])
	if attempts == "0" || attempts == "1" {
		t.Errorf("after 23 hours, %s attempts", attempts)
	}
	drain(t, d, clock, 10*time.Minute, 6*2)
	failed := w.get(fmt.Sprintf("/api/v1/webhooks/%d/deliveries?status=failed", id), w.admin)["items"].([]any)
	if len(failed) != 1 {
		t.Fatalf("after 25 hours no failed delivery: %v", w.get(fmt.Sprintf("/api/v1/webhooks/%d/deliveries", id), w.admin))
	}
	f := failed[0].(map[string]any)
	if str(f["last_status"]) != "503" || f["last_response"] != "down for maintenance\n" || f["finished_at"] == nil || f["next_attempt_at"] != nil {
		t.Errorf("failed delivery: %v", f)
	}
	// Attempts grew apart: far fewer than one every ten minutes.
	if n, _ := f["attempts"].(json.Number).Int64(); n > 40 || n < 5 {
		t.Errorf("%d attempts in 25 hours", n)
	}
	if n, err := notify.FailedDeliveries(context.Background(), w.db); err != nil || n != 1 {
		t.Errorf("failed deliveries %d (%v)", n, err)
	}
	if ep := w.get(fmt.Sprintf("/api/v1/webhooks/%d", id), w.admin); str(ep["failed"]) != "1" {
		t.Errorf("endpoint: %v", ep)
	}
	path := fmt.Sprintf("/api/v1/webhooks/%d/deliveries/%s/retry", id, str(f["id"]))
	if r := w.do("POST", path, w.admin, nil); r.status != 204 {
		t.Fatalf("retry: %d %s", r.status, r.body)
	}
	if r := w.do("POST", path, w.admin, nil); r.status != 409 || r.problemCode() != "conflict" {
		t.Errorf("retry of a pending delivery: %d %s", r.status, r.body)
	}
	rcv.mu.Lock()
	rcv.fails = 0
	rcv.mu.Unlock()
	drain(t, d, clock, time.Minute, 1)
	if got := w.get(fmt.Sprintf("/api/v1/webhooks/%d/deliveries?status=delivered", id), w.admin)["items"].([]any); len(got) != 1 {
		t.Errorf("the retried delivery did not arrive: %v", got)
	}
}

// TestWebhookWorkersNeverOverlap runs two workers on many events at once,
// against an endpoint that is slow to answer and refuses each first
// attempt: no event is ever being delivered by both at the same time, and
// each is accepted once.
func TestWebhookWorkersNeverOverlap(t *testing.T) {
	w := newWorld(t)
	e, admin := w.env, w.admin
	// The clock stays within the events' day of retries.
	now := func() time.Time { return theNow.Add(time.Minute) }
	rcv, srv := newReceiver(t, 1, now)
	rcv.pause = 5 * time.Millisecond
	_, secret := e.registerWebhook(admin, srv.URL, notify.SchoolProgressReported)
	rcv.secret = secret
	ctx := context.Background()
	const events = 40
	for i := range events {
		if err := e.db.Transact(ctx, func(tx *database.Tx) error {
			return notify.Publish(ctx, tx, notify.Event{Type: notify.SchoolProgressReported, SubjectType: "school", SubjectID: w.school,
				Resource: map[string]any{"school_id": w.school, "milestone": i}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	noWait := func(int) time.Duration { return 0 }
	var wg sync.WaitGroup
	for range 2 {
		d := &notify.Deliverer{DB: e.db, Backoff: noWait, Now: now}
		wg.Add(1)
		go func() {
			defer wg.Done()
			idle := 0
			for idle < 3 {
				did, err := d.DeliverOne(ctx)
				if err != nil {
					t.Error(err)
					return
				}
				if did {
					idle = 0
				} else {
					idle++
					time.Sleep(10 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.overlaps) > 0 {
		t.Errorf("events delivered by two workers at once: %v", rcv.overlaps)
	}
	if len(rcv.accepted) != events {
		t.Errorf("%d events accepted, want %d", len(rcv.accepted), events)
	}
	for id, b := range rcv.accepted {
		if len(b) != 1 {
			t.Errorf("event %s accepted %d times", id, len(b))
		}
	}
}
