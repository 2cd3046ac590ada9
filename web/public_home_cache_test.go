package web

import (
	"net/http"
	"reflect"
	"testing"

	"golang.org/x/net/html"

	"github.com/taahod/taahod/registry"
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

// TestPublicHomeRenderedAgainWhenOnlyACategoryChanges: moving a resolution
// from one category to another changes no yearly figure, only the
// category table; the page must still be rendered again.
func TestPublicHomeRenderedAgainWhenOnlyACategoryChanges(t *testing.T) {
	e := newDemoEnv(t)
	b := e.browser()
	var id int64
	var from string
	if err := e.db.QueryRow(`SELECT id, category FROM resolutions WHERE adopted_on BETWEEN '2025-03-21' AND '2026-03-20'
		AND category <> 'other' ORDER BY id LIMIT 1`).Scan(&id, &from); err != nil {
		t.Fatal(err)
	}
	before := b.get("/?year=1404")
	if _, err := e.db.Exec(`UPDATE resolutions SET category = 'other' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}
	after := b.get("/?year=1404")
	if before.status != http.StatusOK || after.status != http.StatusOK {
		t.Fatalf("statuses %d, %d", before.status, after.status)
	}
	if !reflect.DeepEqual(figureCells(t, before), figureCells(t, after)) {
		t.Errorf("a change of category changed the yearly figures")
	}
	totals := func(a answer) map[string]string {
		out := map[string]string{}
		caption := findAll(a.doc(), func(n *html.Node) bool { return n.Data == "caption" && attr(n, "id") == "category-caption" })
		if len(caption) != 1 {
			t.Fatalf("%d category tables", len(caption))
		}
		for _, tr := range findAll(caption[0].Parent, func(n *html.Node) bool { return n.Data == "tr" }) {
			th := findAll(tr, func(n *html.Node) bool { return n.Data == "th" && attr(n, "scope") == "row" })
			td := findAll(tr, func(n *html.Node) bool { return n.Data == "td" })
			if len(th) == 1 && len(td) > 0 {
				out[textOf(th[0])] = textOf(td[0])
			}
		}
		return out
	}
	was, now := totals(before), totals(after)
	other := registry.Categories.Title("other")
	moved := registry.Categories.Title(from)
	if was[other] == now[other] || was[moved] == now[moved] {
		t.Errorf("the category table did not follow the change: %s %q→%q, %s %q→%q", moved, was[moved], now[moved], other, was[other], now[other])
	}
}
