package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// minutes is the working group's registry with a formal session of two
// resolutions and a field session in Takestan, written through the real
// store, and a secretariat user to read and record them.
type minutes struct {
	e             *env
	store         *registry.Store
	sec           taahod.Actor
	unit          registry.Unit
	formal, field registry.Session
	first, second registry.Resolution
}

func newMinutes(t *testing.T) *minutes {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	m := &minutes{e: e, store: registry.NewStore(e.db)}
	m.sec = e.mustCreateUser("sec", "زهرا دبیر", taahod.RoleSecretariat).Actor()
	e.mustCreateUser("acc", "مریم حسابدار", taahod.RoleAccountant)
	m.unit = e.mustCreateUnit("فولاد البرز", "1010234567")
	var err error
	title := "جلسه رسمی آذر"
	if m.formal, err = m.store.CreateSession(ctx, m.sec, registry.NewSession{Kind: registry.KindFormal, HeldOnJalali: "1405/03/10", Title: &title}); err != nil {
		t.Fatal(err)
	}
	county := "تاکستان"
	if m.field, err = m.store.CreateSession(ctx, m.sec, registry.NewSession{Kind: registry.KindField, HeldOnJalali: "1404/11/20", County: &county}); err != nil {
		t.Fatal(err)
	}
	res := func(text, category, agency, deadline string) registry.Resolution {
		r, err := m.store.CreateResolution(ctx, m.sec, registry.NewResolution{SessionID: &m.formal.ID, UnitID: &m.unit.ID,
			Text: text, Category: category, Agencies: []string{agency}, DeadlineJalali: deadline})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	m.first = res("تمدید مهلت بازپرداخت تسهیلات بانکی واحد", "banking", "بانک ملی استان", "1405/04/10")
	m.second = res("وصل انشعاب گاز واحد", "gas", "شرکت گاز استان", "1405/12/01")
	return m
}

func (m *minutes) signedIn(t *testing.T) *browser {
	t.Helper()
	br := m.e.browser()
	if got := br.signIn("sec"); got != "/secretariat" {
		t.Fatalf("sign-in leads to %q", got)
	}
	return br
}

// countSessions is how many sessions and resolutions the registry holds.
func (m *minutes) count(t *testing.T) (sessions, resolutions int) {
	t.Helper()
	if err := m.e.db.GetContext(context.Background(), &sessions, `SELECT count(*) FROM sessions`); err != nil {
		t.Fatal(err)
	}
	if err := m.e.db.GetContext(context.Background(), &resolutions, `SELECT count(*) FROM resolutions`); err != nil {
		t.Fatal(err)
	}
	return sessions, resolutions
}

func TestSecretariatSessionsList(t *testing.T) {
	m := newMinutes(t)
	br := m.signedIn(t)
	all := br.get("/secretariat/sessions")
	if all.status != http.StatusOK {
		t.Fatalf("GET: %d\n%s", all.status, all.body)
	}
	for _, want := range []string{"جلسه رسمی آذر", "جلسه میدانی", "تاکستان", "۱۴۰۵/۰۳/۱۰", "۱۴۰۴/۱۱/۲۰"} {
		if !strings.Contains(all.text(), want) {
			t.Errorf("list lacks %q:\n%s", want, all.text())
		}
	}
	field := br.get("/secretariat/sessions?kind=field")
	if strings.Contains(field.text(), "جلسه رسمی آذر") || !strings.Contains(field.text(), "تاکستان") {
		t.Errorf("kind=field shows:\n%s", field.text())
	}
	if inputValue(field, "kind") != "field" {
		t.Errorf("the filter does not show kind=field chosen")
	}
	// The year typed in Persian digits: 1404 holds only the field session.
	y := br.get("/secretariat/sessions?year=" + url.QueryEscape("۱۴۰۴"))
	if y.status != http.StatusOK || strings.Contains(y.text(), "جلسه رسمی آذر") || !strings.Contains(y.text(), "تاکستان") {
		t.Errorf("year=۱۴۰۴: %d\n%s", y.status, y.text())
	}
	if bad := br.get("/secretariat/sessions?kind=party"); bad.status != http.StatusBadRequest {
		t.Errorf("kind=party: %d", bad.status)
	}
}

func TestSecretariatSessionsPaged(t *testing.T) {
	m := newMinutes(t)
	for i := range sessionsPageSize {
		if _, err := m.store.CreateSession(context.Background(), m.sec, registry.NewSession{Kind: registry.KindSiteVisit, HeldOnJalali: fmt.Sprintf("1405/01/%02d", i%28+1)}); err != nil {
			t.Fatal(err)
		}
	}
	br := m.signedIn(t)
	first := br.get("/secretariat/sessions")
	next := linkTitled(first, "بعدی")
	if next == "" || linkTitled(first, "قبلی") != "" {
		t.Fatalf("first page's links: next %q", next)
	}
	second := br.get(next)
	if second.status != http.StatusOK || linkTitled(second, "قبلی") == "" || linkTitled(second, "بعدی") != "" {
		t.Fatalf("second page: %d\n%s", second.status, second.body)
	}
	if n := strings.Count(second.body, `<tr><td><a href="/secretariat/sessions/`); n != 2 {
		t.Errorf("second page has %d sessions, want 2", n)
	}
}

func TestSecretariatSessionPage(t *testing.T) {
	m := newMinutes(t)
	a := m.signedIn(t).get(fmt.Sprintf("/secretariat/sessions/%d", m.formal.ID))
	if a.status != http.StatusOK {
		t.Fatalf("GET: %d\n%s", a.status, a.body)
	}
	for _, want := range []string{"جلسه رسمی آذر", "۱۰ خرداد ۱۴۰۵", "تمدید مهلت بازپرداخت", "وصل انشعاب گاز", "بانک ملی استان", "بانکی", "ابلاغ شده"} {
		if !strings.Contains(a.text(), want) {
			t.Errorf("session page lacks %q:\n%s", want, a.text())
		}
	}
	if !hasLink(a, fmt.Sprintf("/secretariat/resolutions/%d", m.first.ID)) {
		t.Errorf("no link to the resolution")
	}
	if nf := m.signedIn(t).get("/secretariat/sessions/999999"); nf.status != http.StatusNotFound {
		t.Errorf("unknown session: %d", nf.status)
	}
}

func TestSecretariatPagesOtherRoles(t *testing.T) {
	m := newMinutes(t)
	br := m.e.browser()
	br.signIn("acc")
	for _, path := range []string{"/secretariat/sessions", "/secretariat/sessions/new", fmt.Sprintf("/secretariat/sessions/%d", m.formal.ID)} {
		if a := br.get(path); a.status != http.StatusNotFound {
			t.Errorf("accountant GET %s: %d", path, a.status)
		}
	}
	// A signed-out visit goes to sign in.
	if a := m.e.browser().get("/secretariat/sessions"); a.status != http.StatusSeeOther {
		t.Errorf("signed out: %d", a.status)
	}
}

// sittingForm is a session of two rows as the secretariat types it, the
// second with Arabic letters and Persian digits.
func sittingForm() url.Values {
	return url.Values{
		"rows": {"2"}, "kind": {"field"}, "held_on_jalali": {"۱۴۰۵/۰۹/۰۱"}, "county": {"بوئين زهرا"},
		"title": {"جلسه میدانی بوئین‌زهرا"}, "attendees": {"بانک ملی استان\nاداره کل مالیاتی"},
		"resolutions[0][text]": {"پیگیری پروانه بهره‌برداری"}, "resolutions[0][category]": {"permits"},
		"resolutions[0][agencies]": {"سازمان صمت"}, "resolutions[0][deadline_jalali]": {"1405/10/30"},
		"resolutions[1][text]": {"تأمين برق واحد"}, "resolutions[1][category]": {"electricity"},
		"resolutions[1][agencies]": {"شركت توزيع برق"}, "resolutions[1][deadline_jalali]": {"۱۴۰۵/۱۱/۱۵"},
	}
}

func TestSecretariatNewSessionAddRowKeepsValues(t *testing.T) {
	m := newMinutes(t)
	br := m.signedIn(t)
	form := sittingForm()
	form.Set("rows", "2")
	form.Set("add_row", "1")
	a := br.submit("/secretariat/sessions/new", "/secretariat/sessions/new", form)
	if a.status != http.StatusOK {
		t.Fatalf("add_row: %d\n%s", a.status, a.body)
	}
	if got := inputValue(a, "rows"); got != "3" {
		t.Errorf("rows = %q, want 3", got)
	}
	for _, name := range []string{"resolutions[2][text]", "resolutions[2][category]", "resolutions[2][deadline_jalali]"} {
		if len(findAll(a.doc(), func(n *htmlNode) bool { return attr(n, "name") == name })) != 1 {
			t.Errorf("no empty field %s", name)
		}
	}
	for name, want := range map[string]string{"county": "بوئين زهرا", "held_on_jalali": "۱۴۰۵/۰۹/۰۱", "resolutions[1][text]": "تأمين برق واحد",
		"resolutions[0][category]": "permits", "attendees": "بانک ملی استان\nاداره کل مالیاتی"} {
		if got := inputValue(a, name); strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(want), " ") {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if s, r := m.count(t); s != 2 || r != 2 {
		t.Errorf("add_row saved something: %d sessions, %d resolutions", s, r)
	}
}

func TestSecretariatNewSessionErrorsBesideRows(t *testing.T) {
	m := newMinutes(t)
	br := m.signedIn(t)
	form := sittingForm()
	form.Set("rows", "3")
	form.Set("resolutions[1][category]", "")                  // missing
	form.Set("resolutions[1][deadline_jalali]", "1405/13/40") // unreadable
	// resolutions[2] is left empty: skipped, no error.
	a := br.submit("/secretariat/sessions/new", "/secretariat/sessions/new", form)
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422\n%s", a.status, a.body)
	}
	if got := byID(a, "r1-category-error"); got != Message("invalid_choice") {
		t.Errorf("category error %q", got)
	}
	if got := byID(a, "r1-deadline_jalali-error"); got != Message("invalid_jalali_date") {
		t.Errorf("deadline error %q", got)
	}
	if byID(a, "r0-text-error") != "" || byID(a, "r2-text-error") != "" {
		t.Errorf("errors on good or empty rows")
	}
	if got := inputValue(a, "resolutions[1][text]"); got != "تأمين برق واحد" {
		t.Errorf("typed text lost: %q", got)
	}
	if !strings.Contains(a.byRole("alert"), Message(taahod.EINVALID)) {
		t.Errorf("alert: %q", a.byRole("alert"))
	}
	if s, r := m.count(t); s != 2 || r != 2 {
		t.Errorf("a form with faults saved: %d sessions, %d resolutions", s, r)
	}

	// A fault only the registry finds (a deadline before the session's
	// date) also saves neither the session nor the good row.
	form = sittingForm()
	form.Set("resolutions[1][deadline_jalali]", "1405/08/01")
	a = br.submit("/secretariat/sessions/new", "/secretariat/sessions/new", form)
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422\n%s", a.status, a.body)
	}
	if got := byID(a, "r1-deadline_jalali-error"); got != Message("before_adoption") {
		t.Errorf("deadline error %q", got)
	}
	if s, r := m.count(t); s != 2 || r != 2 {
		t.Errorf("a refused sitting saved: %d sessions, %d resolutions", s, r)
	}

	// The session's own field.
	form = sittingForm()
	form.Set("held_on_jalali", "")
	a = br.submit("/secretariat/sessions/new", "/secretariat/sessions/new", form)
	if a.status != http.StatusUnprocessableEntity || byID(a, "held_on_jalali-error") != Message("required") {
		t.Errorf("no date: %d %q", a.status, byID(a, "held_on_jalali-error"))
	}
}

