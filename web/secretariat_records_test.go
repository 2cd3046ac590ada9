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
	"golang.org/x/net/html"
)

// registryDesk is a secretariat user, an accountant, two units and the
// registry store the tests read behind the pages.
type registryDesk struct {
	*env
	reg          *registry.Store
	steel, glass registry.Unit
}

func newRegistryDesk(t *testing.T) *registryDesk {
	t.Helper()
	e := newEnv(t)
	d := &registryDesk{env: e, reg: registry.NewStore(e.db)}
	d.steel = e.mustCreateUnit("شرکت فولاد البرز", "1010234567")
	d.glass = e.mustCreateUnit("شیشه قزوین", "1010765432")
	e.mustCreateUser("secretariat", "علی محمدی", taahod.RoleSecretariat)
	e.mustCreateUser("accountant", "مریم رضایی", taahod.RoleAccountant, d.steel.ID)
	e.mustCreateUser("education", "زهرا احمدی", taahod.RoleEducationOfficer)
	return d
}

func (d *registryDesk) signedIn(t *testing.T, username string) *browser {
	t.Helper()
	b := d.browser()
	b.signIn(username)
	return b
}

// countCases counts every case in the registry.
func (d *registryDesk) countCases(t *testing.T) int {
	t.Helper()
	var n int
	if err := d.db.GetContext(context.Background(), &n, `SELECT count(*) FROM cases`); err != nil {
		t.Fatal(err)
	}
	return n
}

func (d *registryDesk) mustCase(t *testing.T, in registry.NewCase) registry.Case {
	t.Helper()
	c, err := d.reg.CreateCase(context.Background(), taahod.System, in)
	if err != nil {
		t.Fatalf("create case: %v", err)
	}
	return c
}

func TestSecretariatHomeCountsAndAreas(t *testing.T) {
	d := newRegistryDesk(t)
	year := taahod.Today(d.db.Now()).FiscalYear()
	today := taahod.Today(d.db.Now()).Jalali()
	d.mustCase(t, registry.NewCase{UnitID: &d.steel.ID, Channel: registry.ChannelPhone, Subject: "گاز", OpenedOnJalali: today})
	d.mustCase(t, registry.NewCase{UnitID: &d.glass.ID, Channel: registry.ChannelPhone, Subject: "برق", OpenedOnJalali: today,
		Outcome: registry.OutcomeResolved})
	// Two resolutions past their deadline, one of them implemented since.
	for i, deadline := range []string{"1404/05/01", "1404/06/01"} {
		r, err := d.reg.CreateResolution(context.Background(), taahod.System, registry.NewResolution{UnitID: &d.steel.ID,
			Text: "تمدید تسهیلات", Category: "banking", Agencies: []string{"بانک ملی"}, AdoptedOnJalali: "1404/04/10", DeadlineJalali: deadline})
		if err != nil {
			t.Fatal(err)
		}
		if i == 1 {
			if _, err := d.reg.ChangeStatus(context.Background(), taahod.System, r.ID, registry.StatusChange{Status: registry.StatusImplemented}); err != nil {
				t.Fatal(err)
			}
		}
	}
	list, err := d.reg.Overdue(context.Background(), registry.SignedIn(taahod.System), 0, 0)
	if err != nil || list.Resolutions != 1 {
		t.Fatalf("overdue: %d %v", list.Resolutions, err)
	}
	b := d.signedIn(t, "secretariat")
	a := b.get("/secretariat")
	if got := linkTitled(a, "۱ مصوبه که مهلتش گذشته"); got != "/secretariat/resolutions/overdue" {
		t.Errorf("overdue: link %q\n%s", got, a.text())
	}
	if a.status != http.StatusOK {
		t.Fatalf("home: %d", a.status)
	}
	y := fmt.Sprint(year)
	for _, href := range []string{"/secretariat/sessions", "/secretariat/resolutions", "/secretariat/resolutions/overdue",
		"/secretariat/cases", "/secretariat/revivals", "/secretariat/import", "/secretariat/figures?year=" + y} {
		if !hasLink(a, href) {
			t.Errorf("the home has no link to %s", href)
		}
	}
	if got := linkTitled(a, "۱ پرونده باز"); got != "/secretariat/cases?outcome=open" {
		t.Errorf("open cases: link %q\n%s", got, a.text())
	}
	if got := linkTitled(a, "۲ پرونده در سال"); got != "/secretariat/cases?year="+y {
		t.Errorf("cases of the year: link %q\n%s", got, a.text())
	}
	if !strings.Contains(a.text(), "۰ جلسه در سال") {
		t.Errorf("sessions of the year not counted:\n%s", a.text())
	}
}

