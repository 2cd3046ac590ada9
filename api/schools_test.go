package api

import (
	"bytes"
	"fmt"
	"testing"
)

func TestSchools(t *testing.T) {
	w := newWorld(t)
	t.Run("create", func(t *testing.T) {
		r := w.do("POST", "/api/v1/schools", w.admin, map[string]any{
			"name": " مرکز آموزشی فنی‌وحرفه‌ای تاکستان ", "kind": "educational_center", "county": "تاکستان", "address": "بلوار امام",
		})
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		m := r.json()
		if m["name"] != "مرکز آموزشی فنی‌وحرفه‌ای تاکستان" || m["status"] != "planned" || str(m["progress_percent"]) != "0" ||
			m["estimated_cost"] != nil || m["classrooms"] != nil || m["pledged_total"] != "0" || m["created_at_jalali"] != "1404/09/05 13:30:00" {
			t.Fatalf("created: %s", r.body)
		}
		if len(m["pledging_units"].([]any)) != 0 {
			t.Fatalf("pledging units of a new school: %s", r.body)
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for field, body := range map[string]map[string]any{
			"name":           {"kind": "school", "county": "قزوین"},
			"kind":           {"name": "x", "kind": "university", "county": "قزوین"},
			"county":         {"name": "x", "kind": "school"},
			"classrooms":     {"name": "x", "kind": "school", "county": "قزوین", "classrooms": 0},
			"estimated_cost": {"name": "x", "kind": "school", "county": "قزوین", "estimated_cost": "1,000"},
		} {
			r := w.do("POST", "/api/v1/schools", w.edu, body)
			if r.status != 422 || r.fieldErrors()[field] == "" {
				t.Errorf("%s: %d %s", field, r.status, r.body)
			}
		}
		if r := w.do("POST", "/api/v1/schools", w.edu, map[string]any{"name": "x", "kind": "school", "county": "قزوین", "classrooms": 2.5}); r.status != 422 || r.fieldErrors()["classrooms"] != "wrong_type" {
			t.Errorf("fractional classrooms: %d %s", r.status, r.body)
		}
		if r := w.do("POST", "/api/v1/schools", w.edu, map[string]any{"name": "x", "kind": "school", "county": "قزوین", "status": "completed"}); r.status != 400 {
			t.Errorf("status on create: %d %s", r.status, r.body)
		}
	})
	t.Run("roles", func(t *testing.T) {
		for _, token := range []string{w.accA, w.tax, w.sec, w.aud} {
			if r := w.do("POST", "/api/v1/schools", token, map[string]any{"name": "x", "kind": "school", "county": "قزوین"}); r.status != 403 {
				t.Errorf("%d", r.status)
			}
		}
	})
	t.Run("totals and pledging units", func(t *testing.T) {
		w.mustPledge(w.admin, w.unitA.ID, w.school, "1000", "2025-05-01")
		m := w.get(fmt.Sprintf("/api/v1/schools/%d", w.school), w.tax)
		units := m["pledging_units"].([]any)
		if m["pledged_total"] != "80000001000" || len(units) != 2 || str(units[0].(map[string]any)["pledged"]) != "50000001000" ||
			units[1].(map[string]any)["unit_name"] != w.unitB.Name {
			t.Fatalf("%v", m)
		}
		// An accountant's view counts only their own units.
		m = w.get(fmt.Sprintf("/api/v1/schools/%d", w.school), w.accB)
		if m["pledged_total"] != "30000000000" || len(m["pledging_units"].([]any)) != 1 {
			t.Fatalf("accountant's view: %v", m)
		}
	})
	t.Run("list and filters", func(t *testing.T) {
		w.mustID(w.do("POST", "/api/v1/schools", w.edu, map[string]any{"name": "دبیرستان آوج", "kind": "school", "county": "آوج"}))
		count := func(q string) int {
			return len(w.get("/api/v1/schools"+q, w.accA)["items"].([]any))
		}
		if n := count(""); n != 3 {
			t.Errorf("all: %d", n)
		}
		if n := count("?county=" + "%D8%A2%D9%88%D8%AC"); n != 1 {
			t.Errorf("county: %d", n)
		}
		if n := count("?kind=educational_center"); n != 1 {
			t.Errorf("kind: %d", n)
		}
		if n := count("?status=planned"); n != 3 {
			t.Errorf("status: %d", n)
		}
		if n := count("?status=completed"); n != 0 {
			t.Errorf("status completed: %d", n)
		}
		m := w.get("/api/v1/schools?limit=2", w.accA)
		if len(m["items"].([]any)) != 2 || m["next_cursor"] == nil {
			t.Errorf("first page: %v", m)
		}
		if r := w.do("GET", "/api/v1/schools?status=built", w.edu, nil); r.status != 422 {
			t.Errorf("bad status filter: %d", r.status)
		}
	})
	t.Run("patch", func(t *testing.T) {
		path := fmt.Sprintf("/api/v1/schools/%d", w.school)
		r := w.do("PATCH", path, w.edu, map[string]any{"status": "equipping", "classrooms": nil, "estimated_cost": "150000000000.5", "address": "خیابان ولیعصر"})
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		m := r.json()
		if m["status"] != "equipping" || m["classrooms"] != nil || m["estimated_cost"] != "150000000000.5" || m["address"] != "خیابان ولیعصر" {
			t.Fatalf("patched: %s", r.body)
		}
		for name, body := range map[string]map[string]any{
			"completed by hand": {"status": "completed"},
			"cleared name":      {"name": nil},
			"bad cost":          {"estimated_cost": "-5"},
		} {
			if r := w.do("PATCH", path, w.edu, body); r.status != 422 {
				t.Errorf("%s: %d %s", name, r.status, r.body)
			}
		}
		if r := w.do("PATCH", path, w.accA, map[string]any{"name": "x"}); r.status != 403 {
			t.Errorf("accountant patches: %d", r.status)
		}
		if r := w.do("PATCH", "/api/v1/schools/99999", w.edu, map[string]any{"name": "x"}); r.status != 404 {
			t.Errorf("unknown: %d", r.status)
		}
	})
}

func TestSchoolProgress(t *testing.T) {
	w := newWorld(t)
	path := fmt.Sprintf("/api/v1/schools/%d/progress", w.school)
	report := func(body map[string]any) response { return w.do("POST", path, w.edu, body) }
	school := func() map[string]any { return w.get(fmt.Sprintf("/api/v1/schools/%d", w.school), w.sec) }
	reporter := w.nameUser(t, "edu1", "زهرا کریمی")

	r := report(map[string]any{"milestone": "فونداسیون", "percent": 30, "reported_on": "2025-06-01"})
	if r.status != 201 || r.json()["school_status"] != "under_construction" || r.json()["reported_on_jalali"] != "1404/03/11" {
		t.Fatalf("first report: %d %s", r.status, r.body)
	}
	mustBeUser(t, "reported_by", r.json()["reported_by"], reporter, "زهرا کریمی")
	first := w.mustID(r)
	if s := school(); s["status"] != "under_construction" || str(s["progress_percent"]) != "30" {
		t.Fatalf("school after 30%%: %v", s)
	}
	refused := []struct {
		name   string
		body   map[string]any
		status int
		field  string
	}{
		{"down without a note", map[string]any{"milestone": "بازبینی", "percent": 20, "reported_on": "2025-06-10"}, 422, "note"},
		{"before the last report", map[string]any{"milestone": "اسکلت", "percent": 40, "reported_on": "2025-05-01"}, 422, "reported_on"},
		{"in the future", map[string]any{"milestone": "اسکلت", "percent": 40, "reported_on": "2025-11-27"}, 422, "reported_on"},
		{"over 100", map[string]any{"milestone": "اسکلت", "percent": 101, "reported_on": "2025-06-10"}, 422, "percent"},
		{"no percent", map[string]any{"milestone": "اسکلت", "reported_on": "2025-06-10"}, 422, "percent"},
		{"no milestone", map[string]any{"percent": 40, "reported_on": "2025-06-10"}, 422, "milestone"},
		{"no such day", map[string]any{"milestone": "اسکلت", "percent": 40, "reported_on_jalali": "1404/12/30"}, 422, "reported_on_jalali"},
		{"hand-over before completion", map[string]any{"kind": "handover", "milestone": "تحویل", "reported_on": "2025-06-10"}, 409, ""},
		{"bad kind", map[string]any{"kind": "party", "milestone": "x", "percent": 40, "reported_on": "2025-06-10"}, 422, "kind"},
	}
	for _, tc := range refused {
		r := report(tc.body)
		if r.status != tc.status || (tc.field != "" && r.fieldErrors()[tc.field] == "") {
			t.Errorf("%s: %d %s", tc.name, r.status, r.body)
		}
	}
	if r := report(map[string]any{"kind": "inspection", "milestone": "بازرسی", "percent": 25, "reported_on_jalali": "1404/03/20", "note": "ترک در دیوار، تخریب و بازسازی"}); r.status != 201 {
		t.Fatalf("down with a note: %d %s", r.status, r.body)
	}
	if r := w.do("POST", path, w.admin, map[string]any{"milestone": "x", "percent": 50, "reported_on": "2025-07-01"}); r.status != 403 {
		t.Fatalf("admin reports: %d", r.status)
	}
	r = report(map[string]any{"milestone": "پایان ساخت", "percent": 100, "reported_on": "2025-09-01"})
	if r.status != 201 || r.json()["school_status"] != "completed" {
		t.Fatalf("100%%: %d %s", r.status, r.body)
	}
	if r := w.do("PATCH", fmt.Sprintf("/api/v1/schools/%d", w.school), w.edu, map[string]any{"status": "equipping"}); r.status != 409 {
		t.Fatalf("status by hand after completion: %d %s", r.status, r.body)
	}
	if r := report(map[string]any{"kind": "handover", "milestone": "تحویل به آموزش و پرورش", "percent": 90, "reported_on": "2025-09-10"}); r.status != 422 {
		t.Fatalf("hand-over below 100: %d %s", r.status, r.body)
	}
	r = report(map[string]any{"kind": "handover", "milestone": "تحویل به آموزش و پرورش", "reported_on": "2025-09-10"})
	if r.status != 201 || r.json()["school_status"] != "handed_over" || str(r.json()["percent"]) != "100" {
		t.Fatalf("hand-over: %d %s", r.status, r.body)
	}
	if r := report(map[string]any{"milestone": "x", "percent": 100, "reported_on": "2025-09-11"}); r.status != 409 {
		t.Fatalf("report after hand-over: %d %s", r.status, r.body)
	}
	if r := w.do("POST", "/api/v1/pledges", w.admin, map[string]any{"unit_id": w.unitA.ID, "school_id": w.school, "amount": "1", "pledged_on": "2025-10-01"}); r.status != 409 {
		t.Fatalf("pledge to a handed-over school: %d %s", r.status, r.body)
	}

	t.Run("timeline", func(t *testing.T) {
		items := w.get(path, w.accB)["items"].([]any)
		if len(items) != 4 {
			t.Fatalf("%d reports", len(items))
		}
		var kinds, percents []string
		for _, it := range items {
			m := it.(map[string]any)
			kinds = append(kinds, str(m["kind"]))
			percents = append(percents, str(m["percent"]))
		}
		if fmt.Sprint(kinds) != "[progress inspection progress handover]" || fmt.Sprint(percents) != "[30 25 100 100]" {
			t.Fatalf("timeline %v %v", kinds, percents)
		}
		if s := school(); s["status"] != "handed_over" || str(s["progress_percent"]) != "100" {
			t.Fatalf("school: %v", s)
		}
	})
	t.Run("photo", func(t *testing.T) {
		docs := fmt.Sprintf("%s/%d/documents", path, first)
		r := w.upload(docs, w.edu, "file", "foundation.png", tinyPNG)
		if r.status != 201 || r.json()["content_type"] != "image/png" || str(r.json()["progress_id"]) != str(first) {
			t.Fatalf("upload: %d %s", r.status, r.body)
		}
		mustBeUser(t, "uploaded_by", r.json()["uploaded_by"], reporter, "زهرا کریمی")
		doc := w.mustID(r)
		if r := w.upload(docs, w.edu, "file", "again.png", tinyPNG); r.status != 200 || str(r.json()["id"]) != str(doc) {
			t.Fatalf("same photo twice: %d %s", r.status, r.body)
		}
		if r := w.upload(docs, w.edu, "file", "notes.txt", []byte("not a photo")); r.status != 415 {
			t.Fatalf("text: %d %s", r.status, r.body)
		}
		if r := w.upload(docs, w.accA, "file", "p.png", tinyPNG); r.status != 403 {
			t.Fatalf("accountant uploads: %d", r.status)
		}
		if r := w.upload(fmt.Sprintf("%s/%d/documents", path, 9999), w.edu, "file", "p.png", tinyPNG); r.status != 404 {
			t.Fatalf("unknown report: %d", r.status)
		}
		dl := w.do("GET", fmt.Sprintf("%s/%d", docs, doc), w.sec, nil)
		if dl.status != 200 || dl.header.Get("Content-Type") != "image/png" || !bytes.Equal(dl.body, tinyPNG) {
			t.Fatalf("download: %d %v", dl.status, dl.header)
		}
		items := w.get(path, w.edu)["items"].([]any)
		if docs := items[0].(map[string]any)["documents"].([]any); len(docs) != 1 {
			t.Fatalf("timeline documents: %v", docs)
		} else {
			mustBeUser(t, "uploaded_by on the timeline", docs[0].(map[string]any)["uploaded_by"], reporter, "زهرا کریمی")
		}
		mustBeUser(t, "reported_by on the timeline", items[0].(map[string]any)["reported_by"], reporter, "زهرا کریمی")
	})
}
