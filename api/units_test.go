package api

import (
	"fmt"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

func TestUnits(t *testing.T) {
	e := newEnv(t)
	token := e.userToken("sec", taahod.RoleSecretariat)
	nid := taahod.MakeLegalEntityID("1070809010")

	r := e.do("POST", "/api/v1/units", token, map[string]any{
		"name": " فولاد قزوین ", "national_id": nid, "county": "البرز", "economic_code": "411111111111", "status": "stagnant",
	})
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	u := r.json()
	if u["name"] != "فولاد قزوین" || u["status"] != "stagnant" || u["national_id"] != nid || u["tax_file_no"] != nil {
		t.Fatalf("created unit: %s", r.body)
	}
	id := u["id"]

	t.Run("invalid", func(t *testing.T) {
		cases := map[string]map[string]any{
			"national_id": {"name": "x", "national_id": nid[:10] + fmt.Sprint((int(nid[10]-'0')+1)%10), "county": "قزوین"},
			"name":        {"name": "  ", "national_id": taahod.MakeLegalEntityID("1070809011"), "county": "قزوین"},
			"county":      {"name": "x", "national_id": taahod.MakeLegalEntityID("1070809012")},
			"status":      {"name": "x", "national_id": taahod.MakeLegalEntityID("1070809013"), "county": "قزوین", "status": "closed"},
		}
		for field, body := range cases {
			r := e.do("POST", "/api/v1/units", token, body)
			if r.status != 422 || r.problemCode() != taahod.EINVALID || r.fieldErrors()[field] == "" {
				t.Errorf("%s: %d %s", field, r.status, r.body)
			}
		}
	})
	t.Run("duplicate national id", func(t *testing.T) {
		r := e.do("POST", "/api/v1/units", token, map[string]any{"name": "دیگر", "national_id": nid, "county": "قزوین"})
		if r.status != 409 || r.problemCode() != taahod.ECONFLICT || r.fieldErrors()["national_id"] != "duplicate" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("sole proprietor", func(t *testing.T) {
		r := e.do("POST", "/api/v1/units", token, map[string]any{"name": "کارگاه", "national_id": taahod.MakeNationalCode("004123456"), "county": "تاکستان"})
		if r.status != 201 {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("patch", func(t *testing.T) {
		r := e.do("PATCH", fmt.Sprintf("/api/v1/units/%v", id), token, map[string]any{"economic_code": nil, "activity": "فولاد", "status": "active"})
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		m := r.json()
		if m["economic_code"] != nil || m["activity"] != "فولاد" || m["status"] != "active" {
			t.Fatalf("patched: %s", r.body)
		}
		if r := e.do("PATCH", fmt.Sprintf("/api/v1/units/%v", id), token, map[string]any{"status": "revived"}); r.status != 422 {
			t.Fatalf("status revived by patch: %d", r.status)
		}
		if r := e.do("PATCH", fmt.Sprintf("/api/v1/units/%v", id), token, map[string]any{"name": nil}); r.status != 422 {
			t.Fatalf("name cleared: %d", r.status)
		}
		if r := e.do("PATCH", "/api/v1/units/999999", token, map[string]any{"name": "x"}); r.status != 404 {
			t.Fatalf("unknown unit: %d", r.status)
		}
	})
	t.Run("list and pages", func(t *testing.T) {
		for i := range 5 {
			e.mustCreateUnit(fmt.Sprintf("آبیک %d", i), fmt.Sprintf("10808090%02d", i))
		}
		seen := map[string]bool{}
		cursor := ""
		pages := 0
		for {
			path := "/api/v1/units?limit=3&county=" + "%D9%82%D8%B2%D9%88%DB%8C%D9%86" // قزوین
			if cursor != "" {
				path += "&cursor=" + cursor
			}
			r := e.do("GET", path, token, nil)
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			m := r.json()
			for _, it := range m["items"].([]any) {
				u := it.(map[string]any)
				if u["county"] != "قزوین" {
					t.Fatalf("county filter let through %v", u["county"])
				}
				seen[fmt.Sprint(u["id"])] = true
			}
			pages++
			next, _ := m["next_cursor"].(string)
			if next == "" {
				break
			}
			cursor = next
		}
		if len(seen) != 5 || pages != 2 {
			t.Fatalf("saw %d units in %d pages", len(seen), pages)
		}
		r := e.do("GET", "/api/v1/units?q=%D8%A2%D8%A8%DB%8C%DA%A9%203", token, nil) // "آبیک 3"
		if items := r.json()["items"].([]any); len(items) != 1 {
			t.Fatalf("q search found %d", len(items))
		}
	})
	t.Run("audited", func(t *testing.T) {
		var actions []string
		if err := e.db.Select(&actions, `SELECT action FROM audit_log WHERE target_type = 'unit' AND target_id = $1 ORDER BY seq`, fmt.Sprint(id)); err != nil {
			t.Fatal(err)
		}
		if len(actions) != 2 || actions[0] != "unit.create" || actions[1] != "unit.update" {
			t.Fatalf("audit of unit %v: %v", id, actions)
		}
		n, findings, err := database.VerifyAudit(t.Context(), e.db)
		if err != nil || len(findings) != 0 || n == 0 {
			t.Fatalf("verify: %d rows, %v, %v", n, findings, err)
		}
	})
}