func TestSecretariatPagesOtherRolesNotFound(t *testing.T) {
	d := newRegistryDesk(t)
	c := d.mustCase(t, registry.NewCase{UnitID: &d.steel.ID, Channel: registry.ChannelPhone, Subject: "گاز", OpenedOnJalali: "1404/05/01"})
	for _, user := range []string{"accountant", "education"} {
		b := d.signedIn(t, user)
		for _, path := range []string{"/secretariat", "/secretariat/cases", fmt.Sprintf("/secretariat/cases/%d", c.ID),
			"/secretariat/cases/new", "/secretariat/revivals", "/secretariat/import", "/secretariat/import/template?kind=cases",
			"/secretariat/figures", "/secretariat/figures/rows?figure=referrals"} {
			if a := b.get(path); a.status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", user, path, a.status)
			}
		}
		home := b.get(homeOf(map[string]taahod.Role{"accountant": taahod.RoleAccountant, "education": taahod.RoleEducationOfficer}[user]))
		form := url.Values{"csrf": {home.csrf()}, "unit_id": {fmt.Sprint(d.glass.ID)}, "channel": {registry.ChannelPhone},
			"subject": {"x"}, "opened_on_jalali": {"1404/05/01"}}
		if a := b.post("/secretariat/cases/new", form); a.status != http.StatusNotFound {
			t.Errorf("%s POST a case: %d, want 404", user, a.status)
		}
	}
	if n := d.countCases(t); n != 1 {
		t.Errorf("cases: %d, want 1", n)
	}
}

func TestSecretariatCasesFilterAndPages(t *testing.T) {
	d := newRegistryDesk(t)
	rows := make([]registry.CaseRow, 0, 60)
	for i := range 60 {
		ch := registry.ChannelPhone
		if i%3 == 0 {
			ch = registry.ChannelReferralNational
		}
		rows = append(rows, registry.CaseRow{NewCase: registry.NewCase{UnitID: &d.steel.ID, Channel: ch,
			Subject: fmt.Sprintf("موضوع %d", i), OpenedOnJalali: "1404/05/01"}})
	}
	if _, err := d.reg.ImportCases(context.Background(), taahod.System, rows, "test"); err != nil {
		t.Fatal(err)
	}
	b := d.signedIn(t, "secretariat")
	a := b.get("/secretariat/cases?channel=referral_national")
	if a.status != http.StatusOK {
		t.Fatalf("cases: %d", a.status)
	}
	if n := strings.Count(a.body, "<tr><td><a href=\"/secretariat/cases/"); n != 20 {
		t.Errorf("referrals: %d rows, want 20", n)
	}
	if inputValue(a, "channel") != "referral_national" {
		t.Error("the filter is not shown again")
	}
	first := b.get("/secretariat/cases")
	if n := strings.Count(first.body, "<tr><td><a href=\"/secretariat/cases/"); n != recordsPageSize {
		t.Errorf("first page: %d rows, want %d", n, recordsPageSize)
	}
	next := linkTitled(first, "بعدی")
	if next == "" {
		t.Fatal("no «بعدی» link")
	}
	second := b.get(next)
	if n := strings.Count(second.body, "<tr><td><a href=\"/secretariat/cases/"); n != 10 {
		t.Errorf("second page: %d rows, want 10", n)
	}
	if prev := linkTitled(second, "قبلی"); prev == "" || b.get(prev).body != first.body {
		t.Errorf("«قبلی» %q does not lead back to the first page", prev)
	}
	if a := b.get("/secretariat/cases?channel=fax"); a.status != http.StatusBadRequest {
		t.Errorf("unknown channel: %d, want 400", a.status)
	}
	// Text search across Arabic and Persian letters.
	if a := b.get("/secretariat/cases?q=" + url.QueryEscape("موضوع 59")); !strings.Contains(a.text(), "موضوع 59") {
		t.Error("search finds nothing")
	}
}

