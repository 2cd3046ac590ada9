package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// TestWritersDoNotWaitForEachOther: a change's audit entry takes no row that
// another writer needs. While a transaction that has appended an audit entry
// stays open, an expenditure's submission (one autocommitted statement) and
// a unit's creation with an Idempotency-Key (a transaction) complete over
// HTTP; the open entry and every later one are chained once it commits, the
// open one first, as its transaction began first. (Before the queue, both
// requests waited on the chain's head row until the open transaction ended.)
func TestWritersDoNotWaitForEachOther(t *testing.T) {
	w := newWorld(t)
	w.db.ChainOnCommit = false // the requests must not wait for the chain either
	ctx := context.Background()
	sec := w.userToken("sec-queue", taahod.RoleSecretariat)

	hold, err := w.db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback() //nolint:errcheck
	a, err := database.NewStatementAudit(ctx, taahod.System, w.db.Now(), "test.hold", "thing", map[string]any{"held": true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.ExecContext(ctx, `WITH ins AS (SELECT 'held'::text AS id), `+
		database.StatementAuditSQL("(SELECT id FROM ins)", 1)+` SELECT 1`, a.Args()...); err != nil {
		t.Fatal(err)
	}

	unit := map[string]string{"name": "واحد بی‌انتظار", "national_id": taahod.MakeLegalEntityID("1090807061"), "county": "قزوین"}
	done := make(chan [2]response, 1)
	go func() {
		done <- [2]response{
			w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, "1500000")),
			w.do("POST", "/api/v1/units", sec, unit, "Idempotency-Key", "queue-1"),
		}
	}()
	var rs [2]response
	select {
	case rs = <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("the requests waited for another writer's open transaction")
	}
	if rs[0].status != 201 || rs[1].status != 201 {
		t.Fatalf("submission %d %s, unit %d %s", rs[0].status, rs[0].body, rs[1].status, rs[1].body)
	}

	if err := hold.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := database.WaitChained(ctx, w.db); err != nil {
		t.Fatal(err)
	}
	var tail []string
	if err := w.db.Select(&tail, `SELECT action FROM (SELECT action, seq FROM audit_log ORDER BY seq DESC LIMIT 3) l ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	if strings.Join(tail, ",") != "test.hold,expenditure.submit,unit.create" {
		t.Fatalf("chain ends with %v, want the held entry before the two requests'", tail)
	}
	if _, findings, err := database.VerifyAudit(ctx, w.db); err != nil || len(findings) != 0 {
		t.Fatalf("verify: %v %v", findings, err)
	}
}
