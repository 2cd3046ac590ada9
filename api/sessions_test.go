package api

import (
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/taahod/taahod"
)

func TestSessions(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	d := jalali(t, 1404, 2, 10)

	s := e.must(t, "POST", "/api/v1/sessions", sec, map[string]any{
		"kind": "formal", "held_on_jalali": "1404/02/10", "title": " جلسه ۱۲ کارگروه ", "chair": "استاندار",
		"attendees": []string{"اداره كل امور مالياتي", " اداره کل  امور مالیاتی ", "شرکت گاز استان قزوین"},
		"minutes":   "متن صورت‌جلسه",
	}, 201)
	if s["held_on"] != d.String() || s["held_on_jalali"] != "1404/02/10" || num(t, s["fiscal_year"]) != 1404 ||
		s["title"] != "جلسه ۱۲ کارگروه" || s["county"] != nil || num(t, s["resolutions"]) != 0 {
		t.Fatalf("created session: %v", s)
	}
	attendees := s["attendees"].([]any)
	if len(attendees) != 2 || !slices.Contains(attendees, any("اداره کل امور مالیاتی")) {
		t.Fatalf("attendees not normalised to one agency each: %v", attendees)
	}
	id := s["id"]

	t.Run("invalid", func(t *testing.T) {
		tomorrow := taahod.Today(time.Now()).AddDays(2).String()
		cases := []struct {
			name  string
			body  map[string]any
			field string
			code  string
		}{
			{"unknown kind", map[string]any{"kind": "annual", "held_on": d.String()}, "kind", "invalid_choice"},
			{"no date", map[string]any{"kind": "formal"}, "held_on", "required"},
			{"dates disagree", map[string]any{"kind": "formal", "held_on": d.String(), "held_on_jalali": "1404/02/11"}, "held_on", "date_mismatch"},
			{"Esfand 30 of a common year", map[string]any{"kind": "formal", "held_on_jalali": "1404/12/30"}, "held_on_jalali", "invalid_jalali_date"},
			{"Gregorian date given as Jalali", map[string]any{"kind": "formal", "held_on_jalali": "2025/05/01"}, "held_on_jalali", "invalid_jalali_date"},
			{"bad ISO date", map[string]any{"kind": "formal", "held_on": "1404-02-10"}, "held_on", "invalid_date"},
			{"in the future", map[string]any{"kind": "formal", "held_on": tomorrow}, "held_on", "future_date"},
			{"date as a number", map[string]any{"kind": "formal", "held_on": 20250501}, "held_on", "wrong_type"},
		}
		before := e.count("sessions")
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := e.do("POST", "/api/v1/sessions", sec, c.body)
				if r.status != 422 || r.fieldErrors()[c.field] != c.code {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})
		}
		if e.count("sessions") != before {
			t.Fatal("an invalid session was written")
		}
		if r := e.do("POST", "/api/v1/sessions", sec, map[string]any{"kind": "formal", "held_on": d.String(), "place": "x"}); r.status != 400 {
			t.Fatalf("unknown field: %d", r.status)
		}
	})

	t.Run("leap day and field session", func(t *testing.T) {
		f := e.must(t, "POST", "/api/v1/sessions", sec, map[string]any{"kind": "field", "held_on_jalali": "1403/12/30", "county": "تاكستان"}, 201)
		if f["held_on"] != jalali(t, 1403, 12, 30).String() || f["county"] != "تاکستان" || num(t, f["fiscal_year"]) != 1403 {
			t.Fatalf("field session: %v", f)
		}
		e.must(t, "POST", "/api/v1/sessions", sec, map[string]any{"kind": "site_visit", "held_on": d.AddDays(1).String(), "held_on_jalali": "1404/02/11"}, 201)
	})

	t.Run("get and list", func(t *testing.T) {
		got := e.must(t, "GET", idPath("/api/v1/sessions", id), sec, nil, 200)
		if got["minutes"] != "متن صورت‌جلسه" {
			t.Fatalf("get: %v", got)
		}
		if r := e.do("GET", "/api/v1/sessions/999999", sec, nil); r.status != 404 {
			t.Fatalf("unknown session: %d", r.status)
		}
		list := e.must(t, "GET", "/api/v1/sessions?year=1404", sec, nil, 200)["items"].([]any)
		if len(list) != 2 {
			t.Fatalf("1404 has 2 sessions, listed %d", len(list))
		}
		list = e.must(t, "GET", "/api/v1/sessions?kind=field&county="+url.QueryEscape("تاکستان"), sec, nil, 200)["items"].([]any)
		if len(list) != 1 {
			t.Fatalf("field sessions in Takestan: %d", len(list))
		}
		for _, q := range []string{"year=abc", "year=99999", "kind=x", "limit=0"} {
			if r := e.do("GET", "/api/v1/sessions?"+q, sec, nil); r.status != 422 {
				t.Errorf("%s: %d", q, r.status)
			}
		}
	})

	t.Run("patch", func(t *testing.T) {
		p := e.must(t, "PATCH", idPath("/api/v1/sessions", id), sec, map[string]any{"title": nil, "attendees": nil, "chair": "معاون اقتصادی استاندار"}, 200)
		if p["title"] != nil || len(p["attendees"].([]any)) != 0 || p["chair"] != "معاون اقتصادی استاندار" || p["minutes"] == nil {
			t.Fatalf("patched: %v", p)
		}
		// The contract makes the county optional, even for a field session.
		if r := e.do("POST", "/api/v1/sessions", sec, map[string]any{"kind": "field", "held_on": d.String()}); r.status != 201 {
			t.Fatalf("field session without county: %d %s", r.status, r.body)
		}
		if r := e.do("PATCH", idPath("/api/v1/sessions", id), sec, map[string]any{"held_on": nil}); r.status != 422 {
			t.Fatalf("held_on cleared: %d", r.status)
		}
		p = e.must(t, "PATCH", idPath("/api/v1/sessions", id), sec, map[string]any{"kind": "field", "county": "آوج", "held_on_jalali": "1404/02/12"}, 200)
		if p["kind"] != "field" || p["held_on_jalali"] != "1404/02/12" {
			t.Fatalf("patched kind and date: %v", p)
		}
		if got := e.auditActions(t, "session", id); !slices.Equal(got, []string{"session.create", "session.update", "session.update"}) {
			t.Fatalf("audit: %v", got)
		}
	})

	t.Run("only the secretariat and admin write", func(t *testing.T) {
		unit := e.mustCreateUnit("واحد", "1010101010")
		for _, role := range []taahod.Role{taahod.RoleAccountant, taahod.RoleTaxOfficer, taahod.RoleEducationOfficer, taahod.RoleAuditor} {
			var units []int64
			if role == taahod.RoleAccountant {
				units = []int64{unit.ID}
			}
			tok := e.userToken("u-"+string(role), role, units...)
			if r := e.do("POST", "/api/v1/sessions", tok, map[string]any{"kind": "formal", "held_on": d.String()}); r.status != 403 {
				t.Errorf("%s POST: %d", role, r.status)
			}
			if r := e.do("PATCH", idPath("/api/v1/sessions", id), tok, map[string]any{"title": "x"}); r.status != 403 {
				t.Errorf("%s PATCH: %d", role, r.status)
			}
			if r := e.do("GET", idPath("/api/v1/sessions", id), tok, nil); r.status != 200 {
				t.Errorf("%s GET: %d", role, r.status)
			}
		}
		admin := e.userToken("adm", taahod.RoleAdmin)
		e.must(t, "POST", "/api/v1/sessions", admin, map[string]any{"kind": "formal", "held_on": d.String()}, 201)
	})
}