func TestSecretariatNewCase(t *testing.T) {
	d := newRegistryDesk(t)
	b := d.signedIn(t, "secretariat")
	form := url.Values{"unit_id": {fmt.Sprint(d.steel.ID)}, "channel": {registry.ChannelWritten},
		"subject": {"تأخير در پاسخ بانك"}, "category": {"banking"}, "opened_on_jalali": {"۱۴۰۴/۱۳/۰۱"}}
	a := b.submit("/secretariat/cases/new", "/secretariat/cases/new", form)
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad date: %d, want 422", a.status)
	}
	if inputValue(a, "subject") != "تأخير در پاسخ بانك" || inputValue(a, "opened_on_jalali") != "۱۴۰۴/۱۳/۰۱" || inputValue(a, "channel") != registry.ChannelWritten {
		t.Error("the typed values are not kept")
	}
	if byID(a, "opened_on_jalali-error") == "" {
		t.Errorf("no error beside the date:\n%s", a.text())
	}
	if n := d.countCases(t); n != 0 {
		t.Fatalf("a refused form saved %d cases", n)
	}
	// An open case with a closing day: the registry's rule, beside the field.
	form.Set("opened_on_jalali", "۱۴۰۴/۰۵/۱۰")
	form.Set("outcome", registry.OutcomeOpen)
	form.Set("closed_on_jalali", "1404/5/20")
	a = b.submit("/secretariat/cases/new", "/secretariat/cases/new", form)
	if a.status != http.StatusUnprocessableEntity || byID(a, "closed_on_jalali-error") != Message("open_case_closed") {
		t.Fatalf("open case closed: %d %q", a.status, byID(a, "closed_on_jalali-error"))
	}
	// Without the form's token: 403, nothing saved.
	form.Set("outcome", registry.OutcomeResolved)
	form.Del("csrf") // submit set the token of the page before
	if a := b.post("/secretariat/cases/new", form); a.status != http.StatusForbidden {
		t.Errorf("no CSRF: %d, want 403", a.status)
	}
	if n := d.countCases(t); n != 0 {
		t.Fatalf("saved %d cases", n)
	}
	a = b.submit("/secretariat/cases/new", "/secretariat/cases/new", form)
	if a.status != http.StatusSeeOther {
		t.Fatalf("good case: %d\n%s", a.status, a.text())
	}
	page := b.get(a.header.Get("Location"))
	if !strings.Contains(page.byRole("status"), Message("case_recorded")) {
		t.Errorf("no status message: %q", page.byRole("status"))
	}
	cs, err := d.reg.ListCases(context.Background(), registry.SignedIn(taahod.System), registry.CaseFilter{Limit: 10})
	if err != nil || len(cs) != 1 {
		t.Fatalf("cases: %v %v", cs, err)
	}
	c := cs[0]
	if c.Subject != "تأخیر در پاسخ بانک" || c.OpenedOnJalali != "1404/05/10" || c.Outcome != registry.OutcomeResolved || c.ClosedOnJalali == nil || *c.ClosedOnJalali != "1404/05/20" {
		t.Errorf("case as saved: %+v", c)
	}
	if !strings.Contains(page.text(), "۱۰ مرداد ۱۴۰۴") {
		t.Errorf("the case page does not show its date:\n%s", page.text())
	}
}

