package api

import (
	"context"
	"database/sql"
	"strconv"
	"testing"
	"time"

	"github.com/taahod/taahod"
)

// The key and the work commit together (internal/database claim.go). These
// tests put the database in the states a crash or a fault can leave and
// check that a retry neither meets a stuck key nor does the work twice.

// TestIdempotencyAnswerLost: the server died after the commit and before it
// stored the answer (the state is made by hand: the answer wiped from the
// key's row). A retry does not write again; soon after the crash it is told
// the first request is running, and once answerLostAfter has passed it is
// told where the record went.
func TestIdempotencyAnswerLost(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	body := map[string]string{"name": "واحد گمشده", "national_id": taahod.MakeLegalEntityID("1050607080"), "county": "قزوین"}
	first := e.do("POST", "/api/v1/units", sec, body, "Idempotency-Key", "lost-1")
	if first.status != 201 {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	loc := first.header.Get("Location")
	forget := func(age time.Duration) {
		t.Helper()
		if _, err := e.db.Exec(`UPDATE idempotency_keys SET status = NULL, content_type = NULL, body = NULL, headers = NULL,
			completed_at = NULL, created_at = $2 WHERE key = $1`, "lost-1", time.Now().Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	forget(time.Second)
	if r := e.do("POST", "/api/v1/units", sec, body, "Idempotency-Key", "lost-1"); r.status != 409 || r.problemCode() != taahod.EIDEMPOTENCYINFLIGHT {
		t.Fatalf("retry right after the crash: %d %s", r.status, r.body)
	}
	forget(time.Minute)
	r := e.do("POST", "/api/v1/units", sec, body, "Idempotency-Key", "lost-1")
	if r.status != 409 || r.problemCode() != taahod.EIDEMPOTENCYLOST || r.header.Get("Location") != loc {
		t.Fatalf("retry a minute after the crash: %d Location %q (want %q) %s", r.status, r.header.Get("Location"), loc, r.body)
	}
	e.must(t, "GET", loc, sec, nil, 200)
	if n := e.count("units"); n != 1 {
		t.Fatalf("%d units after the retries, want 1", n)
	}
}

// TestIdempotencyKeyFreeAfterRollback: a request whose transaction failed
// (here: the database refused it, as in a fault or a crash before the commit)
// leaves no trace of its key, so the retry runs and writes once.
func TestIdempotencyKeyFreeAfterRollback(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	body := map[string]string{"name": "واحد دوباره", "national_id": taahod.MakeLegalEntityID("1050607081"), "county": "قزوین"}
	// A fault inside the transaction, after the unit's row is written: the
	// transaction waits to queue its audit entry (the queue is locked here)
	// and its connection is then cut, as when the database restarts.
	hold, err := e.db.BeginTxx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback() //nolint:errcheck
	if _, err := hold.Exec(`LOCK TABLE audit_queue IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	done := make(chan response, 1)
	go func() { done <- e.do("POST", "/api/v1/units", sec, body, "Idempotency-Key", "fault-1") }()
	deadline := time.Now().Add(10 * time.Second)
	for cut := 0; cut == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the request never waited on the audit queue")
		}
		select {
		case r := <-done:
			t.Fatalf("the request ended without waiting: %d %s", r.status, r.body)
		default:
		}
		// Not in hold: the statistics views keep one snapshot a transaction.
		if err := e.db.Get(&cut, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'`); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	first := <-done
	_ = hold.Rollback()
	if first.status < 500 {
		t.Fatalf("the first request did not fail with the fault: %d %s", first.status, first.body)
	}
	var rows int
	if err := e.db.Get(&rows, `SELECT count(*) FROM idempotency_keys WHERE key = 'fault-1'`); err != nil || rows != 0 {
		t.Fatalf("%d key rows after the fault (%v)", rows, err)
	}
	r := e.do("POST", "/api/v1/units", sec, body, "Idempotency-Key", "fault-1")
	if r.status != 201 {
		t.Fatalf("retry after the fault: %d %s", r.status, r.body)
	}
	if again := e.do("POST", "/api/v1/units", sec, body, "Idempotency-Key", "fault-1"); again.status != 201 || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d", again.status)
	}
	if n := e.count("units"); n != 1 {
		t.Fatalf("%d units, want 1", n)
	}
}

// TestIdempotencyKeyCommitsWithSubmission: an expenditure's submission,
// which writes with one statement of its own (ledger.SubmitSQL), records its
// Idempotency-Key in the transaction of that statement, naming the
// expenditure; so a crash after its commit leaves a key that tells the retry
// where the expenditure went, never a free key that lets the retry run into
// its own invoice (409 conflict) for ever. (The fault suite's kill -9 found
// that: the key was stored only with the answer, after the commit.)
func TestIdempotencyKeyCommitsWithSubmission(t *testing.T) {
	w := newWorld(t)
	body := expenditure(w.pledgeA, "1500000")
	first := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", "submit-lost-1")
	id := w.mustID(first)
	var target struct {
		Type sql.NullString `db:"target_type"`
		ID   sql.NullString `db:"target_id"`
	}
	if err := w.db.Get(&target, `SELECT target_type, target_id FROM idempotency_keys WHERE key = $1`, "submit-lost-1"); err != nil {
		t.Fatal(err)
	}
	if target.Type.String != "expenditure" || target.ID.String != strconv.FormatInt(id, 10) {
		t.Fatalf("the key names %q %q, want the expenditure %d: it was not written with the submission", target.Type.String, target.ID.String, id)
	}
	// The answer lost after the commit, as in a kill -9 between the two.
	if _, err := w.db.Exec(`UPDATE idempotency_keys SET status = NULL, content_type = NULL, body = NULL, headers = NULL,
		completed_at = NULL, created_at = $2 WHERE key = $1`, "submit-lost-1", theNow.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	r := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", "submit-lost-1")
	if want := "/api/v1/expenditures/" + strconv.FormatInt(id, 10); r.status != 409 || r.problemCode() != taahod.EIDEMPOTENCYLOST || r.header.Get("Location") != want {
		t.Fatalf("retry after the lost answer: %d Location %q (want %q) %s", r.status, r.header.Get("Location"), want, r.body)
	}
	if n := w.count("expenditures"); n != 1 {
		t.Fatalf("%d expenditures, want 1", n)
	}
	// Without a key the submission stays one statement, and still writes.
	w.mustID(w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, "2000000")))
}
