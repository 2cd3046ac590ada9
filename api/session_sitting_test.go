package api

import (
	"testing"

	"github.com/taahod/taahod"
)

// TestSessionWithResolutions: POST /sessions with resolutions records the
// session and them in one transaction, or nothing, naming a row's fault
// resolutions[i].field.
func TestSessionWithResolutions(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	row := func(text, deadline string) map[string]any {
		return map[string]any{"text": text, "category": "gas", "agencies": []string{"شرکت گاز استان"}, "deadline_jalali": deadline}
	}
	sessions, resolutions := e.count("sessions"), e.count("resolutions")
	r := e.do("POST", "/api/v1/sessions", sec, map[string]any{"kind": "field", "held_on_jalali": "1404/06/01", "county": "تاکستان",
		"resolutions": []any{row("وصل گاز", "1404/09/01"), row("", "1404/05/01")}})
	if f := r.fieldErrors(); r.status != 422 || f["resolutions[1].text"] != "required" || f["resolutions[1].deadline"] != "before_adoption" {
		t.Fatalf("bad row: %d %s", r.status, r.body)
	}
	if e.count("sessions") != sessions || e.count("resolutions") != resolutions {
		t.Fatal("a refused sitting was written")
	}
	s := e.must(t, "POST", "/api/v1/sessions", sec, map[string]any{"kind": "field", "held_on_jalali": "1404/06/01", "county": "تاکستان",
		"resolutions": []any{row("وصل گاز", "1404/09/01"), row("تأمین فشار گاز", "")}}, 201)
	if num(t, s["resolutions"]) != 2 || e.count("sessions") != sessions+1 || e.count("resolutions") != resolutions+2 {
		t.Fatalf("sitting: %v", s)
	}
	// Without resolutions the endpoint is as it was; an empty list records
	// the session alone.
	s = e.must(t, "POST", "/api/v1/sessions", sec, map[string]any{"kind": "formal", "held_on_jalali": "1404/06/02", "resolutions": []any{}}, 201)
	if num(t, s["resolutions"]) != 0 {
		t.Fatalf("empty sitting: %v", s)
	}
}
