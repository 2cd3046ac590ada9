package web

import (
	"net/http"
	"testing"
)

// TestPublicHomeRenderedAgainWhenFiguresChange: the public home is sent as
// last rendered while its figures are the same, and shows a new count at
// once when a record changes them.
func TestPublicHomeRenderedAgainWhenFiguresChange(t *testing.T) {
	e := newDemoEnv(t)
	b := e.browser()
	first := b.get("/?year=1404")
	again := b.get("/?year=۱۴۰۴")
	if first.status != http.StatusOK || again.status != http.StatusOK || first.body != again.body {
		t.Fatalf("the same figures gave different pages: %d, %d", first.status, again.status)
	}
	before := figureCells(t, first)["مجموع جلسات"]
	if len(before) != 2 || before[0][0] != "۳۴" {
		t.Fatalf("1404's sessions before: %v, want ۳۴", before)
	}
	// A formal session of 1 Mehr 1404 (2025-09-23), recorded behind the
	// pages' back: the next request reads the new count.
	if _, err := e.db.Exec(`INSERT INTO sessions (kind, held_on, created_at, updated_at) VALUES ('formal', '2025-09-23', now(), now())`); err != nil {
		t.Fatal(err)
	}
	after := b.get("/?year=1404")
	if got := figureCells(t, after)["مجموع جلسات"]; len(got) != 2 || got[0][0] != "۳۵" {
		t.Errorf("1404's sessions after one more: %v, want ۳۵", got)
	}
	// The year before, whose figures did not change, still shows its own.
	if prev := b.get("/?year=1403"); prev.status != http.StatusOK || figureCells(t, prev)["مجموع جلسات"][0][0] != "۶۸" {
		t.Errorf("1403's sessions: %v", figureCells(t, prev)["مجموع جلسات"])
	}
}
