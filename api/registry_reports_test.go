package api

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/taahod/taahod"
)

// registryFigureNames are the figures the rows endpoint takes, as the
// OpenAPI description documents them.
var registryFigureNames = []string{
	"sessions.formal", "sessions.field", "sessions.site_visit", "sessions.total",
	"resolutions.total", "resolutions.implemented", "resolutions.in_follow_up", "resolutions.not_implemented",
	"resolutions.notified", "resolutions.cancelled", "implementation_rate.denominator",
	"units_examined", "units_examined_in_field_sessions",
	"cases_resolved_without_session", "referrals", "revived_units", "schools_pledged",
}

// registryModel is what the test posted, kept to count the figures
// independently of the service.
type registryModel struct {
	sessions    []mSession
	resolutions []*mResolution
	cases       []mCase
	revivals    []mRevival
	pledges     []mPledge
	seq         int
}

type mPledge struct {
	school int64
	on     taahod.Date
}

type mSession struct {
	id   int64
	kind string
	on   taahod.Date
}

type mResolution struct {
	id           int64
	kind         string // of its session, "" outside one
	on           taahod.Date
	unit         int64
	confidential bool
	changes      []mChange
}

type mChange struct {
	status string
	on     taahod.Date
	seq    int
}

// status is the latest change by date, then by the order it was posted.
func (r *mResolution) status() string {
	if len(r.changes) == 0 {
		return "notified"
	}
	latest := slices.MaxFunc(r.changes, func(a, b mChange) int {
		return cmp.Or(a.on.Compare(b.on), cmp.Compare(a.seq, b.seq))
	})
	return latest.status
}

type mCase struct {
	id               int64
	channel, outcome string
	on               taahod.Date
}

type mRevival struct {
	unit int64
	on   taahod.Date
}

