package api

import (
	"fmt"
	"slices"
	"testing"

	"github.com/taahod/taahod"
)

func TestCases(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	unit := e.mustCreateUnit("کاشی آبیک", "1010456789")

	c := e.must(t, "POST", "/api/v1/cases", sec, map[string]any{
		"unit_id": unit.ID, "channel": "phone_inquiry", "subject": "تأخیر در انشعاب گاز", "category": "gas",
		"opened_on_jalali": "1404/02/01", "closed_on_jalali": "1404/02/05", "outcome": "resolved",
	}, 201)
	if c["outcome"] != "resolved" || c["opened_on_jalali"] != "1404/02/01" || c["closed_on_jalali"] != "1404/02/05" ||
		c["unit_name"] != "کاشی آبیک" || num(t, c["fiscal_year"]) != 1404 {
		t.Fatalf("created case: %v", c)
	}
	id := c["id"]

	t.Run("defaults", func(t *testing.T) {
		// The contract's minimal body.
		x := e.must(t, "POST", "/api/v1/cases", sec, map[string]any{"unit_id": unit.ID, "channel": "referral_national", "subject": "ارز", "opened_on": "2025-06-01"}, 201)
		if x["outcome"] != "referred" || x["category"] != "other" || x["closed_on"] != nil || x["closed_on_jalali"] != nil {
			t.Fatalf("a referral's defaults: %v", x)
		}
		y := e.must(t, "POST", "/api/v1/cases", sec, map[string]any{"unit_id": unit.ID, "channel": "written_inquiry", "subject": "بیمه", "opened_on": "2025-06-01"}, 201)
		if y["outcome"] != "open" {
			t.Fatalf("an inquiry's default outcome: %v", y["outcome"])
		}
	})

	t.Run("invalid", func(t *testing.T) {
		ok := map[string]any{"unit_id": unit.ID, "channel": "phone_inquiry", "subject": "s", "opened_on": "2025-06-01"}
		with := func(k string, v any) map[string]any {
			m := map[string]any{}
			for a, b := range ok {
				m[a] = b
			}
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
		for _, c := range []struct {
			name, field, code string
			body              map[string]any
		}{
			{"no unit", "unit_id", "required", with("unit_id", nil)},
			{"unknown unit", "unit_id", "not_found", with("unit_id", 99999)},
			{"unknown channel", "channel", "invalid_choice", with("channel", "email")},
			{"no subject", "subject", "required", with("subject", "")},
			{"no opening date", "opened_on", "required", with("opened_on", nil)},
			{"an inquiry is not referred", "outcome", "referred_needs_referral", with("outcome", "referred")},
			{"open but closed", "closed_on", "open_case_closed", with("closed_on", "2025-06-02")},
			{"closed before opened", "closed_on", "before_opening", with("outcome", "resolved")},
			{"unknown outcome", "outcome", "invalid_choice", with("outcome", "lost")},
		} {
			t.Run(c.name, func(t *testing.T) {
				body := c.body
				if c.name == "closed before opened" {
					body["closed_on"] = "2025-05-30"
				}
				r := e.do("POST", "/api/v1/cases", sec, body)
				if r.status != 422 || r.fieldErrors()[c.field] != c.code {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})
		}
	})

	t.Run("patch", func(t *testing.T) {
		x := e.must(t, "PATCH", idPath("/api/v1/cases", id), sec, map[string]any{"outcome": "open", "closed_on": nil, "confidential": true}, 200)
		if x["outcome"] != "open" || x["closed_on"] != nil || x["confidential"] != true {
			t.Fatalf("patched: %v", x)
		}
		if r := e.do("PATCH", idPath("/api/v1/cases", id), sec, map[string]any{"closed_on_jalali": "1404/02/03"}); r.status != 422 || r.fieldErrors()["closed_on"] != "open_case_closed" {
			t.Fatalf("closing an open case without an outcome: %d %s", r.status, r.body)
		}
		e.must(t, "PATCH", idPath("/api/v1/cases", id), sec, map[string]any{"outcome": "resolved", "closed_on_jalali": "1404/02/03"}, 200)
		if r := e.do("PATCH", "/api/v1/cases/99999", sec, map[string]any{"subject": "x"}); r.status != 404 {
			t.Fatalf("unknown case: %d", r.status)
		}
		if got := e.auditActions(t, "case", id); !slices.Equal(got, []string{"case.create", "case.update", "case.update"}) {
			t.Fatalf("audit: %v", got)
		}
	})

	t.Run("list", func(t *testing.T) {
		ids := func(q string) int {
			return len(e.must(t, "GET", "/api/v1/cases?"+q, sec, nil, 200)["items"].([]any))
		}
		if n := ids("channel=referral_national"); n != 1 {
			t.Fatalf("referrals: %d", n)
		}
		if n := ids(fmt.Sprintf("unit_id=%d&year=1404&outcome=resolved", unit.ID)); n != 1 {
			t.Fatalf("resolved in 1404: %d", n)
		}
		if n := ids("year=1403"); n != 0 {
			t.Fatalf("1403: %d", n)
		}
		if r := e.do("GET", "/api/v1/cases?channel=fax", sec, nil); r.status != 422 {
			t.Fatalf("bad channel: %d", r.status)
		}
		if got := e.must(t, "GET", idPath("/api/v1/cases", id), sec, nil, 200); got["outcome"] != "resolved" {
			t.Fatalf("get: %v", got)
		}
	})
}

func TestRevival(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	stagnant := e.mustCreateUnit("نساجی راکد", "1010567890")
	active := e.mustCreateUnit("لبنیات فعال", "1010678901")
	e.must(t, "PATCH", idPath("/api/v1/units", stagnant.ID), sec, map[string]any{"status": "stagnant"}, 200)

	path := func(id int64) string { return fmt.Sprintf("/api/v1/units/%d/revival", id) }
	acc := e.userToken("acc", taahod.RoleAccountant, stagnant.ID)
	if r := e.do("POST", path(stagnant.ID), acc, map[string]any{"revived_on_jalali": "1403/07/01"}); r.status != 403 {
		t.Fatalf("an accountant revives: %d", r.status)
	}
	if r := e.do("POST", path(stagnant.ID), sec, map[string]any{"revived_on_jalali": "1403/07/32"}); r.status != 422 || r.fieldErrors()["revived_on_jalali"] == "" {
		t.Fatalf("bad date: %d %s", r.status, r.body)
	}
	v := e.must(t, "POST", path(stagnant.ID), sec, map[string]any{"revived_on_jalali": "1403/07/01", "note": "با تسهیلات رونق تولید"}, 201)
	if v["revived_on_jalali"] != "1403/07/01" || num(t, v["fiscal_year"]) != 1403 || v["unit"].(map[string]any)["status"] != "revived" || v["by"] != "sec" {
		t.Fatalf("revival: %v", v)
	}
	// sec has no full name: the user name stands in for it.
	var secID int64
	if err := e.db.Get(&secID, `SELECT id FROM users WHERE username = 'sec'`); err != nil {
		t.Fatal(err)
	}
	mustBeUser(t, "recorded_by", v["recorded_by"], secID, "sec")
	if u := e.must(t, "GET", idPath("/api/v1/units", stagnant.ID), sec, nil, 200); u["status"] != "revived" {
		t.Fatalf("unit after revival: %v", u["status"])
	}

	for name, id := range map[string]int64{"revived again": stagnant.ID, "an active unit": active.ID} {
		t.Run(name+" is a conflict", func(t *testing.T) {
			r := e.do("POST", path(id), sec, map[string]any{"revived_on_jalali": "1403/08/01"})
			if r.status != 409 || r.problemCode() != "unit_not_stagnant" {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	if r := e.do("POST", path(99999), sec, map[string]any{"revived_on_jalali": "1403/08/01"}); r.status != 404 {
		t.Fatalf("unknown unit: %d", r.status)
	}
	if n := e.count("revivals"); n != 1 {
		t.Fatalf("%d revivals recorded, want 1", n)
	}
	if got := e.auditActions(t, "unit", stagnant.ID); !slices.Equal(got, []string{"unit.create", "unit.update", "unit.revive"}) {
		t.Fatalf("audit: %v", got)
	}
	list := e.must(t, "GET", "/api/v1/revivals?year=1403", acc, nil, 200)["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["unit_name"] != "نساجی راکد" {
		t.Fatalf("revivals of 1403: %v", list)
	}
	// The revival and the unit's new status stand or fall together: the
	// revival table refuses changes.
	if _, err := e.db.Exec(`DELETE FROM revivals`); err == nil {
		t.Fatal("a revival was deleted")
	}
}
