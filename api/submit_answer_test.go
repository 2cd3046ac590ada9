package api

import (
	"strconv"
	"testing"
	"time"

	"github.com/taahod/taahod"
)

// TestSubmissionAnswerCommitsWithIt: a submission with an Idempotency-Key
// is one transaction: the expenditure, its key and the answer the client
// got are written by the one statement (database.StatementClaimAnsweredSQL),
// not the answer by a second write after the commit. The rows' xmin (the
// transaction that wrote their current version) say so: a later UPDATE of
// the key's row would give it another. The stored answer is the one sent,
// byte for byte, and a replay repeats it; texts with % and with what looks
// like a hole (%1$s) go through the template as they are, and so does the
// flag, true and false.
func TestSubmissionAnswerCommitsWithIt(t *testing.T) {
	w := newWorld(t)
	for i, tc := range []struct {
		amount      string
		description string
		exceeds     bool
	}{
		{"1500000", "میلگرد ۱۰٪ %1$s %% \\ \" تخفیف", false},
		{"60000000000", "بیش از تعهد", true}, // the pledge is 50,000,000,000
	} {
		key := "one-commit-" + strconv.Itoa(i)
		body := expenditure(w.pledgeA, tc.amount, "description", tc.description)
		first := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", key)
		id := w.mustID(first)
		if got := first.json()["exceeds_pledge"]; got != tc.exceeds {
			t.Fatalf("exceeds_pledge %v, want %v", got, tc.exceeds)
		}
		if got := first.json()["description"]; got != tc.description {
			t.Fatalf("description %q, want %q", got, tc.description)
		}
		var row struct {
			KeyXmin  string `db:"key_xmin"`
			ExpXmin  string `db:"exp_xmin"`
			Status   int    `db:"status"`
			Body     []byte `db:"body"`
			Location string `db:"location"`
		}
		if err := w.db.Get(&row, `
			SELECT k.xmin::text AS key_xmin, e.xmin::text AS exp_xmin, k.status, k.body, k.headers->>'Location' AS location
			  FROM idempotency_keys k, expenditures e WHERE k.key = $1 AND e.id = $2`, key, id); err != nil {
			t.Fatal(err)
		}
		if row.KeyXmin != row.ExpXmin {
			t.Fatalf("the key's row was last written by transaction %s, the expenditure by %s: the answer was stored by a second write",
				row.KeyXmin, row.ExpXmin)
		}
		loc := "/api/v1/expenditures/" + strconv.FormatInt(id, 10)
		if row.Status != 201 || string(row.Body) != string(first.body) || row.Location != loc || first.header.Get("Location") != loc {
			t.Fatalf("stored %d %q Location %q; sent %s Location %q", row.Status, row.Body, row.Location, first.body, first.header.Get("Location"))
		}
		again := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", key)
		if again.status != 201 || string(again.body) != string(first.body) || again.header.Get("Location") != loc ||
			again.header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay: %d %s Location %q", again.status, again.body, again.header.Get("Location"))
		}
	}
	if n := w.count("expenditures"); n != 2 {
		t.Fatalf("%d expenditures, want 2", n)
	}
}

// TestSubmissionAnswerSurvivesAFailedStore: the answer is stored with the
// submission, so nothing after the commit can lose it. Here every later
// change of a key's row fails (as a crash or a fault after the commit
// would make it fail): the client still gets its 201, and a retry gets the
// same 201, not 409 idempotency_key_in_use for half a minute and then
// idempotency_response_lost.
func TestSubmissionAnswerSurvivesAFailedStore(t *testing.T) {
	w := newWorld(t)
	if _, err := w.db.Exec(`
		CREATE FUNCTION test_no_key_update() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'the server died after the commit'; END $$;
		CREATE TRIGGER test_no_key_update BEFORE UPDATE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION test_no_key_update();`); err != nil {
		t.Fatal(err)
	}
	body := expenditure(w.pledgeA, "1500000")
	first := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", "no-second-write")
	w.mustID(first)
	again := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", "no-second-write")
	if again.status != 201 || string(again.body) != string(first.body) {
		t.Fatalf("retry: %d %s", again.status, again.body)
	}
	if n := w.count("expenditures"); n != 1 {
		t.Fatalf("%d expenditures, want 1", n)
	}
}

// TestSubmissionForgetsExpiredKey: the submission's statement checks the key
// itself (keyKnown does not run for it), so it also forgets a row of the key
// past the retention, as keyKnown does: the key is new again, whatever its
// old row held. A request that changes nothing (here an invalid one) forgets
// it too and stores its own answer.
func TestSubmissionForgetsExpiredKey(t *testing.T) {
	w := newWorld(t)
	var user int64
	if err := w.db.Get(&user, `SELECT id FROM users WHERE username = 'acc-a'`); err != nil {
		t.Fatal(err)
	}
	old := func(key string) {
		t.Helper()
		if _, err := w.db.Exec(`
			INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, status, content_type, body, headers, completed_at)
			VALUES ($1, $2, sha256('another request'), $3, 201, 'application/json', 'old', '{}', $3)`,
			user, key, theNow.Add(-IdempotencyRetention-time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	old("expired-1")
	body := expenditure(w.pledgeA, "1500000")
	first := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", "expired-1")
	w.mustID(first)
	if first.header.Get("Idempotent-Replayed") != "" {
		t.Fatal("the expired key's answer was replayed")
	}
	if again := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", "expired-1"); again.status != 201 ||
		string(again.body) != string(first.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s", again.status, again.body)
	}

	old("expired-2")
	invalid := expenditure(w.pledgeA, "-5")
	r := w.do("POST", "/api/v1/expenditures", w.accA, invalid, "Idempotency-Key", "expired-2")
	if r.status != 422 || r.problemCode() != taahod.EINVALID {
		t.Fatalf("invalid with an expired key: %d %s", r.status, r.body)
	}
	if again := w.do("POST", "/api/v1/expenditures", w.accA, invalid, "Idempotency-Key", "expired-2"); again.status != 422 ||
		string(again.body) != string(r.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay of the invalid one: %d %s", again.status, again.body)
	}
	// A fresh key's row is not forgotten: another body is refused.
	if other := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, "7"), "Idempotency-Key", "expired-1"); other.status != 422 ||
		other.problemCode() != taahod.EIDEMPOTENCYREUSED {
		t.Fatalf("reused key: %d %s", other.status, other.body)
	}
}
