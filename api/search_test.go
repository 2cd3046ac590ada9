package api

import (
	"encoding/base64"
	"net/url"
	"strconv"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// ids returns the ids of a list answer's items.
func ids(t *testing.T, list map[string]any) []int64 {
	t.Helper()
	var out []int64
	for _, it := range list["items"].([]any) {
		out = append(out, num(t, it.(map[string]any)["id"]))
	}
	return out
}

func TestSearch(t *testing.T) {
	w := newWorld(t)
	q := func(s string) string { return url.QueryEscape(s) }
	qazvin := w.mustID(w.do("POST", "/api/v1/schools", w.edu, map[string]any{
		"name": "هنرستان فنی قزوین", "kind": "school", "county": "قزوین",
	}))
	halfSpace := w.mustID(w.do("POST", "/api/v1/schools", w.edu, map[string]any{
		"name": "مدرسه نیک\u200cاندیشان", "kind": "school", "county": "تاکستان",
	}))

	t.Run("a school typed with Arabic yeh", func(t *testing.T) {
		got := ids(t, w.get("/api/v1/schools?q="+q("قزوين"), w.edu))
		if len(got) != 1 || got[0] != qazvin {
			t.Fatalf("q=قزوين found %v, want [%d]", got, qazvin)
		}
		// Several words each match, in any order, folded.
		got = ids(t, w.get("/api/v1/schools?q="+q("قزوين  هنرستان"), w.edu))
		if len(got) != 1 || got[0] != qazvin {
			t.Fatalf("two words found %v", got)
		}
	})
	t.Run("a school stored with Arabic letters, typed with Persian ones", func(t *testing.T) {
		arabic := w.mustID(w.do("POST", "/api/v1/schools", w.edu, map[string]any{
			"name": "دبيرستان كوثر", "kind": "school", "county": "آبيك",
		}))
		got := ids(t, w.get("/api/v1/schools?q="+q("دبیرستان کوثر"), w.edu))
		if len(got) != 1 || got[0] != arabic {
			t.Fatalf("found %v, want [%d]", got, arabic)
		}
		got = ids(t, w.get("/api/v1/schools?county="+q("آبیک"), w.edu))
		if len(got) != 1 || got[0] != arabic {
			t.Fatalf("county: found %v, want [%d]", got, arabic)
		}
	})
	t.Run("a half-space typed as a space, and the other way", func(t *testing.T) {
		got := ids(t, w.get("/api/v1/schools?q="+q("نیک اندیشان"), w.edu))
		if len(got) != 1 || got[0] != halfSpace {
			t.Fatalf("found %v, want [%d]", got, halfSpace)
		}
		got = ids(t, w.get("/api/v1/schools?q="+q("دبستان\u200c۱۲"), w.edu))
		if len(got) != 1 || got[0] != w.school {
			t.Fatalf("found %v, want [%d]", got, w.school)
		}
	})
	t.Run("nothing found", func(t *testing.T) {
		if got := ids(t, w.get("/api/v1/schools?q="+q("اصفهان"), w.edu)); len(got) != 0 {
			t.Fatalf("found %v", got)
		}
		// LIKE's wildcards are plain characters.
		if got := ids(t, w.get("/api/v1/schools?q="+q("%"), w.edu)); len(got) != 0 {
			t.Fatalf("%% found %v", got)
		}
	})
	t.Run("a school county in Arabic letters", func(t *testing.T) {
		got := ids(t, w.get("/api/v1/schools?county="+q("قزوين"), w.edu))
		if len(got) != 1 || got[0] != qazvin {
			t.Fatalf("county=قزوين found %v", got)
		}
	})
	t.Run("a unit by name and by national id", func(t *testing.T) {
		got := ids(t, w.get("/api/v1/units?q="+q("نان آوران"), w.admin))
		if len(got) != 1 || got[0] != w.unitB.ID {
			t.Fatalf("by name: %v", got)
		}
		got = ids(t, w.get("/api/v1/units?q="+w.unitA.NationalID, w.admin))
		if len(got) != 1 || got[0] != w.unitA.ID {
			t.Fatalf("by national id: %v", got)
		}
		persian := ""
		for _, r := range w.unitA.NationalID[:6] {
			persian += string('۰' + (r - '0'))
		}
		got = ids(t, w.get("/api/v1/units?q="+q(persian), w.admin))
		if len(got) != 1 || got[0] != w.unitA.ID {
			t.Fatalf("by the start of the national id in Persian digits: %v", got)
		}
	})
	t.Run("expenditures by invoice and vendor", func(t *testing.T) {
		a := w.mustSubmit(w.accA, expenditure(w.pledgeA, "10", "invoice_no", "FA-۷۷۱", "vendor_name", "شركت كاشي"))
		b := w.mustSubmit(w.accA, expenditure(w.pledgeA, "10", "invoice_no", "FB-100", "vendor_name", "آهن آلات"))
		if got := ids(t, w.get("/api/v1/expenditures?q="+q("fa-771"), w.accA)); len(got) != 1 || got[0] != a {
			t.Fatalf("by invoice: %v, want [%d]", got, a)
		}
		if got := ids(t, w.get("/api/v1/expenditures?q="+q("کاشی"), w.tax)); len(got) != 1 || got[0] != a {
			t.Fatalf("by vendor: %v, want [%d]", got, a)
		}
		if got := ids(t, w.get("/api/v1/expenditures?q="+q("آهن")+"&unit_id="+str(w.unitA.ID), w.tax)); len(got) != 1 || got[0] != b {
			t.Fatalf("with a filter: %v, want [%d]", got, b)
		}
		// Another unit's accountant finds nothing of it.
		if got := ids(t, w.get("/api/v1/expenditures?q="+q("کاشی"), w.accB)); len(got) != 0 {
			t.Fatalf("out of scope: %v", got)
		}
	})
	t.Run("resolutions by text and by agency, cases by subject", func(t *testing.T) {
		r1 := num(t, w.must(t, "POST", "/api/v1/resolutions", w.sec, map[string]any{
			"text": "تمديد مهلت تسهيلات", "category": "banking", "agencies": []string{"بانک ملی"},
		}, 201)["id"])
		r2 := num(t, w.must(t, "POST", "/api/v1/resolutions", w.sec, map[string]any{
			"text": "صدور مجوز", "category": "permits", "agencies": []string{"اداره كل صنعت"},
		}, 201)["id"])
		if got := ids(t, w.get("/api/v1/resolutions?q="+q("تمدید"), w.sec)); len(got) != 1 || got[0] != r1 {
			t.Fatalf("by text: %v, want [%d]", got, r1)
		}
		if got := ids(t, w.get("/api/v1/resolutions?q="+q("صنعت مجوز"), w.sec)); len(got) != 1 || got[0] != r2 {
			t.Fatalf("a word in the text and one in the agency: %v, want [%d]", got, r2)
		}
		c := num(t, w.must(t, "POST", "/api/v1/cases", w.sec, map[string]any{
			"unit_id": w.unitA.ID, "channel": "phone_inquiry", "subject": "استعلام بدهي بيمه", "opened_on": "2025-11-01", "category": "social_security",
		}, 201)["id"])
		if got := ids(t, w.get("/api/v1/cases?q="+q("بدهی"), w.sec)); len(got) != 1 || got[0] != c {
			t.Fatalf("cases: %v, want [%d]", got, c)
		}
	})
}

func TestQueryParameters(t *testing.T) {
	w := newWorld(t)
	for _, path := range []string{
		"/api/v1/sessions?q=x",                      // a list without search
		"/api/v1/units?county=x&stauts=y",           // a misspelt filter
		"/api/v1/units/1?expand=all",                // a single read
		"/api/v1/public/registry?year=1404&lang=fa", // a public route
	} {
		t.Run(path, func(t *testing.T) {
			r := w.do("GET", path, w.admin, nil)
			want := map[string]string{"q": "unknown_parameter"}
			switch {
			case path == "/api/v1/units?county=x&stauts=y":
				want = map[string]string{"stauts": "unknown_parameter"}
			case path == "/api/v1/units/1?expand=all":
				want = map[string]string{"expand": "unknown_parameter"}
			case path == "/api/v1/public/registry?year=1404&lang=fa":
				want = map[string]string{"lang": "unknown_parameter"}
			}
			if r.status != 400 || r.problemCode() != taahod.EMALFORMED {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if f := r.fieldErrors(); len(f) != len(want) || f[firstKey(want)] != "unknown_parameter" {
				t.Fatalf("fields %v, want %v", f, want)
			}
		})
	}
	t.Run("the year in Persian and Arabic-Indic digits", func(t *testing.T) {
		for _, y := range []string{"۱۴۰۴", "١٤٠٤"} {
			m := w.get("/api/v1/public/registry?year="+url.QueryEscape(y), "")
			if num(t, m["year"]) != 1404 {
				t.Fatalf("year=%s: %v", y, m)
			}
		}
	})
}

func firstKey(m map[string]string) string {
	for k := range m {
		return k
	}
	return ""
}

func TestCursorBelongsToItsList(t *testing.T) {
	w := newWorld(t)
	for i := 0; i < 3; i++ {
		w.must(t, "POST", "/api/v1/sessions", w.sec, map[string]any{"kind": "formal", "held_on": "2025-06-0" + str(i+1)}, 201)
	}
	page := w.get("/api/v1/units?limit=1", w.admin)
	cursor, _ := page["next_cursor"].(string)
	if cursor == "" {
		t.Fatalf("no next cursor: %v", page)
	}
	// The cursor pages its own list.
	next := w.get("/api/v1/units?limit=1&cursor="+cursor, w.admin)
	if got := ids(t, next); len(got) != 1 || got[0] != w.unitB.ID {
		t.Fatalf("second page %v", got)
	}
	sessions := w.get("/api/v1/sessions?limit=1&kind=formal", w.sec)
	sessionCursor := sessions["next_cursor"].(string)
	for name, path := range map[string]string{
		"another list":       "/api/v1/sessions?limit=1&cursor=" + cursor,
		"other filters":      "/api/v1/units?status=active&cursor=" + cursor,
		"filters left out":   "/api/v1/sessions?cursor=" + sessionCursor,
		"a filter changed":   "/api/v1/sessions?kind=field&cursor=" + sessionCursor,
		"malformed":          "/api/v1/units?cursor=bm90LWEtY3Vyc29y",
		"not base64":         "/api/v1/units?cursor=%25%25",
		"an old unbound one": "/api/v1/units?cursor=" + encodeCursor(1),
	} {
		t.Run(name, func(t *testing.T) {
			r := w.do("GET", path, w.sec, nil)
			if r.status != 400 || r.problemCode() != taahod.EMALFORMED || r.fieldErrors()["cursor"] != "invalid_cursor" {
				t.Fatalf("%d %s", r.status, r.body)
			}
		})
	}
	t.Run("same filters, other limit", func(t *testing.T) {
		if got := ids(t, w.get("/api/v1/sessions?kind=formal&limit=5&cursor="+sessionCursor, w.sec)); len(got) != 2 {
			t.Fatalf("%v", got)
		}
	})
}

func TestBackdatedStatusChange(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	r := e.must(t, "POST", "/api/v1/resolutions", sec, map[string]any{
		"text": "پیگیری", "category": "tax", "agencies": []string{"اداره مالیات"}, "adopted_on_jalali": "1404/02/01",
	}, 201)
	id := num(t, r["id"])
	path := idPath("/api/v1/resolutions", id) + "/status"
	now := e.must(t, "POST", path, sec, map[string]any{"status": "in_follow_up", "on_jalali": "1404/05/01"}, 201)
	if now["became_current"] != true || now["status"] != "in_follow_up" {
		t.Fatalf("a later change: %v", now)
	}
	old := e.must(t, "POST", path, sec, map[string]any{"status": "implemented", "on_jalali": "۱۴۰۴/۰۳/۰۱"}, 201)
	if old["became_current"] != false || old["status"] != "in_follow_up" || old["status_on_jalali"] != "1404/05/01" {
		t.Fatalf("a back-dated change: %v", old)
	}
	if h := old["history"].([]any); len(h) != 3 {
		t.Fatalf("history %v", h)
	}
	same := e.must(t, "POST", path, sec, map[string]any{"status": "implemented", "on_jalali": "1404/05/01"}, 201)
	if same["became_current"] != true || same["status"] != "implemented" {
		t.Fatalf("a change on the current one's day: %v", same)
	}
}

// A list in its own order (such as the review queue, by submission time)
// binds its own position with nextCursor and reads it back with
// cursorPosition; the route declares its parameters as every list does.
func TestCursorOfAListInItsOwnOrder(t *testing.T) {
	e := newEnv(t)
	e.srv.engine.GET("/test-own-order", e.srv.handle(func(c *gin.Context) error {
		pos, err := cursorPosition(c)
		if err != nil {
			return err
		}
		next := nextCursor(c, "at:2025-11-26T10:00:00Z,id:7")
		return ok(c, map[string]any{"position": pos, "next_cursor": next})
	}, paged("status")...))
	first := e.do("GET", "/test-own-order?status=submitted", "", nil).json()
	if first["position"] != "" {
		t.Fatalf("first page: %v", first)
	}
	cursor := first["next_cursor"].(string)
	second := e.do("GET", "/test-own-order?status=submitted&limit=3&cursor="+cursor, "", nil).json()
	if second["position"] != "at:2025-11-26T10:00:00Z,id:7" {
		t.Fatalf("second page: %v", second)
	}
	r := e.do("GET", "/test-own-order?status=rejected&cursor="+cursor, "", nil)
	if r.status != 400 || r.fieldErrors()["cursor"] != "invalid_cursor" {
		t.Fatalf("other filters: %d %s", r.status, r.body)
	}
}

// encodeCursor is a cursor in the form lists gave before cursors were bound
// to their list and filters: the last id seen, "id:N", in base64url.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("id:" + strconv.FormatInt(id, 10)))
}
