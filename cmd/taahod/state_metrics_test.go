package main

import (
	"context"
	"io"
	"net/http/httptest"
	"regexp"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/internal/metrics"
	"github.com/taahod/taahod/notify"
)

// TestStateMetrics: the background work's metrics are served, and the
// audit queue's move with an entry that no sequencer has chained yet.
func TestStateMetrics(t *testing.T) {
	db := dbtest.New(t)
	db.ChainOnCommit = false // no sequencer: the entry stays queued
	reg := metrics.New(db)
	reg.MustRegister(stateMetrics(db, &notify.Deliverer{DB: db})...)
	hs := httptest.NewServer(reg.Handler())
	defer hs.Close()
	scrape := func(name string) string {
		t.Helper()
		res, err := hs.Client().Get(hs.URL)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindStringSubmatch(string(body))
		if m == nil {
			t.Fatalf("no %s in\n%.2000s", name, body)
		}
		return m[1]
	}
	for _, name := range []string{"taahod_webhook_backlog", "taahod_webhook_deliveries_failed", "taahod_webhook_delivered_total",
		"taahod_webhook_attempts_failed_total", "taahod_audit_queue_entries"} {
		if v := scrape(name); v != "0" {
			t.Errorf("%s = %s on a new database, want 0", name, v)
		}
	}
	if err := db.Transact(context.Background(), func(tx *database.Tx) error {
		tx.Audit(context.Background(), taahod.System, "test.queue", "test", 1, map[string]any{})
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if v := scrape("taahod_audit_queue_entries"); v != "1" {
		t.Errorf("taahod_audit_queue_entries = %s with one entry queued, want 1", v)
	}
	if v := scrape("taahod_audit_queue_oldest_seconds"); v == "0" || v[0] == '-' {
		t.Errorf("taahod_audit_queue_oldest_seconds = %s with one entry queued", v)
	}
}
