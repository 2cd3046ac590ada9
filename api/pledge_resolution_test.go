package api

import (
	"testing"

	"github.com/taahod/taahod"
)

// TestPledgeNamesARealResolution: a pledge's resolution_id must name a
// resolution of the registry.
func TestPledgeNamesARealResolution(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	edu := e.userToken("edu", taahod.RoleEducationOfficer)
	unit := e.mustCreateUnit("فولاد", "1011121314")
	school := e.do("POST", "/api/v1/schools", edu, map[string]any{"name": "دبستان", "kind": "school", "county": "قزوین"}).json()["id"]
	session := e.do("POST", "/api/v1/sessions", sec, map[string]any{"kind": "formal", "held_on": "2025-05-01"}).json()["id"]
	res := e.do("POST", "/api/v1/resolutions", sec, map[string]any{"session_id": session, "unit_id": unit.ID,
		"text": "تعهد ساخت دبستان", "category": "other", "agencies": []string{"اداره کل آموزش و پرورش"}})
	if res.status != 201 {
		t.Fatalf("resolution: %d %s", res.status, res.body)
	}
	pledge := func(resolution any) response {
		return e.do("POST", "/api/v1/pledges", sec, map[string]any{"unit_id": unit.ID, "school_id": school,
			"amount": "1000000", "pledged_on": "2025-05-02", "resolution_id": resolution})
	}
	if r := pledge(987654); r.status != 404 || r.fieldErrors()["resolution_id"] != "not_found" {
		t.Fatalf("unknown resolution: %d %s", r.status, r.body)
	}
	if n := e.count("pledges"); n != 0 {
		t.Fatalf("%d pledges after a refusal", n)
	}
	if r := pledge(res.json()["id"]); r.status != 201 {
		t.Fatalf("real resolution: %d %s", r.status, r.body)
	}
}
