package api

import (
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

func TestAuditTrail(t *testing.T) {
	e := newEnv(t)
	admin := e.userToken("admin1", taahod.RoleAdmin)
	auditor := e.userToken("aud1", taahod.RoleAuditor)
	sec := e.userToken("sec1", taahod.RoleSecretariat)
	unit := e.must(t, "POST", "/api/v1/units", sec, map[string]any{"name": "واحد الف", "national_id": taahod.MakeLegalEntityID("1010234567"), "county": "قزوین"}, 201)
	unitID := str(unit["id"])
	e.must(t, "PATCH", "/api/v1/units/"+unitID, sec, map[string]any{"activity": "صنعتی"}, 200)
	e.must(t, "POST", "/api/v1/users", admin, map[string]any{"username": "edu1", "full_name": "x", "role": "education_officer"}, 201)

	get := func(t *testing.T, token, query string) map[string]any {
		t.Helper()
		return e.must(t, "GET", "/api/v1/audit"+query, token, nil, 200)
	}
	t.Run("who may read it", func(t *testing.T) {
		for _, tok := range []string{sec, e.userToken("tax1", taahod.RoleTaxOfficer)} {
			if r := e.do("GET", "/api/v1/audit", tok, nil); r.status != 403 {
				t.Fatalf("%d", r.status)
			}
		}
		get(t, admin, "")
	})
	t.Run("entries, newest first, chained", func(t *testing.T) {
		items := get(t, auditor, "?limit=500")["items"].([]any)
		if len(items) < 6 {
			t.Fatalf("%d entries", len(items))
		}
		first := items[0].(map[string]any)
		if first["action"] != "auth.login" && first["action"] != "user.create" {
			// The newest entries are the sign-ins of this test's readers.
			t.Logf("newest: %v", first)
		}
		for i, it := range items {
			m := it.(map[string]any)
			for _, k := range []string{"seq", "at", "at_jalali", "actor", "action", "target_type", "target_id", "changes", "hash", "prev_hash", "request_id"} {
				if !hasKey(m, k) {
					t.Fatalf("entry without %s: %v", k, m)
				}
			}
			if _, ok := m["changes"].(map[string]any); !ok {
				t.Fatalf("changes is not an object: %T %v", m["changes"], m["changes"])
			}
			if i+1 < len(items) {
				next := items[i+1].(map[string]any)
				if num(t, m["seq"]) != num(t, next["seq"])+1 || m["prev_hash"] != next["hash"] {
					t.Fatalf("entries %v and %v are not consecutive links", m["seq"], next["seq"])
				}
			}
			// The reader can recompute each hash from what the entry shows.
			at, err := time.Parse(time.RFC3339Nano, m["at"].(string))
			if err != nil {
				t.Fatal(err)
			}
			actor := m["actor"].(map[string]any)
			entry := database.Entry{At: at, ActorName: actor["username"].(string), ActorRole: actor["role"].(string),
				Action: m["action"].(string), TargetType: m["target_type"].(string), TargetID: m["target_id"].(string),
				RequestID: m["request_id"].(string), Changes: canonical(t, m["changes"])}
			if actor["id"] != nil {
				id := num(t, actor["id"])
				entry.ActorID = &id
			}
			prev, _ := hex.DecodeString(m["prev_hash"].(string))
			if got := hex.EncodeToString(database.ChainHash(prev, entry.Content())); got != m["hash"] || len(got) != 64 {
				t.Fatalf("entry %v: hash %s, recomputed %s", m["seq"], m["hash"], got)
			}
		}
		oldest := get(t, auditor, "?order=oldest&limit=1")["items"].([]any)[0].(map[string]any)
		if num(t, oldest["seq"]) != 1 || oldest["prev_hash"] != strings.Repeat("0", 64) {
			t.Fatalf("oldest: %v", oldest)
		}
	})
	t.Run("filters", func(t *testing.T) {
		byTarget := get(t, auditor, "?target_type=unit&target_id="+unitID)["items"].([]any)
		if len(byTarget) != 2 || byTarget[0].(map[string]any)["action"] != "unit.update" {
			t.Fatalf("by target: %v", byTarget)
		}
		by := get(t, auditor, "?actor=SEC1&action=unit.create")["items"].([]any)
		if len(by) != 1 || by[0].(map[string]any)["actor"].(map[string]any)["role"] != "secretariat" {
			t.Fatalf("by actor name and action: %v", by)
		}
		secID := str(by[0].(map[string]any)["actor"].(map[string]any)["id"])
		if n := len(get(t, auditor, "?actor="+secID)["items"].([]any)); n != 3 { // sign-in, create, update
			t.Fatalf("by actor id: %d", n)
		}
		today := taahod.Today(time.Now())
		for _, q := range []string{"?from=" + today.String() + "&to=" + today.String(),
			"?from=" + url.QueryEscape(today.Jalali()) + "&to=" + url.QueryEscape(today.Jalali())} {
			if n := len(get(t, auditor, q+"&action=unit.create")["items"].([]any)); n != 1 {
				t.Fatalf("%s: %d", q, n)
			}
		}
		tomorrow := today.AddDays(1).String()
		if n := len(get(t, auditor, "?from="+tomorrow)["items"].([]any)); n != 0 {
			t.Fatalf("from tomorrow: %d", n)
		}
		if n := len(get(t, auditor, "?to="+today.AddDays(-1).String())["items"].([]any)); n != 0 {
			t.Fatalf("to yesterday: %d", n)
		}
	})
	t.Run("bad filters name themselves", func(t *testing.T) {
		for q, field := range map[string]string{
			"?from=2025-13-01":                       "from",
			"?to=1404/12/30":                         "to",
			"?from=2025-10-02&to=2025-10-01":         "to",
			"?actor=" + url.QueryEscape("a b!"):      "actor",
			"?action=" + url.QueryEscape("DROP"):     "action",
			"?target_type=" + url.QueryEscape("x y"): "target_type",
			"?order=sideways":                        "order",
			"?limit=501":                             "limit",
		} {
			r := e.do("GET", "/api/v1/audit"+q, auditor, nil)
			if r.status != 422 || r.fieldErrors()[field] == "" {
				t.Fatalf("%s: %d %s", q, r.status, r.body)
			}
		}
		if r := e.do("GET", "/api/v1/audit?actors=x", auditor, nil); r.status != 400 || r.fieldErrors()["actors"] == "" {
			t.Fatalf("unknown parameter: %d %s", r.status, r.body)
		}
	})
	t.Run("cursor paging", func(t *testing.T) {
		all := get(t, auditor, "?limit=500")["items"].([]any)
		page := get(t, auditor, "?limit=2")
		var seqs []int64
		for {
			for _, it := range page["items"].([]any) {
				seqs = append(seqs, num(t, it.(map[string]any)["seq"]))
			}
			if page["next_cursor"] == nil {
				break
			}
			cursor := page["next_cursor"].(string)
			// A cursor of this list is not one of other filters, nor of
			// another list.
			if r := e.do("GET", "/api/v1/audit?limit=2&action=unit.create&cursor="+cursor, auditor, nil); r.status != 400 || r.fieldErrors()["cursor"] != "invalid_cursor" {
				t.Fatalf("cursor on other filters: %d %s", r.status, r.body)
			}
			page = get(t, auditor, "?limit=2&cursor="+cursor)
		}
		// Reading adds no entries, so the pages hold exactly the list.
		if len(seqs) != len(all) {
			t.Fatalf("paged %d of %d", len(seqs), len(all))
		}
		for i := 1; i < len(seqs); i++ {
			if seqs[i] != seqs[i-1]-1 {
				t.Fatalf("seqs %v", seqs)
			}
		}
		units := e.must(t, "GET", "/api/v1/units?limit=1", admin, nil, 200)
		_ = units
		if r := e.do("GET", "/api/v1/audit?cursor="+encodeCursor(3), auditor, nil); r.status != 400 {
			t.Fatalf("another list's cursor: %d %s", r.status, r.body)
		}
		if r := e.do("GET", "/api/v1/audit?cursor=!!!", auditor, nil); r.status != 400 {
			t.Fatalf("malformed cursor: %d %s", r.status, r.body)
		}
	})
}

// canonical writes changes as the audit chain holds them.
func canonical(t *testing.T, v any) string {
	t.Helper()
	s, err := database.CanonicalJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
