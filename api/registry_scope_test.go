package api

import (
	"fmt"
	"strings"
	"testing"

	"github.com/taahod/taahod"
)

// TestRegistryScope: only the secretariat and admin change the registry;
// every signed-in role reads it; a confidential record's unit is shown to
// an accountant only for their own units, and never to the public.
func TestRegistryScope(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	own := e.mustCreateUnit("واحد خودی", "1010234567")
	other := e.mustCreateUnit("واحد دیگری", "1010345678")
	session := e.must(t, "POST", "/api/v1/sessions", sec, map[string]any{"kind": "formal", "held_on_jalali": "1404/02/01"}, 201)
	mk := func(unit int64) int64 {
		r := e.must(t, "POST", "/api/v1/resolutions", sec, map[string]any{"session_id": session["id"], "unit_id": unit, "text": "محرمانه",
			"category": "tax", "agencies": []string{"مالیات"}, "confidential": true, "deadline_jalali": "1404/02/10"}, 201)
		return num(t, r["id"])
	}
	third := e.mustCreateUnit("واحد سوم", "1010567890")
	// target is the resolution whose status the writes below change.
	ownRes, otherRes, target := mk(own.ID), mk(other.ID), mk(third.ID)
	otherCase := num(t, e.must(t, "POST", "/api/v1/cases", sec, map[string]any{"unit_id": other.ID, "channel": "phone_inquiry",
		"subject": "s", "opened_on_jalali": "1404/02/01", "confidential": true}, 201)["id"])
	stagnant := e.mustCreateUnit("واحد راکد", "1010456789")
	e.must(t, "PATCH", idPath("/api/v1/units", stagnant.ID), sec, map[string]any{"status": "stagnant"}, 200)

	writes := []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/v1/sessions", map[string]any{"kind": "formal", "held_on_jalali": "1404/02/01"}},
		{"PATCH", idPath("/api/v1/sessions", session["id"]), map[string]any{"title": "x"}},
		{"POST", "/api/v1/resolutions", map[string]any{"text": "x", "category": "tax", "agencies": []string{"x"}}},
		{"POST", fmt.Sprintf("/api/v1/resolutions/%d/status", target), map[string]any{"status": "implemented"}},
		{"POST", "/api/v1/resolutions/import", "text,category,agencies\nx,tax,y\n"},
		{"POST", "/api/v1/cases", map[string]any{"unit_id": own.ID, "channel": "phone_inquiry", "subject": "x", "opened_on_jalali": "1404/02/01"}},
		{"PATCH", idPath("/api/v1/cases", otherCase), map[string]any{"subject": "x"}},
		{"POST", "/api/v1/cases/import", "unit_national_id,channel,subject,opened_on\n" + own.NationalID + ",phone_inquiry,x,1404/02/01\n"},
		{"POST", fmt.Sprintf("/api/v1/units/%d/revival", stagnant.ID), map[string]any{"revived_on_jalali": "1404/02/01"}},
	}
	reads := []string{
		"/api/v1/sessions", idPath("/api/v1/sessions", session["id"]), "/api/v1/resolutions", idPath("/api/v1/resolutions", ownRes),
		"/api/v1/resolutions/overdue", "/api/v1/agencies", "/api/v1/cases", idPath("/api/v1/cases", otherCase), "/api/v1/revivals",
		"/api/v1/reports/registry?year=1404", "/api/v1/reports/registry/rows?year=1404&figure=resolutions.total",
	}
	tokens := map[taahod.Role]string{}
	for _, role := range []taahod.Role{taahod.RoleAccountant, taahod.RoleTaxOfficer, taahod.RoleEducationOfficer, taahod.RoleAuditor} {
		var units []int64
		if role == taahod.RoleAccountant {
			units = []int64{own.ID}
		}
		tokens[role] = e.userToken("u-"+string(role), role, units...)
	}
	for role, tok := range tokens {
		t.Run(string(role), func(t *testing.T) {
			for _, w := range writes {
				if r := e.do(w.method, w.path, tok, w.body, "Content-Type", contentTypeOf(w.body)); r.status != 403 || r.problemCode() != taahod.EFORBIDDEN {
					t.Errorf("%s %s: %d", w.method, w.path, r.status)
				}
			}
			for _, path := range reads {
				if r := e.do("GET", path, tok, nil); r.status != 200 {
					t.Errorf("GET %s: %d %s", path, r.status, r.body)
				}
			}
		})
	}
	t.Run("no token", func(t *testing.T) {
		for _, path := range reads {
			if r := e.do("GET", path, "", nil); r.status != 401 {
				t.Errorf("GET %s: %d", path, r.status)
			}
		}
		for _, path := range []string{"/api/v1/public/registry?year=1404", "/api/v1/public/registry/rows?year=1404&figure=units_examined"} {
			if r := e.do("GET", path, "", nil); r.status != 200 {
				t.Errorf("GET %s: %d", path, r.status)
			}
		}
	})
	t.Run("the secretariat and admin write", func(t *testing.T) {
		admin := e.userToken("adm", taahod.RoleAdmin)
		for i, w := range writes {
			tok := sec
			if i%2 == 1 {
				tok = admin
			}
			if r := e.do(w.method, w.path, tok, w.body, "Content-Type", contentTypeOf(w.body)); r.status >= 300 {
				t.Errorf("%s %s: %d %s", w.method, w.path, r.status, r.body)
			}
		}
	})

	t.Run("confidential units", func(t *testing.T) {
		acc := tokens[taahod.RoleAccountant]
		unitOf := func(tok string, id int64) any {
			return e.must(t, "GET", idPath("/api/v1/resolutions", id), tok, nil, 200)["unit_name"]
		}
		if unitOf(acc, ownRes) != "واحد خودی" || unitOf(acc, otherRes) != nil || unitOf(tokens[taahod.RoleAuditor], otherRes) != "واحد دیگری" {
			t.Fatal("an accountant's view of confidential resolutions")
		}
		if c := e.must(t, "GET", idPath("/api/v1/cases", otherCase), acc, nil, 200); c["unit_id"] != nil || c["unit_withheld"] != true {
			t.Fatalf("another unit's confidential case: %v", c)
		}
		// Filtering by the unit would reveal it.
		if items := e.must(t, "GET", fmt.Sprintf("/api/v1/resolutions?unit_id=%d", other.ID), acc, nil, 200)["items"].([]any); len(items) != 0 {
			t.Fatalf("found by unit: %v", items)
		}
		if items := e.must(t, "GET", fmt.Sprintf("/api/v1/cases?unit_id=%d", other.ID), acc, nil, 200)["items"].([]any); len(items) != 0 {
			t.Fatalf("found by unit: %v", items)
		}
		od := e.do("GET", "/api/v1/resolutions/overdue", acc, nil)
		if od.status != 200 || containsText(od.body, "واحد دیگری") || !containsText(od.body, "واحد خودی") {
			t.Fatalf("overdue list for an accountant: %s", od.body)
		}
		pub := e.do("GET", "/api/v1/public/registry/rows?year=1404&figure=resolutions.total", "", nil)
		if containsText(pub.body, "واحد خودی") || containsText(pub.body, "واحد دیگری") || !containsText(pub.body, `"unit_withheld":true`) ||
			containsText(pub.body, "created_by") || containsText(pub.body, "recorded_by") {
			t.Fatalf("public rows: %s", pub.body)
		}
	})
}

func contentTypeOf(body any) string {
	if _, ok := body.(string); ok {
		return "text/csv"
	}
	return "application/json"
}

func containsText(b []byte, s string) bool { return strings.Contains(string(b), s) }
