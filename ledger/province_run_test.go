package ledger_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/taahod/taahod/ledger"
)

// TestProvinceRunStopped: a run whose server stops (its context ends) while
// a unit waits records that it stopped, failed with its reason, rather than
// staying 'running' until a start takes it for abandoned; the unit it was
// waiting for is neither done nor failed, and its books are untouched.
func TestProvinceRunStopped(t *testing.T) {
	b := newBooks(t, 2)
	b.policy(1404, creditFull)
	for _, u := range b.units {
		b.spendApproved(u, "2025-05-01", "1000")
		b.mustAssess(u, 1404, "400", "")
	}
	ctx := context.Background()
	// The first unit's books are held: the run waits there.
	hold, err := b.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.Exec(`SELECT pg_advisory_xact_lock($1)`, 1_720_000_000_000_000_000+b.units[0]); err != nil {
		t.Fatal(err)
	}
	saved := ledger.OffsetRunWorkers
	ledger.OffsetRunWorkers = 1
	defer func() { ledger.OffsetRunWorkers = saved }()
	run, err := b.store.StartOffsetRun(ctx, b.tax, 1404)
	if err != nil {
		t.Fatal(err)
	}
	serverCtx, stop := context.WithCancel(ctx)
	ended := make(chan ledger.OffsetRun, 1)
	go func() {
		r, err := run.Execute(serverCtx)
		if err != nil {
			t.Error(err)
		}
		ended <- r
	}()
	// Stopped while it waits for the first unit (it waits as long as the
	// lock is held, so the moment does not matter).
	time.Sleep(100 * time.Millisecond)
	stop()
	var r ledger.OffsetRun
	select {
	case r = <-ended:
	case <-time.After(time.Minute):
		t.Fatal("the run did not end within a minute of its server stopping")
	}
	if r.Status != ledger.OffsetRunFailed || r.Reason == nil || !strings.Contains(*r.Reason, "server stopped") ||
		r.UnitsDone != 0 || r.UnitsFailed != 0 || r.FinishedAt == nil {
		t.Fatalf("%+v", r)
	}
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	if st := b.statement(b.units[0], 1404); st.RunAt != nil || !st.OffsetAmount.IsZero() {
		t.Fatalf("the unit waited for: %+v", st)
	}
	// Stopped, not running: the year may be run again at once.
	again, err := b.store.StartOffsetRun(ctx, b.tax, 1404)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := again.Execute(ctx); err != nil || r.Status != ledger.OffsetRunDone || r.UnitsDone != 2 || r.OffsetTotal.String() != "800" {
		t.Fatalf("%+v %v", r, err)
	}
}