func TestSecretariatNewSessionRecordsAll(t *testing.T) {
	m := newMinutes(t)
	br := m.signedIn(t)
	a := br.submit("/secretariat/sessions/new", "/secretariat/sessions/new", sittingForm())
	if a.status != http.StatusSeeOther {
		t.Fatalf("status %d\n%s", a.status, a.body)
	}
	loc := a.header.Get("Location")
	if !strings.HasSuffix(loc, "?m=session_recorded") {
		t.Fatalf("redirect to %q", loc)
	}
	page := br.get(loc)
	if !strings.Contains(page.byRole("status"), Message("session_recorded")) {
		t.Errorf("status: %q", page.byRole("status"))
	}
	// Arabic letters are stored as Persian ones.
	for _, want := range []string{"بوئین زهرا", "پیگیری پروانه بهره‌برداری", "تأمین برق واحد", "شرکت توزیع برق", "۱۴۰۵/۱۱/۱۵", "بانک ملی استان"} {
		if !strings.Contains(page.text(), want) {
			t.Errorf("session page lacks %q:\n%s", want, page.text())
		}
	}
	if s, r := m.count(t); s != 3 || r != 4 {
		t.Errorf("%d sessions, %d resolutions; want 3 and 4", s, r)
	}
}

func TestSecretariatNewSessionNeedsCSRF(t *testing.T) {
	m := newMinutes(t)
	br := m.signedIn(t)
	form := sittingForm()
	form.Set("csrf", "forged")
	if a := br.post("/secretariat/sessions/new", form); a.status != http.StatusForbidden {
		t.Errorf("forged csrf: %d", a.status)
	}
	if s, r := m.count(t); s != 2 || r != 2 {
		t.Errorf("saved without CSRF: %d, %d", s, r)
	}
	other := m.e.browser()
	other.signIn("acc")
	if a := other.submit("/password", "/secretariat/sessions/new", sittingForm()); a.status != http.StatusNotFound {
		t.Errorf("accountant POST: %d", a.status)
	}
}

