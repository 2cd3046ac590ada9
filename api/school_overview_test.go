package api

import (
	"fmt"
	"testing"
)

// TestSchoolOverview: the counts by status and county, and a pledge past
// its due date while its school is not completed; an accountant sees only
// their own unit's.
func TestSchoolOverview(t *testing.T) {
	w := newWorld(t)
	// A pledge of unit A due before today (2025-11-26), and one of unit B
	// not yet due.
	for _, p := range []struct {
		token string
		unit  int64
		due   string
	}{{w.admin, w.unitA.ID, "2025-10-01"}, {w.admin, w.unitB.ID, "2026-03-01"}} {
		w.mustID(w.do("POST", "/api/v1/pledges", p.token, map[string]any{
			"unit_id": p.unit, "school_id": w.school, "amount": "1000", "pledged_on": "2025-05-01", "due_on": p.due}))
	}
	o := w.get("/api/v1/schools/overview", w.edu)
	if str(o["total"]) != "1" {
		t.Fatalf("overview: %v", o)
	}
	byStatus := o["by_status"].([]any)
	if len(byStatus) != 1 || byStatus[0].(map[string]any)["status"] != "planned" || str(byStatus[0].(map[string]any)["count"]) != "1" {
		t.Errorf("by_status %v", byStatus)
	}
	overdue := o["overdue"].([]any)
	if len(overdue) != 1 {
		t.Fatalf("overdue %v", overdue)
	}
	row := overdue[0].(map[string]any)
	if row["due_on_jalali"] != "1404/07/09" || str(row["unit_id"]) != fmt.Sprint(w.unitA.ID) || row["school_status"] != "planned" {
		t.Errorf("overdue row %v", row)
	}
	if got := w.get("/api/v1/schools/overview", w.accB)["overdue"].([]any); len(got) != 0 {
		t.Errorf("unit B's accountant sees %v", got)
	}
	// Completed, the school waits for nothing.
	r := w.do("POST", fmt.Sprintf("/api/v1/schools/%d/progress", w.school), w.edu,
		map[string]any{"milestone": "پایان", "percent": 100, "reported_on": "2025-11-01"})
	if r.status != 201 {
		t.Fatalf("100%%: %d %s", r.status, r.body)
	}
	if got := w.get("/api/v1/schools/overview", w.edu)["overdue"].([]any); len(got) != 0 {
		t.Errorf("a completed school's pledges overdue: %v", got)
	}
}
