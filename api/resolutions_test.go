package api

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/taahod/taahod"
)

func TestResolutions(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	secID := e.nameUser(t, "sec", "فاطمه صادقی")
	unit := e.mustCreateUnit("فولاد البرز", "1010234567")
	sessionDay := jalali(t, 1404, 3, 1)
	session := e.must(t, "POST", "/api/v1/sessions", sec, map[string]any{"kind": "formal", "held_on": sessionDay.String()}, 201)
	sid := num(t, session["id"])

	r := e.must(t, "POST", "/api/v1/resolutions", sec, map[string]any{
		"session_id": sid, "unit_id": unit.ID, "text": "تمدید مهلت بازپرداخت تسهیلات", "category": "banking",
		"agencies": []string{"بانك ملي", "اداره كل امور مالياتي"}, "deadline_jalali": "1404/04/01",
	}, 201)
	if r["status"] != "notified" || r["adopted_on"] != sessionDay.String() || r["adopted_on_jalali"] != "1404/03/01" ||
		r["deadline"] != jalali(t, 1404, 4, 1).String() || r["deadline_jalali"] != "1404/04/01" || r["unit_name"] != "فولاد البرز" ||
		r["session_kind"] != "formal" || num(t, r["fiscal_year"]) != 1404 || r["status_on"] != sessionDay.String() {
		t.Fatalf("created resolution: %v", r)
	}
	if a := r["agencies"].([]any); len(a) != 2 || !slices.Contains(a, any("بانک ملی")) {
		t.Fatalf("agencies: %v", a)
	}
	if h := r["history"].([]any); len(h) != 1 || h[0].(map[string]any)["status"] != "notified" || h[0].(map[string]any)["by"] != "sec" {
		t.Fatalf("history of a new resolution: %v", h)
	} else {
		mustBeUser(t, "recorded_by of the notification", h[0].(map[string]any)["recorded_by"], secID, "فاطمه صادقی")
	}
	mustBeUser(t, "created_by", r["created_by"], secID, "فاطمه صادقی")
	rid := num(t, r["id"])

	t.Run("agency names are one whatever the keyboard", func(t *testing.T) {
		e.must(t, "POST", "/api/v1/resolutions", sec, map[string]any{
			"session_id": sid, "text": "مصوبه عمومی", "category": "tax", "agencies": []string{"  اداره کل   امور مالیاتی"},
		}, 201)
		list := e.must(t, "GET", "/api/v1/agencies?q="+url.QueryEscape("امور مالياتي"), sec, nil, 200)["items"].([]any)
		if len(list) != 1 || list[0].(map[string]any)["name"] != "اداره کل امور مالیاتی" || num(t, list[0].(map[string]any)["resolutions"]) != 2 {
			t.Fatalf("agencies: %v", list)
		}
		if n := e.count("agencies"); n != 2 {
			t.Fatalf("%d agencies in the catalogue, want 2", n)
		}
	})

	t.Run("outside a session", func(t *testing.T) {
		x := e.must(t, "POST", "/api/v1/resolutions", sec, map[string]any{
			"text": "مصوبه ستاد", "category": "permits", "agencies": []string{"سازمان صمت"}, "adopted_on_jalali": "1404/05/20",
		}, 201)
		if x["session_id"] != nil || x["adopted_on_jalali"] != "1404/05/20" || x["unit_id"] != nil {
			t.Fatalf("%v", x)
		}
		y := e.must(t, "POST", "/api/v1/resolutions", sec, map[string]any{"text": "امروز", "category": "other", "agencies": []string{"سازمان صمت"}}, 201)
		if y["adopted_on"] != taahod.Today(time.Now()).String() {
			t.Fatalf("adopted_on defaults to today: %v", y["adopted_on"])
		}
	})

	t.Run("invalid", func(t *testing.T) {
		base := func(extra map[string]any) map[string]any {
			m := map[string]any{"session_id": sid, "text": "x", "category": "gas", "agencies": []string{"شرکت گاز"}}
			for k, v := range extra {
				if v == nil {
					delete(m, k)
				} else {
					m[k] = v
				}
			}
			return m
		}
		cases := []struct {
			name, field, code string
			body              map[string]any
		}{
			{"unknown session", "session_id", "not_found", base(map[string]any{"session_id": 99999})},
			{"unknown unit", "unit_id", "not_found", base(map[string]any{"unit_id": 99999})},
			{"no agencies", "agencies", "required", base(map[string]any{"agencies": []string{}})},
			{"blank agency", "agencies[0]", "required", base(map[string]any{"agencies": []string{"  "}})},
			{"no text", "text", "required", base(map[string]any{"text": " "})},
			{"unknown category", "category", "invalid_choice", base(map[string]any{"category": "roads"})},
			{"deadline before the session", "deadline", "before_adoption", base(map[string]any{"deadline_jalali": "1404/02/31"})},
			{"adopted on another day than its session", "adopted_on", "session_date_mismatch", base(map[string]any{"adopted_on_jalali": "1404/03/02"})},
			{"adopted in the future", "adopted_on", "future_date", base(map[string]any{"session_id": nil, "adopted_on": taahod.Today(time.Now()).AddDays(3).String()})},
		}
		before := e.count("resolutions")
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.do("POST", "/api/v1/resolutions", sec, c.body)
				if r.status != 422 || r.fieldErrors()[c.field] != c.code {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})
		}
		if e.count("resolutions") != before {
			t.Fatal("an invalid resolution was written")
		}
	})

	status := func(t *testing.T, id int64, body map[string]any, want int) map[string]any {
		t.Helper()
		return e.must(t, "POST", fmt.Sprintf("/api/v1/resolutions/%d/status", id), sec, body, want)
	}
	history := func(r map[string]any) []string {
		var out []string
		for _, h := range r["history"].([]any) {
			m := h.(map[string]any)
			out = append(out, m["status"].(string)+"@"+m["on_jalali"].(string))
		}
		return out
	}

	t.Run("status history: the latest counts", func(t *testing.T) {
		x := status(t, rid, map[string]any{"status": "implemented", "on_jalali": "1404/03/20", "note": "تسهیلات تمدید شد"}, 201)
		if x["status"] != "implemented" || x["status_on_jalali"] != "1404/03/20" {
			t.Fatalf("after implemented: %v", x)
		}
		// Reopened: an implemented resolution followed up again is in follow-up.
		x = status(t, rid, map[string]any{"status": "in_follow_up", "on_jalali": "1404/04/10", "note": "بانک عمل نکرد"}, 201)
		if x["status"] != "in_follow_up" {
			t.Fatalf("reopened: %v", x["status"])
		}
		// An entry dated before the latest is kept but does not become current.
		x = status(t, rid, map[string]any{"status": "cancelled", "on_jalali": "1404/03/25"}, 201)
		if x["status"] != "in_follow_up" {
			t.Fatalf("a back-dated entry became current: %v", x["status"])
		}
		want := []string{"notified@1404/03/01", "implemented@1404/03/20", "cancelled@1404/03/25", "in_follow_up@1404/04/10"}
		if got := history(x); !slices.Equal(got, want) {
			t.Fatalf("history %v, want %v", got, want)
		}
		// Same day: the later entry wins.
		status(t, rid, map[string]any{"status": "in_follow_up", "on_jalali": "1404/04/11"}, 201)
		x = status(t, rid, map[string]any{"status": "not_implemented", "on_jalali": "1404/04/11"}, 201)
		if x["status"] != "not_implemented" {
			t.Fatalf("same-day entries: %v", x["status"])
		}
		// Today by default.
		x = status(t, rid, map[string]any{"status": "implemented"}, 201)
		if x["status"] != "implemented" || x["status_on"] != taahod.Today(time.Now()).String() {
			t.Fatalf("default date: %v %v", x["status"], x["status_on"])
		}
		got := e.must(t, "GET", idPath("/api/v1/resolutions", rid), sec, nil, 200)
		if len(got["history"].([]any)) != 7 || got["status"] != "implemented" {
			t.Fatalf("GET: %v", got)
		}
		for i, h := range got["history"].([]any) {
			if h := h.(map[string]any); h["by"] != "sec" {
				t.Fatalf("history[%d] by %v", i, h["by"])
			} else {
				mustBeUser(t, fmt.Sprintf("history[%d] recorded_by", i), h["recorded_by"], secID, "فاطمه صادقی")
			}
		}
		f := e.must(t, "GET", "/api/v1/reports/registry?year=1404", sec, nil, 200)["resolutions"].(map[string]any)
		if num(t, f["implemented"]) != 1 || num(t, f["cancelled"]) != 0 {
			t.Fatalf("figures follow the latest status: %v", f)
		}
		if n := len(e.auditActions(t, "resolution", rid)); n != 7 {
			t.Fatalf("%d audit entries for 1 create and 6 changes", n)
		}
	})

	t.Run("status changes refused", func(t *testing.T) {
		for name, c := range map[string]struct {
			body        map[string]any
			field, code string
		}{
			"notified cannot be set": {map[string]any{"status": "notified"}, "status", "invalid_choice"},
			"unknown status":         {map[string]any{"status": "done"}, "status", "invalid_choice"},
			"in the future":          {map[string]any{"status": "implemented", "on": taahod.Today(time.Now()).AddDays(1).String()}, "on", "future_date"},
			"before the resolution":  {map[string]any{"status": "implemented", "on_jalali": "1404/02/31"}, "on", "before_adoption"},
			"bad date":               {map[string]any{"status": "implemented", "on_jalali": "1404/13/01"}, "on_jalali", "invalid_jalali_date"},
		} {
			t.Run(name, func(t *testing.T) {
				r := e.do("POST", fmt.Sprintf("/api/v1/resolutions/%d/status", rid), sec, c.body)
				if r.status != 422 || r.fieldErrors()[c.field] != c.code {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})
		}
		if r := e.do("POST", "/api/v1/resolutions/99999/status", sec, map[string]any{"status": "implemented"}); r.status != 404 {
			t.Fatalf("unknown resolution: %d", r.status)
		}
	})

	t.Run("a session's date carries its resolutions", func(t *testing.T) {
		s2 := e.must(t, "POST", "/api/v1/sessions", sec, map[string]any{"kind": "formal", "held_on_jalali": "1404/06/01"}, 201)
		x := e.must(t, "POST", "/api/v1/resolutions", sec, map[string]any{"session_id": s2["id"], "text": "آب", "category": "water", "agencies": []string{"آب منطقه‌ای"}}, 201)
		status(t, num(t, x["id"]), map[string]any{"status": "implemented", "on_jalali": "1404/06/10"}, 201)
		if r := e.do("PATCH", idPath("/api/v1/sessions", s2["id"]), sec, map[string]any{"held_on_jalali": "1404/06/15"}); r.status != 409 || r.fieldErrors()["held_on"] != "after_resolution_dates" {
			t.Fatalf("moving the session after a status change: %d %s", r.status, r.body)
		}
		e.must(t, "PATCH", idPath("/api/v1/sessions", s2["id"]), sec, map[string]any{"held_on_jalali": "1403/12/25", "kind": "field", "county": "آبیک"}, 200)
		got := e.must(t, "GET", idPath("/api/v1/resolutions", x["id"]), sec, nil, 200)
		if got["adopted_on_jalali"] != "1403/12/25" || num(t, got["fiscal_year"]) != 1403 || got["session_kind"] != "field" {
			t.Fatalf("resolution after its session moved: %v", got)
		}
	})

	t.Run("lists and the overdue list", func(t *testing.T) {
		mk := func(deadline string, agencies []string, st string) int64 {
			x := e.must(t, "POST", "/api/v1/resolutions", sec, map[string]any{"session_id": sid, "unit_id": unit.ID, "text": "پیگیری " + deadline,
				"category": "electricity", "agencies": agencies, "deadline_jalali": deadline}, 201)
			id := num(t, x["id"])
			if st != "" {
				status(t, id, map[string]any{"status": st, "on_jalali": "1404/03/05"}, 201)
			}
			return id
		}
		late := mk("1404/03/10", []string{"شرکت توزیع برق", "استانداری"}, "in_follow_up")
		lateNotified := mk("1404/03/11", []string{"شرکت توزیع برق"}, "")
		mk("1404/03/10", []string{"شرکت توزیع برق"}, "implemented")
		mk("1404/03/10", []string{"شرکت توزیع برق"}, "cancelled")
		today := taahod.Today(time.Now())
		x := e.must(t, "POST", "/api/v1/resolutions", sec, map[string]any{"text": "مهلت امروز", "category": "electricity",
			"agencies": []string{"شرکت توزیع برق"}, "deadline": today.String()}, 201)
		if x["overdue"] != false {
			t.Fatal("a resolution due today is overdue")
		}

		od := e.must(t, "GET", "/api/v1/resolutions/overdue?year=1404", sec, nil, 200)
		groups := map[string][]int64{}
		for _, g := range od["agencies"].([]any) {
			m := g.(map[string]any)
			for _, r := range m["resolutions"].([]any) {
				groups[m["agency"].(string)] = append(groups[m["agency"].(string)], num(t, r.(map[string]any)["id"]))
			}
			if int(num(t, m["count"])) != len(m["resolutions"].([]any)) {
				t.Fatalf("count of %v", m["agency"])
			}
		}
		if !slices.Equal(groups["شرکت توزیع برق"], []int64{late, lateNotified}) || !slices.Equal(groups["استانداری"], []int64{late}) {
			t.Fatalf("overdue by agency: %v", groups)
		}
		if od["as_of"] != today.String() || num(t, od["resolutions"]) < 2 {
			t.Fatalf("overdue list: %v", od)
		}

		ids := func(q string) []int64 {
			var out []int64
			for _, it := range e.must(t, "GET", "/api/v1/resolutions?"+q, sec, nil, 200)["items"].([]any) {
				out = append(out, num(t, it.(map[string]any)["id"]))
			}
			return out
		}
		if got := ids("overdue=true&category=electricity"); !slices.Equal(got, []int64{late, lateNotified}) {
			t.Fatalf("overdue=true: %v", got)
		}
		if got := ids("agency=" + url.QueryEscape("استانداري")); !slices.Equal(got, []int64{late}) {
			t.Fatalf("by agency name: %v", got)
		}
		if got := ids("agency=" + url.QueryEscape("دستگاهی که نیست")); len(got) != 0 {
			t.Fatalf("unknown agency: %v", got)
		}
		if got := ids(fmt.Sprintf("unit_id=%d&status=notified", unit.ID)); !slices.Equal(got, []int64{lateNotified}) {
			t.Fatalf("by unit and status: %v", got)
		}
		if got := ids(fmt.Sprintf("session_id=%d&category=banking", sid)); !slices.Equal(got, []int64{rid}) {
			t.Fatalf("by session and category: %v", got)
		}
		for _, q := range []string{"status=done", "overdue=maybe", "unit_id=x", "category=roads", "year=20"} {
			if r := e.do("GET", "/api/v1/resolutions?"+q, sec, nil); r.status != 422 {
				t.Errorf("%s: %d", q, r.status)
			}
		}
	})
}