// expected counts every figure of the year and the ids behind it.
func (m *registryModel) expected(year int) map[string][]int64 {
	in := func(d taahod.Date) bool { return d.FiscalYear() == year }
	out := map[string][]int64{}
	for _, name := range registryFigureNames {
		out[name] = []int64{}
	}
	add := func(name string, id int64) {
		if !slices.Contains(out[name], id) {
			out[name] = append(out[name], id)
		}
	}
	for _, s := range m.sessions {
		if in(s.on) {
			add("sessions."+s.kind, s.id)
			add("sessions.total", s.id)
		}
	}
	for _, r := range m.resolutions {
		if !in(r.on) {
			continue
		}
		st := r.status()
		add("resolutions.total", r.id)
		add("resolutions."+st, r.id)
		if st != "cancelled" {
			add("implementation_rate.denominator", r.id)
		}
		if r.unit != 0 {
			add("units_examined", r.unit)
			if r.kind == "field" {
				add("units_examined_in_field_sessions", r.unit)
			}
		}
	}
	for _, c := range m.cases {
		if !in(c.on) {
			continue
		}
		if (c.channel == "phone_inquiry" || c.channel == "written_inquiry") && c.outcome == "resolved" {
			add("cases_resolved_without_session", c.id)
		}
		if strings.HasPrefix(c.channel, "referral_") {
			add("referrals", c.id)
		}
	}
	for _, v := range m.revivals {
		if in(v.on) {
			add("revived_units", v.unit)
		}
	}
	for _, p := range m.pledges {
		if in(p.on) {
			add("schools_pledged", p.school)
		}
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

// rateValue is implemented ÷ denominator to 4 places, rounded half up, in
// canonical decimal text; computed here with integers only.
func rateValue(implemented, denominator int) any {
	if denominator == 0 {
		return nil
	}
	q := (implemented*10000*2 + denominator) / (2 * denominator)
	s := fmt.Sprintf("%d.%04d", q/10000, q%10000)
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

func TestRegistryFigures(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	rng := rand.New(rand.NewPCG(1404, 1403))
	m := &registryModel{}

	var units, secret []int64
	for i := range 24 {
		units = append(units, e.mustCreateUnit(fmt.Sprintf("واحد تولیدی %d", i), fmt.Sprintf("20%08d", 100+i)).ID)
	}
	// Units that only confidential records concern: their names must never
	// be published.
	for i := range 4 {
		secret = append(secret, e.mustCreateUnit(fmt.Sprintf("واحد سری %d", i), fmt.Sprintf("30%08d", 100+i)).ID)
	}
	day := func(year int) taahod.Date { return jalali(t, year, 1+rng.IntN(12), 1+rng.IntN(29)) }
	years := []int{1403, 1404, 1404, 1404}

	kinds := []string{"formal", "formal", "field", "site_visit"}
	for range 30 {
		s := mSession{kind: kinds[rng.IntN(len(kinds))], on: day(years[rng.IntN(len(years))])}
		body := map[string]any{"kind": s.kind, "held_on": s.on.String()}
		if s.kind == "field" {
			body["county"] = "بوئین‌زهرا"
		}
		s.id = num(t, e.must(t, "POST", "/api/v1/sessions", sec, body, 201)["id"])
		m.sessions = append(m.sessions, s)
	}

	statuses := []string{"implemented", "implemented", "in_follow_up", "not_implemented", "cancelled"}
	for i := range 110 {
		r := &mResolution{}
		body := map[string]any{"text": fmt.Sprintf("مصوبه %d", i), "category": "tax", "agencies": []string{"اداره کل امور مالیاتی"}}
		if rng.IntN(10) < 7 {
			s := m.sessions[rng.IntN(len(m.sessions))]
			body["session_id"], r.kind, r.on = s.id, s.kind, s.on
		} else {
			r.on = day(years[rng.IntN(len(years))])
			body["adopted_on_jalali"] = r.on.Jalali()
		}
		switch n := rng.IntN(20); {
		case n < 3:
			r.unit, r.confidential = secret[rng.IntN(len(secret))], true
		case n < 6:
			// a general resolution
		default:
			r.unit, r.confidential = units[rng.IntN(len(units))], n == 19
		}
		if r.unit != 0 {
			body["unit_id"] = r.unit
		}
		body["confidential"] = r.confidential
		r.id = num(t, e.must(t, "POST", "/api/v1/resolutions", sec, body, 201)["id"])
		for range rng.IntN(4) {
			c := mChange{status: statuses[rng.IntN(len(statuses))], on: r.on.AddDays(rng.IntN(120)), seq: m.seq}
			m.seq++
			e.must(t, "POST", fmt.Sprintf("/api/v1/resolutions/%d/status", r.id), sec, map[string]any{"status": c.status, "on": c.on.String()}, 201)
			r.changes = append(r.changes, c)
		}
		m.resolutions = append(m.resolutions, r)
	}

	combos := [][2]string{
		{"phone_inquiry", "resolved"}, {"phone_inquiry", "open"}, {"written_inquiry", "resolved"}, {"written_inquiry", "open"},
		{"referral_provincial", "referred"}, {"referral_national", "referred"}, {"referral_provincial", "resolved"}, {"referral_national", "open"},
	}
	for i := range 60 {
		combo := combos[rng.IntN(len(combos))]
		c := mCase{channel: combo[0], outcome: combo[1], on: day(years[rng.IntN(len(years))])}
		body := map[string]any{"unit_id": units[rng.IntN(len(units))], "channel": c.channel, "outcome": c.outcome,
			"subject": fmt.Sprintf("پرونده %d", i), "opened_on": c.on.String()}
		if i%9 == 0 {
			body["unit_id"], body["confidential"] = secret[0], true
		}
		if c.outcome != "open" {
			body["closed_on"] = c.on.AddDays(3).String()
		}
		c.id = num(t, e.must(t, "POST", "/api/v1/cases", sec, body, 201)["id"])
		m.cases = append(m.cases, c)
	}

	revive := func(unit int64, on taahod.Date) {
		e.must(t, "PATCH", idPath("/api/v1/units", unit), sec, map[string]any{"status": "stagnant"}, 200)
		e.must(t, "POST", fmt.Sprintf("/api/v1/units/%d/revival", unit), sec, map[string]any{"revived_on": on.String()}, 201)
		m.revivals = append(m.revivals, mRevival{unit, on})
	}
	for i, u := range units[:8] {
		revive(u, day(years[i%len(years)]))
	}
	// Twice in one year counts once; once in each of two years counts in both.
	revive(units[0], jalali(t, 1404, 11, 1))
	revive(units[1], jalali(t, 1404, 2, 1))
	revive(units[1], jalali(t, 1403, 5, 1))

	// Schools pledged: several pledges to one school in a year count once.
	edu := e.userToken("edu", taahod.RoleEducationOfficer)
	for i := range 6 {
		school := num(t, e.must(t, "POST", "/api/v1/schools", edu, map[string]any{
			"name": fmt.Sprintf("دبستان %d", i), "kind": "school", "county": "قزوین"}, 201)["id"])
		for j := range 1 + rng.IntN(3) {
			on := day(years[rng.IntN(len(years))])
			e.must(t, "POST", "/api/v1/pledges", sec, map[string]any{
				"unit_id": units[j], "school_id": school, "amount": "1000000", "pledged_on": on.String()}, 201)
			m.pledges = append(m.pledges, mPledge{school, on})
		}
	}

	acc := e.userToken("acc", taahod.RoleAccountant, secret[0])
	for _, year := range []int{1403, 1404, 1405} {
		t.Run(fmt.Sprint(year), func(t *testing.T) {
			want := m.expected(year)
			n := func(name string) int { return len(want[name]) }
			r := e.do("GET", fmt.Sprintf("/api/v1/reports/registry?year=%d", year), sec, nil)
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			got := r.json()
			wantJSON := fmt.Sprintf(`{"year":%d,`+
				`"sessions":{"formal":%d,"field":%d,"site_visit":%d,"total":%d},`+
				`"resolutions":{"total":%d,"implemented":%d,"in_follow_up":%d,"not_implemented":%d,"notified":%d,"cancelled":%d},`+
				`"units_examined":%d,"units_examined_in_field_sessions":%d,"cases_resolved_without_session":%d,"referrals":%d,`+
				`"revived_units":%d,"schools_pledged":%d,`, year,
				n("sessions.formal"), n("sessions.field"), n("sessions.site_visit"), n("sessions.total"),
				n("resolutions.total"), n("resolutions.implemented"), n("resolutions.in_follow_up"), n("resolutions.not_implemented"),
				n("resolutions.notified"), n("resolutions.cancelled"),
				n("units_examined"), n("units_examined_in_field_sessions"), n("cases_resolved_without_session"), n("referrals"),
				n("revived_units"), n("schools_pledged"))
			if !bytes.HasPrefix(r.body, []byte(wantJSON)) {
				t.Fatalf("figures\n got %s\nwant %s…", r.body, wantJSON)
			}
			rate := got["implementation_rate"].(map[string]any)
			wantRate := rateValue(n("resolutions.implemented"), n("implementation_rate.denominator"))
			if rate["value"] != wantRate || num(t, rate["numerator"]) != int64(n("resolutions.implemented")) ||
				num(t, rate["denominator"]) != int64(n("resolutions.total")-n("resolutions.cancelled")) ||
				rate["formula"] != "implemented / (total − cancelled)" || fmt.Sprint(rate["excludes"]) != "[cancelled]" {
				t.Fatalf("implementation rate %v, want value %v", rate, wantRate)
			}
			if year == 1404 && (n("resolutions.total") < 40 || n("units_examined_in_field_sessions") == 0 || n("revived_units") < 2) {
				t.Fatalf("the generated year is too thin to test much: %s", r.body)
			}

			pub := e.do("GET", fmt.Sprintf("/api/v1/public/registry?year=%d", year), "", nil)
			if pub.status != 200 || !bytes.Equal(pub.body, r.body) {
				t.Fatalf("public figures differ:\n%s\n%s", pub.body, r.body)
			}

			for _, name := range registryFigureNames {
				t.Run(name, func(t *testing.T) {
					ids, _ := e.allRows(t, sec, year, name, 7)
					slices.Sort(ids)
					if !slices.Equal(ids, want[name]) {
						t.Fatalf("rows %v, want %v", ids, want[name])
					}
					pubIDs, pubBodies := e.allRows(t, "", year, name, 500)
					if len(pubIDs) != len(ids) {
						t.Fatalf("%d public rows, %d signed in", len(pubIDs), len(ids))
					}
					for _, b := range pubBodies {
						if bytes.Contains(b, []byte("واحد سری")) || bytes.Contains(b, []byte(`"national_id"`)) || bytes.Contains(b, []byte(`"minutes":"`)) {
							t.Fatalf("the public rows show what they must not: %s", b)
						}
					}
					accIDs, accBodies := e.allRows(t, acc, year, name, 500)
					if len(accIDs) != len(ids) {
						t.Fatalf("%d rows for an accountant, %d for the secretariat", len(accIDs), len(ids))
					}
					for _, b := range accBodies {
						for _, other := range []string{"واحد سری 1", "واحد سری 2", "واحد سری 3"} {
							if bytes.Contains(b, []byte(other)) {
								t.Fatalf("an accountant sees another unit's confidential record: %s", b)
							}
						}
					}
				})
			}
		})
	}

	t.Run("signed-in readers see confidential units", func(t *testing.T) {
		shown := false
		for _, year := range []int{1403, 1404} {
			_, bodies := e.allRows(t, sec, year, "resolutions.total", 500)
			for _, b := range bodies {
				shown = shown || bytes.Contains(b, []byte("واحد سری"))
			}
		}
		if !shown {
			t.Fatal("the secretariat does not see the units of confidential resolutions")
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		for _, q := range []string{"", "year=1404&figure=resolutions.done", "year=1404", "year=x&figure=referrals", "year=1404&figure=referrals&limit=501"} {
			if r := e.do("GET", "/api/v1/reports/registry/rows?"+q, sec, nil); r.status != 422 {
				t.Errorf("rows?%s: %d", q, r.status)
			}
		}
		for _, q := range []string{"", "year=0", "year=14o4", "year=9999"} {
			if r := e.do("GET", "/api/v1/public/registry?"+q, "", nil); r.status != 422 || r.fieldErrors()["year"] == "" {
				t.Errorf("public?%s: %d %s", q, r.status, r.body)
			}
		}
		if r := e.do("GET", "/api/v1/reports/registry?year=1404", "", nil); r.status != 401 {
			t.Errorf("signed-in figures without a token: %d", r.status)
		}
	})
}

// allRows pages through the rows of a figure (signed in with token, or
// public without) and returns the ids of the rows and each page's body. It
// checks that every page names the same count and that the count is the
// number of rows.
func (e *env) allRows(t *testing.T, token string, year int, figure string, limit int) ([]int64, [][]byte) {
	t.Helper()
	base := "/api/v1/reports/registry/rows"
	if token == "" {
		base = "/api/v1/public/registry/rows"
	}
	var (
		ids    []int64
		bodies [][]byte
		count  = int64(-1)
		cursor string
	)
	for {
		q := url.Values{"year": {fmt.Sprint(year)}, "figure": {figure}, "limit": {fmt.Sprint(limit)}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		r := e.do("GET", base+"?"+q.Encode(), token, nil)
		if r.status != 200 {
			t.Fatalf("%s rows: %d %s", figure, r.status, r.body)
		}
		r.t = t
		page := r.json()
		if c := num(t, page["count"]); count >= 0 && c != count {
			t.Fatalf("the count changed between pages: %d, %d", count, c)
		} else {
			count = c
		}
		bodies = append(bodies, r.body)
		for _, it := range page["items"].([]any) {
			item := it.(map[string]any)
			if kind := item["row_kind"]; kind != figureRowKind(figure) {
				t.Fatalf("%s: a row of kind %v, want %s", figure, kind, figureRowKind(figure))
			}
			id, ok := item["id"]
			if figure == "schools_pledged" {
				id = item["school_id"]
			} else if !ok || strings.HasPrefix(figure, "units_examined") || figure == "revived_units" {
				id = item["unit_id"]
				if id == nil { // a withheld unit: its place in the list still counts
					id = json.Number("0")
				}
			}
			ids = append(ids, num(t, id))
		}
		next, _ := page["next_cursor"].(string)
		if next == "" {
			break
		}
		cursor = next
	}
	if int64(len(ids)) != count {
		t.Fatalf("%s: %d rows, count %d", figure, len(ids), count)
	}
	return ids, bodies
}

// TestRegistryYearBoundaries puts records on the first and last days of
// fiscal years, in a leap year (1403, with 30 Esfand) and common ones.
func TestRegistryYearBoundaries(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec", taahod.RoleSecretariat)
	days := []struct {
		jalali string
		year   int
	}{
		{"1402/12/29", 1402}, {"1403/01/01", 1403}, {"1403/12/30", 1403},
		{"1404/01/01", 1404}, {"1404/12/29", 1404}, {"1405/01/01", 1405},
	}
	for i, d := range days {
		e.must(t, "POST", "/api/v1/sessions", sec, map[string]any{"kind": "formal", "held_on_jalali": d.jalali}, 201)
		u := e.mustCreateUnit(fmt.Sprintf("واحد مرزی %d", i), fmt.Sprintf("41%08d", 123400+i))
		e.must(t, "POST", "/api/v1/resolutions", sec, map[string]any{"text": "مصوبه", "category": "land", "agencies": []string{"راه و شهرسازی"},
			"unit_id": u.ID, "adopted_on_jalali": d.jalali}, 201)
		e.must(t, "POST", "/api/v1/cases", sec, map[string]any{"unit_id": u.ID, "channel": "phone_inquiry", "subject": "زمین",
			"opened_on_jalali": d.jalali, "outcome": "resolved"}, 201)
		e.must(t, "PATCH", idPath("/api/v1/units", u.ID), sec, map[string]any{"status": "stagnant"}, 200)
		e.must(t, "POST", fmt.Sprintf("/api/v1/units/%d/revival", u.ID), sec, map[string]any{"revived_on_jalali": d.jalali}, 201)
	}
	if r := e.do("POST", "/api/v1/sessions", sec, map[string]any{"kind": "formal", "held_on_jalali": "1404/12/30"}); r.status != 422 {
		t.Fatalf("1404/12/30 does not exist: %d", r.status)
	}
	for _, year := range []int{1402, 1403, 1404, 1405} {
		want := 0
		for _, d := range days {
			if d.year == year {
				want++
			}
		}
		f := e.must(t, "GET", fmt.Sprintf("/api/v1/reports/registry?year=%d", year), sec, nil, 200)
		got := []int64{num(t, f["sessions"].(map[string]any)["formal"]), num(t, f["resolutions"].(map[string]any)["total"]),
			num(t, f["units_examined"]), num(t, f["cases_resolved_without_session"]), num(t, f["revived_units"])}
		for i, g := range got {
			if g != int64(want) {
				t.Errorf("%d: figure %d is %d, want %d: %v", year, i, g, want, f)
			}
		}
		for _, figure := range []string{"sessions.formal", "resolutions.total", "units_examined", "cases_resolved_without_session", "revived_units"} {
			if ids, _ := e.allRows(t, sec, year, figure, 1); len(ids) != want {
				t.Errorf("%d %s: %d rows, want %d", year, figure, len(ids), want)
			}
		}
	}
}
