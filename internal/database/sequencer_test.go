package database_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
)

// queuedDB is a test database whose commits do not chain: the tests of the
// sequencer chain by hand or with a Sequencer.
func queuedDB(t *testing.T) (*database.DB, string) {
	t.Helper()
	db, dsn := dbtest.NewWithURL(t)
	db.ChainOnCommit = false
	return db, dsn
}

// queue inserts an entry named name into the audit queue in q's transaction,
// as a change does.
func queue(t *testing.T, q sqlx.ExecerContext, name string) {
	t.Helper()
	_, err := q.ExecContext(context.Background(), `
		INSERT INTO audit_queue (at, actor_id, actor_name, actor_role, action, target_type, target_id, request_id, changes)
		VALUES (clock_timestamp(), NULL, 'tester', 'admin', 'test.step', 'thing', $1, '', '{}')`, name)
	if err != nil {
		t.Fatal(err)
	}
}

// chained returns the target ids of the chain in sequence order.
func chained(t *testing.T, db *database.DB) []string {
	t.Helper()
	var out []string
	if err := db.Select(&out, `SELECT target_id FROM audit_log ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	return out
}

// stepUntil runs sequencer steps until the chain holds want entries, for at
// most a few seconds (other databases of the cluster may hold a transaction
// open that the order must wait for).
func stepUntil(t *testing.T, db *database.DB, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for len(chained(t, db)) < want {
		if time.Now().After(deadline) {
			t.Fatalf("chain %v, want %d entries", chained(t, db), want)
		}
		if _, err := database.ChainIfFree(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func begin(t *testing.T, db *database.DB) *sqlx.Tx {
	t.Helper()
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tx.Rollback() })
	return tx
}

func mustVerify(t *testing.T, db *database.DB, entries int64) {
	t.Helper()
	n, findings, err := database.VerifyAudit(context.Background(), db)
	if err != nil || n != entries || len(findings) != 0 {
		t.Fatalf("verify: %d entries (want %d), findings %v, %v", n, entries, findings, err)
	}
}

// TestChainWaitsForOpenTransactions: transactions commit out of order. An
// entry whose transaction is open holds back every entry of a later
// transaction, even committed ones, and is chained before them once it
// commits; an entry of a transaction that rolls back is never chained.
func TestChainWaitsForOpenTransactions(t *testing.T) {
	db, _ := queuedDB(t)
	queue(t, db, "before") // committed before the open transaction began

	open := begin(t, db)
	queue(t, open, "open")
	aborted := begin(t, db)
	queue(t, aborted, "aborted")
	later := begin(t, db)
	queue(t, later, "later-1")
	queue(t, later, "later-2")
	if err := later.Commit(); err != nil {
		t.Fatal(err)
	}
	queue(t, db, "last") // autocommitted, after the open transaction began

	stepUntil(t, db, 1)
	// Several steps, spaced out: none may chain past the open transaction.
	for range 5 {
		if _, err := database.ChainIfFree(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := strings.Join(chained(t, db), ","); got != "before" {
		t.Fatalf("chained %s while a transaction before the later ones is open, want only: before", got)
	}
	if err := aborted.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := open.Commit(); err != nil {
		t.Fatal(err)
	}
	stepUntil(t, db, 5)
	if got := strings.Join(chained(t, db), ","); got != "before,open,later-1,later-2,last" {
		t.Fatalf("chain %s, want before,open,later-1,later-2,last", got)
	}
	var left int
	if err := db.Get(&left, `SELECT count(*) FROM audit_queue`); err != nil || left != 0 {
		t.Fatalf("%d entries still queued (%v)", left, err)
	}
	mustVerify(t, db, 5)
}

// TestChainAfterCrash: entries queued while no sequencer ran (the server
// died between the commits and their integration) are chained, in order,
// by the sequencer that starts next; verify counts them as queued meanwhile
// and reports them once they have waited too long.
func TestChainAfterCrash(t *testing.T) {
	db, dsn := queuedDB(t)
	ctx := context.Background()
	appendEntries(t, db, 30)
	if got := chained(t, db); len(got) != 0 {
		t.Fatalf("chained %v with no sequencer", got)
	}
	if q, err := database.AuditQueue(ctx, db); err != nil || q.Entries != 30 {
		t.Fatalf("queue %+v, %v", q, err)
	}
	mustVerify(t, db, 0) // queued for less than MaxQueued: not a break

	// An entry queued long ago, as after a crash without restart.
	if _, err := db.Exec(`INSERT INTO audit_queue (at, actor_name, actor_role, action, target_type, target_id, request_id, changes, queued_at)
		VALUES (now(), 'tester', 'admin', 'test.step', 'thing', 'old', '', '{}', now() - interval '2 minutes')`); err != nil {
		t.Fatal(err)
	}
	_, findings, err := database.VerifyAudit(ctx, db)
	if err != nil || len(findings) != 1 || findings[0].Subject != "audit queue" || !strings.Contains(findings[0].Problem, "31 entries") {
		t.Fatalf("verify with an entry queued 2 minutes ago: %v, %v", findings, err)
	}

	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	s := &database.Sequencer{DSN: dsn, Batch: 7} // several batches
	done := make(chan error, 1)
	go func() { done <- s.Run(runCtx) }()
	deadline := time.Now().Add(20 * time.Second)
	for len(chained(t, db)) < 31 {
		if time.Now().After(deadline) {
			t.Fatalf("the sequencer chained %d of 31", len(chained(t, db)))
		}
		time.Sleep(10 * time.Millisecond)
	}
	got := chained(t, db)
	for i := range 30 {
		if got[i] != fmt.Sprint(i) {
			t.Fatalf("chain %v: entry %d is %s", got, i, got[i])
		}
	}
	mustVerify(t, db, 31)
	stop()
	<-done
}

// lockHolder returns the backend holding the sequencer's lock, 0 if none.
func lockHolder(t *testing.T, db *database.DB) int {
	t.Helper()
	pid, err := database.SequencerHolders(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if len(pid) > 1 {
		t.Fatalf("%d holders of the sequencer's lock", len(pid))
	}
	if len(pid) == 0 {
		return 0
	}
	return pid[0]
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestSecondSequencerStandsBy: a second sequencer started while the first
// lives does no work; when the first's connection dies, the second takes
// over within seconds and goes on with the same chain.
func TestSecondSequencerStandsBy(t *testing.T) {
	db, dsn := queuedDB(t)
	ctx := context.Background()
	var mu sync.Mutex
	batches := map[string]int{}
	start := func(name string) (stop func()) {
		runCtx, cancel := context.WithCancel(ctx)
		s := &database.Sequencer{DSN: dsn, Retry: 100 * time.Millisecond, AfterBatch: func(_ context.Context, h database.Head) error {
			mu.Lock()
			batches[name]++
			mu.Unlock()
			return nil
		}}
		done := make(chan struct{})
		go func() { defer close(done); _ = s.Run(runCtx) }()
		return func() { cancel(); <-done }
	}
	stopFirst := start("first")
	defer stopFirst()
	waitFor(t, "the first sequencer's election", func() bool { return lockHolder(t, db) != 0 })
	first := lockHolder(t, db)
	stopSecond := start("second")
	defer stopSecond()

	appendEntries(t, db, 10)
	waitFor(t, "10 entries chained", func() bool { return len(chained(t, db)) == 10 })
	time.Sleep(300 * time.Millisecond) // three of the second's tries
	if h := lockHolder(t, db); h != first {
		t.Fatalf("lock held by %d, want the first sequencer's %d", h, first)
	}
	mu.Lock()
	if batches["second"] != 0 || batches["first"] == 0 {
		t.Fatalf("batches %v: the second sequencer worked while the first lived", batches)
	}
	mu.Unlock()
	// A step on the pool is refused too while the sequencer holds the lock.
	queue(t, db, "refused")
	if n, err := database.ChainIfFree(ctx, db); err != nil || n != 0 {
		t.Fatalf("a step beside the sequencer chained %d (%v)", n, err)
	}

	// The first one's server dies: its connection ends, and it never comes back.
	stopFirst()
	var killed bool
	if err := db.Get(&killed, `SELECT pg_terminate_backend($1)`, first); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second sequencer's election", func() bool { h := lockHolder(t, db); return h != 0 && h != first })
	appendEntries(t, db, 5)
	waitFor(t, "16 entries chained", func() bool { return len(chained(t, db)) == 16 })
	mu.Lock()
	if batches["second"] == 0 {
		t.Fatalf("batches %v: the second sequencer did not take over", batches)
	}
	mu.Unlock()
	mustVerify(t, db, 16)
}

// TestChainOrdersTransactionIDsAsNumbers: the chain is sorted by
// transaction id as a number. Ids 9 and 10 (long committed in any cluster:
// below every snapshot's xmin) sort the other way as text, and the queue's
// read once sorted them as text, so that the order the chain's argument
// relies on broke each time the ids gained a digit. Within one transaction
// the entries keep the order they were written in.
func TestChainOrdersTransactionIDsAsNumbers(t *testing.T) {
	db, _ := queuedDB(t)
	for _, e := range []struct{ xid, name string }{{"10", "ten-a"}, {"9", "nine"}, {"10", "ten-b"}, {"100", "hundred"}} {
		if _, err := db.Exec(`
			INSERT INTO audit_queue (xid, at, actor_name, actor_role, action, target_type, target_id, request_id, changes)
			VALUES ($1::xid8, clock_timestamp(), 'tester', 'admin', 'test.step', 'thing', $2, '', '{}')`, e.xid, e.name); err != nil {
			t.Fatal(err)
		}
	}
	stepUntil(t, db, 4)
	if got := strings.Join(chained(t, db), ","); got != "nine,ten-a,ten-b,hundred" {
		t.Fatalf("chain %s, want nine,ten-a,ten-b,hundred", got)
	}
	mustVerify(t, db, 4)
}