func TestSecretariatNewSessionRowBounds(t *testing.T) {
	m := newMinutes(t)
	br := m.signedIn(t)
	// The added row takes the focus; the first page's row does not.
	if a := br.get("/secretariat/sessions/new"); len(findAll(a.doc(), func(n *htmlNode) bool { return hasAttr(n, "autofocus") })) != 0 {
		t.Errorf("the new form has an autofocus")
	}
	a := br.submit("/secretariat/sessions/new", "/secretariat/sessions/new", url.Values{"rows": {"1"}, "add_row": {"1"}})
	focused := findAll(a.doc(), func(n *htmlNode) bool { return hasAttr(n, "autofocus") })
	if len(focused) != 1 || attr(focused[0], "name") != "resolutions[1][text]" {
		t.Errorf("after add_row the focus is on %d fields", len(focused))
	}
	// A tampered row count is bounded, and the last row cannot be passed.
	a = br.submit("/secretariat/sessions/new", "/secretariat/sessions/new", url.Values{"rows": {"100000"}, "add_row": {"1"}})
	if got := inputValue(a, "rows"); a.status != http.StatusOK || got != fmt.Sprint(maxResolutionRows) || !strings.Contains(a.byRole("alert"), Message("too_many_resolution_rows")) {
		t.Errorf("rows=100000: %d rows %q alert %q", a.status, got, a.byRole("alert"))
	}
}
