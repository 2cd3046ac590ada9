package api

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// TestReviewQueueFilters narrows the queue by unit, the unit's county,
// category and amount range; total counts what waits under the filters,
// over every page; a cursor is bound to the filters it was given with.
func TestReviewQueueFilters(t *testing.T) {
	w := newWorld(t)
	far, err := registry.NewStore(w.db).CreateUnit(context.Background(), taahod.System, registry.NewUnit{
		Name: "کاشی تاکستان", NationalID: taahod.MakeLegalEntityID("1010456789"), County: "تاكستان", // Arabic kaf
	})
	if err != nil {
		t.Fatal(err)
	}
	accC := w.userToken("acc-c", taahod.RoleAccountant, far.ID)
	pledgeC := w.mustPledge(w.admin, far.ID, w.school, "1000000000", "2025-04-01")

	a1 := w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000"))
	a2 := w.mustSubmit(w.accA, expenditure(w.pledgeA, "5000", "category", "equipment"))
	b1 := w.mustSubmit(w.accB, expenditure(w.pledgeB, "2500.50"))
	c1 := w.mustSubmit(accC, expenditure(pledgeC, "9000", "category", "equipment"))
	reviewed := w.withEvidence(w.mustSubmit(w.accA, expenditure(w.pledgeA, "3000")))
	w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", reviewed), w.tax, map[string]any{"decision": "approve"})

	ids := func(m map[string]any) string {
		var out []string
		for _, it := range m["items"].([]any) {
			out = append(out, str(it.(map[string]any)["id"]))
		}
		return fmt.Sprint(out)
	}
	want := func(list ...int64) string {
		out := make([]string, len(list))
		for i, id := range list {
			out[i] = str(id)
		}
		return fmt.Sprint(out)
	}
	for _, c := range []struct {
		query string
		want  []int64
	}{
		{"", []int64{a1, a2, b1, c1}},
		{fmt.Sprintf("unit_id=%d", w.unitA.ID), []int64{a1, a2}},
		{"county=" + url.QueryEscape("تاکستان"), []int64{c1}},
		{"county=" + url.QueryEscape("قزوين"), []int64{a1, a2, b1}}, // Arabic yeh, folded
		{"category=equipment", []int64{a2, c1}},
		{"amount_min=2500.5", []int64{a2, b1, c1}},
		{"amount_max=2500.5", []int64{a1, b1}},
		{"amount_min=1000&amount_max=5000&category=construction", []int64{a1, b1}},
		{fmt.Sprintf("unit_id=%d&category=land", w.unitB.ID), nil},
	} {
		m := w.get("/api/v1/reviews/queue?"+c.query, w.tax)
		if got := ids(m); got != want(c.want...) {
			t.Errorf("?%s: %s, want %s", c.query, got, want(c.want...))
		}
		if str(m["total"]) != str(len(c.want)) {
			t.Errorf("?%s: total %v, want %d", c.query, m["total"], len(c.want))
		}
	}

	// total counts every page, not the page.
	first := w.get("/api/v1/reviews/queue?category=equipment&limit=1", w.tax)
	if ids(first) != want(a2) || str(first["total"]) != "2" || first["next_cursor"] == nil {
		t.Fatalf("first page: %v", first)
	}
	next := w.get("/api/v1/reviews/queue?category=equipment&limit=1&cursor="+url.QueryEscape(str(first["next_cursor"])), w.tax)
	if ids(next) != want(c1) || str(next["total"]) != "2" || next["next_cursor"] != nil {
		t.Fatalf("second page: %v", next)
	}
	// The cursor of the equipment queue is refused with other filters.
	for _, other := range []string{"category=land", "", "category=equipment&amount_min=1"} {
		r := w.do("GET", "/api/v1/reviews/queue?"+other+"&cursor="+url.QueryEscape(str(first["next_cursor"])), w.tax, nil)
		if r.status != 400 || r.fieldErrors()["cursor"] != "invalid_cursor" {
			t.Errorf("cursor with ?%s: %d %s", other, r.status, r.body)
		}
	}

	for _, c := range []struct{ query, field, code string }{
		{"category=food", "category", "invalid_choice"},
		{"amount_min=1,000", "amount_min", "separators_not_allowed"},
		{"amount_max=0", "amount_max", "not_positive"},
		{"amount_min=" + url.QueryEscape("۱۰۰"), "amount_min", "non_ascii_digits"},
		{"amount_min=500&amount_max=100", "amount_max", "below_min"},
		{"unit_id=x", "unit_id", "invalid_id"},
	} {
		r := w.do("GET", "/api/v1/reviews/queue?"+c.query, w.tax, nil)
		if r.status != 422 || r.fieldErrors()[c.field] != c.code {
			t.Errorf("?%s: %d %s, want 422 %s %s", c.query, r.status, r.body, c.field, c.code)
		}
	}
	// An undeclared parameter is still refused.
	if r := w.do("GET", "/api/v1/reviews/queue?school_id=1", w.tax, nil); r.status != 400 || r.fieldErrors()["school_id"] != "unknown_parameter" {
		t.Errorf("undeclared parameter: %d %s", r.status, r.body)
	}
	// The unit's county is in the item.
	for _, it := range w.get("/api/v1/reviews/queue?unit_id="+str(far.ID), w.tax)["items"].([]any) {
		if u := it.(map[string]any)["unit"].(map[string]any); u["county"] != "تاكستان" {
			t.Errorf("unit of the item: %v", u)
		}
	}
}
