package database_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/taahod/taahod/internal/database"
)

// TestVerifyWhileChaining: verify reads the chain while a sequencer keeps
// adding to it. It must see the rows and the tip of one moment: a tip read
// after more rows were chained would be reported as rows removed from the
// end (the break TestTwoServers once met under load).
func TestVerifyWhileChaining(t *testing.T) {
	db, _ := queuedDB(t)
	ctx := context.Background()
	var done atomic.Bool // the writer stopped
	var wg sync.WaitGroup
	wg.Go(func() { // a writer
		defer done.Store(true)
		for i := 0; i < 3000 && !t.Failed(); i++ {
			if _, err := db.ExecContext(ctx, `
				INSERT INTO audit_queue (at, actor_id, actor_name, actor_role, action, target_type, target_id, request_id, changes)
				VALUES (clock_timestamp(), NULL, 'tester', 'admin', 'test.step', 'thing', $1, '', '{}')`, fmt.Sprint(i)); err != nil {
				t.Error(err)
			}
		}
	})
	wg.Go(func() { // the sequencer
		for !done.Load() {
			if _, err := database.ChainIfFree(ctx, db); err != nil {
				t.Error(err)
				return
			}
		}
	})
	runs := 0
	for !done.Load() || runs == 0 {
		runs++
		_, findings, err := database.VerifyAudit(ctx, db)
		if err != nil || len(findings) > 0 {
			t.Errorf("verify run %d while chaining: %v, %v", runs, findings, err)
			break
		}
	}
	wg.Wait() // the writer stops at the first failure
	t.Logf("%d runs of verify while chaining", runs)
}