func TestSecretariatCaseOutcome(t *testing.T) {
	d := newRegistryDesk(t)
	c := d.mustCase(t, registry.NewCase{UnitID: &d.steel.ID, Channel: registry.ChannelPhone, Subject: "گاز", OpenedOnJalali: "1404/05/01"})
	b := d.signedIn(t, "secretariat")
	path := fmt.Sprintf("/secretariat/cases/%d", c.ID)
	// Referred is only for a referral: 422, the case unchanged.
	a := b.submit(path, path+"/outcome", url.Values{"outcome": {registry.OutcomeReferred}, "closed_on_jalali": {"1404/05/03"}})
	if a.status != http.StatusUnprocessableEntity || byID(a, "outcome-error") == "" {
		t.Fatalf("referred inquiry: %d %q", a.status, byID(a, "outcome-error"))
	}
	if inputValue(a, "closed_on_jalali") != "1404/05/03" || inputValue(a, "outcome") != registry.OutcomeReferred {
		t.Error("typed values not kept")
	}
	if got, _ := d.reg.FindCase(context.Background(), registry.SignedIn(taahod.System), c.ID); got.Outcome != registry.OutcomeOpen {
		t.Fatalf("a refused outcome was saved: %s", got.Outcome)
	}
	if a := b.post(path+"/outcome", url.Values{"outcome": {registry.OutcomeResolved}}); a.status != http.StatusForbidden {
		t.Errorf("no CSRF: %d", a.status)
	}
	a = b.submit(path, path+"/outcome", url.Values{"outcome": {registry.OutcomeResolved}, "closed_on_jalali": {"۱۴۰۴/۰۵/۰۳"}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("resolved: %d\n%s", a.status, a.text())
	}
	got, _ := d.reg.FindCase(context.Background(), registry.SignedIn(taahod.System), c.ID)
	if got.Outcome != registry.OutcomeResolved || got.ClosedOnJalali == nil || *got.ClosedOnJalali != "1404/05/03" {
		t.Errorf("case: %+v", got)
	}
	if a := b.get("/secretariat/cases/999999"); a.status != http.StatusNotFound {
		t.Errorf("unknown case: %d", a.status)
	}
}

func TestSecretariatRevival(t *testing.T) {
	d := newRegistryDesk(t)
	ctx := context.Background()
	stagnant, err := d.reg.CreateUnit(ctx, taahod.System, registry.NewUnit{Name: "نساجی راکد", NationalID: taahod.MakeLegalEntityID("1010999888"),
		County: "قزوین", Status: registry.UnitStagnant})
	if err != nil {
		t.Fatal(err)
	}
	b := d.signedIn(t, "secretariat")
	page := b.get("/secretariat/revivals")
	if got := optionsOf(page, "unit_id"); got != fmt.Sprintf(",%d", stagnant.ID) {
		t.Errorf("the form offers %q, want only the stagnant unit", got)
	}
	// A bad date: 422, kept, nothing saved.
	a := b.submit("/secretariat/revivals", "/secretariat/revivals", url.Values{"unit_id": {fmt.Sprint(stagnant.ID)}, "revived_on_jalali": {"1404/12/30"}, "note": {"با تسهيلات"}})
	if a.status != http.StatusUnprocessableEntity || byID(a, "revived_on_jalali-error") == "" || inputValue(a, "note") != "با تسهيلات" {
		t.Fatalf("bad date: %d %q", a.status, byID(a, "revived_on_jalali-error"))
	}
	// A unit that is not stagnant: 409 beside the unit.
	a = b.submit("/secretariat/revivals", "/secretariat/revivals", url.Values{"unit_id": {fmt.Sprint(d.glass.ID)}, "revived_on_jalali": {"1404/08/01"}})
	if a.status != http.StatusConflict || byID(a, "unit_id-error") != Message("unit_not_stagnant") {
		t.Fatalf("active unit: %d %q", a.status, byID(a, "unit_id-error"))
	}
	if a := b.post("/secretariat/revivals", url.Values{"unit_id": {fmt.Sprint(stagnant.ID)}, "revived_on_jalali": {"1404/08/01"}}); a.status != http.StatusForbidden {
		t.Errorf("no CSRF: %d", a.status)
	}
	if rs, _ := d.reg.ListRevivals(ctx, registry.RevivalFilter{Limit: 10}); len(rs) != 0 {
		t.Fatalf("refused revivals saved: %v", rs)
	}
	a = b.submit("/secretariat/revivals", "/secretariat/revivals", url.Values{"unit_id": {fmt.Sprint(stagnant.ID)}, "revived_on_jalali": {"۱۴۰۴/۰۸/۰۱"}, "note": {"با تسهيلات"}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("revive: %d\n%s", a.status, a.text())
	}
	page = b.get(a.header.Get("Location"))
	if !strings.Contains(page.byRole("status"), Message("unit_revived")) || !strings.Contains(page.text(), "۱۴۰۴/۰۸/۰۱") || !strings.Contains(page.text(), "با تسهیلات") {
		t.Errorf("the list does not show the revival:\n%s", page.text())
	}
	if u, _ := d.reg.FindUnit(ctx, taahod.System, stagnant.ID); u.Status != registry.UnitRevived {
		t.Errorf("unit status %s", u.Status)
	}
}

// optionsOf is the values of the options of the select with the id,
// joined by commas.
func optionsOf(a answer, id string) string {
	var vals []string
	for _, sel := range findAll(a.doc(), func(n *html.Node) bool { return n.Data == "select" && attr(n, "id") == id }) {
		for _, o := range findAll(sel, func(n *html.Node) bool { return n.Data == "option" }) {
			vals = append(vals, attr(o, "value"))
		}
	}
	return strings.Join(vals, ",")
}
