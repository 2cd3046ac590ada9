package api

import (
	"fmt"
	"testing"
	"time"
)

func TestPledges(t *testing.T) {
	w := newWorld(t)
	t.Run("answer", func(t *testing.T) {
		// The working group's resolution that recorded the pledge.
		session := w.do("POST", "/api/v1/sessions", w.sec, map[string]any{"kind": "formal", "held_on_jalali": "1404/01/30"}).json()["id"]
		res := w.do("POST", "/api/v1/resolutions", w.sec, map[string]any{"session_id": session, "unit_id": w.unitA.ID,
			"text": "تعهد ساخت مدرسه", "category": "other", "agencies": []string{"اداره کل آموزش و پرورش"}})
		if res.status != 201 {
			t.Fatalf("resolution: %d %s", res.status, res.body)
		}
		resolution := str(res.json()["id"])
		r := w.do("POST", "/api/v1/pledges", w.accA, map[string]any{
			"unit_id": w.unitA.ID, "school_id": w.school, "amount": 2500000000, "pledged_on_jalali": "1404/02/01",
			"due_on": "2026-03-01", "resolution_id": res.json()["id"],
		})
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		m := r.json()
		if m["amount"] != "2500000000" || m["pledged_on"] != "2025-04-21" || m["pledged_on_jalali"] != "1404/02/01" ||
			m["due_on_jalali"] != "1404/12/10" || str(m["resolution_id"]) != resolution || m["status"] != "pending" ||
			m["submitted_total"] != "0" || m["approved_total"] != "0" || m["remaining"] != "2500000000" ||
			m["unit_name"] != w.unitA.Name || m["cancelled_at"] != nil {
			t.Fatalf("answer: %s", r.body)
		}
	})
	refused := []struct {
		name   string
		token  string
		body   map[string]any
		status int
		field  string
	}{
		{"another unit by its accountant", w.accA, map[string]any{"unit_id": w.unitB.ID, "school_id": w.school, "amount": "1", "pledged_on": "2025-05-01"}, 404, "unit_id"},
		{"unknown unit", w.admin, map[string]any{"unit_id": 9999, "school_id": w.school, "amount": "1", "pledged_on": "2025-05-01"}, 404, "unit_id"},
		{"unknown school", w.admin, map[string]any{"unit_id": w.unitA.ID, "school_id": 9999, "amount": "1", "pledged_on": "2025-05-01"}, 404, "school_id"},
		{"future", w.admin, map[string]any{"unit_id": w.unitA.ID, "school_id": w.school, "amount": "1", "pledged_on": "2025-11-27"}, 422, "pledged_on"},
		{"due before pledged", w.admin, map[string]any{"unit_id": w.unitA.ID, "school_id": w.school, "amount": "1", "pledged_on": "2025-05-01", "due_on": "2025-04-01"}, 422, "due_on"},
		{"bad amount", w.admin, map[string]any{"unit_id": w.unitA.ID, "school_id": w.school, "amount": "1e9", "pledged_on": "2025-05-01"}, 422, "amount"},
		{"no date", w.admin, map[string]any{"unit_id": w.unitA.ID, "school_id": w.school, "amount": "1"}, 422, "pledged_on"},
		{"bad resolution", w.admin, map[string]any{"unit_id": w.unitA.ID, "school_id": w.school, "amount": "1", "pledged_on": "2025-05-01", "resolution_id": 0}, 422, "resolution_id"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			r := w.do("POST", "/api/v1/pledges", tc.token, tc.body)
			if r.status != tc.status || r.fieldErrors()[tc.field] == "" {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	for _, token := range []string{w.tax, w.edu, w.aud} {
		if r := w.do("POST", "/api/v1/pledges", token, map[string]any{"unit_id": w.unitA.ID, "school_id": w.school, "amount": "1", "pledged_on": "2025-05-01"}); r.status != 403 {
			t.Errorf("role: %d", r.status)
		}
	}
	t.Run("list", func(t *testing.T) {
		ids := func(token, q string) int { return len(w.get("/api/v1/pledges"+q, token)["items"].([]any)) }
		if n := ids(w.sec, ""); n != 3 {
			t.Errorf("all: %d", n)
		}
		if n := ids(w.accB, ""); n != 1 {
			t.Errorf("accountant B: %d", n)
		}
		if n := ids(w.sec, fmt.Sprintf("?unit_id=%d", w.unitA.ID)); n != 2 {
			t.Errorf("unit A: %d", n)
		}
		if n := ids(w.sec, fmt.Sprintf("?school_id=%d&status=pending", w.school)); n != 3 {
			t.Errorf("pending at the school: %d", n)
		}
		if n := ids(w.sec, "?status=fulfilled"); n != 0 {
			t.Errorf("fulfilled: %d", n)
		}
		if r := w.do("GET", "/api/v1/pledges?status=done", w.sec, nil); r.status != 422 {
			t.Errorf("bad status: %d", r.status)
		}
		if r := w.do("GET", fmt.Sprintf("/api/v1/pledges/%d", w.pledgeB), w.accA, nil); r.status != 404 {
			t.Errorf("another unit's pledge: %d", r.status)
		}
	})
}

// TestPledgeStatusLife walks one pledge through every derived status.
func TestPledgeStatusLife(t *testing.T) {
	w := newWorld(t)
	id := w.mustID(w.do("POST", "/api/v1/pledges", w.accA, map[string]any{
		"unit_id": w.unitA.ID, "school_id": w.school, "amount": "1000", "pledged_on": "2025-05-01", "due_on": "2025-11-26",
	}))
	path := fmt.Sprintf("/api/v1/pledges/%d", id)
	status := func() string { return str(w.get(path, w.sec)["status"]) }
	listed := func(s string) bool {
		for _, it := range w.get("/api/v1/pledges?status="+s, w.sec)["items"].([]any) {
			if str(it.(map[string]any)["id"]) == str(id) {
				return true
			}
		}
		return false
	}
	step := func(want string) {
		t.Helper()
		if got := status(); got != want {
			t.Fatalf("status %s, want %s", got, want)
		}
		if !listed(want) {
			t.Fatalf("not listed under status=%s", want)
		}
	}
	step("pending")
	e1 := w.mustSubmit(w.accA, expenditure(id, "600"))
	step("in_progress")
	w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/withdraw", e1), w.accA, nil)
	step("pending")
	e2 := w.mustSubmit(w.accA, expenditure(id, "700"))
	w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", e2), w.tax, map[string]any{"decision": "reject", "reason": "فاکتور جعلی"})
	step("pending")
	e3 := w.withEvidence(w.mustSubmit(w.accA, expenditure(id, "800")))
	w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", e3), w.tax, map[string]any{"decision": "approve", "approved_amount": "500", "reason": "سقف"})
	step("in_progress")

	// Due today: not overdue until Tehran's midnight, 20:30 UTC.
	w.db.Now = func() time.Time { return time.Date(2025, 11, 26, 20, 29, 0, 0, time.UTC) }
	step("in_progress")
	w.db.Now = func() time.Time { return time.Date(2025, 11, 26, 20, 31, 0, 0, time.UTC) }
	step("overdue")
	if p := w.get(path, w.sec); p["remaining"] != "500" || p["approved_total"] != "500" || p["submitted_total"] != "800" {
		t.Fatalf("overdue pledge: %v", p)
	}
	e4 := w.withEvidence(w.mustSubmit(w.accA, expenditure(id, "500", "spent_on", "2025-11-27")))
	w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", e4), w.tax, map[string]any{"decision": "approve"})
	step("fulfilled")
	if p := w.get(path, w.sec); p["remaining"] != "0" {
		t.Fatalf("fulfilled pledge: %v", p)
	}
	if r := w.do("POST", path+"/cancel", w.sec, map[string]any{"reason": "x"}); r.status != 409 {
		t.Fatalf("cancel a fulfilled pledge: %d %s", r.status, r.body)
	}

	other := w.mustPledge(w.accA, w.unitA.ID, w.school, "1000", "2025-05-01")
	op := fmt.Sprintf("/api/v1/pledges/%d", other)
	pending := w.withEvidence(w.mustSubmit(w.accA, expenditure(other, "100")))
	if r := w.do("POST", op+"/cancel", w.sec, map[string]any{"reason": "  "}); r.status != 422 || r.fieldErrors()["reason"] != "required" {
		t.Fatalf("cancel without a reason: %d %s", r.status, r.body)
	}
	if r := w.do("POST", op+"/cancel", w.accA, map[string]any{"reason": "x"}); r.status != 403 {
		t.Fatalf("accountant cancels: %d", r.status)
	}
	canceller := w.nameUser(t, "admin1", "حسین موسوی")
	r := w.do("POST", op+"/cancel", w.admin, map[string]any{"reason": "واحد تعطیل شد"})
	if r.status != 200 || r.json()["status"] != "cancelled" || r.json()["cancel_reason"] != "واحد تعطیل شد" || r.json()["cancelled_at_jalali"] == nil {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	mustBeUser(t, "cancelled_by", r.json()["cancelled_by"], canceller, "حسین موسوی")
	if r := w.do("POST", op+"/cancel", w.admin, map[string]any{"reason": "again"}); r.status != 409 {
		t.Fatalf("cancel twice: %d", r.status)
	}
	// What was submitted before may still be reviewed.
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", pending), w.tax, map[string]any{"decision": "approve"}); r.status != 200 {
		t.Fatalf("review on a cancelled pledge: %d %s", r.status, r.body)
	}
	if p := w.get(op, w.accA); p["status"] != "cancelled" {
		t.Fatalf("status %v", p["status"])
	} else {
		mustBeUser(t, "cancelled_by read back", p["cancelled_by"], canceller, "حسین موسوی")
	}
}
