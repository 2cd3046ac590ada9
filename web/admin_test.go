package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
)

// adminEnv is an administrator signed in, with a unit to give accountants.
type adminEnv struct {
	*env
	admin auth.User
	b     *browser
	unit  int64
}

func newAdminEnv(t *testing.T) *adminEnv {
	t.Helper()
	e := newEnv(t)
	a := &adminEnv{env: e, admin: e.mustCreateUser("boss", "مدیر سامانه", taahod.RoleAdmin), b: e.browser(),
		unit: e.mustCreateUnit("فولاد البرز", "1010234567").ID}
	a.b.signIn("boss")
	return a
}

// countUsers is how many users there are.
func (a *adminEnv) countUsers() int {
	a.t.Helper()
	var n int
	if err := a.db.GetContext(context.Background(), &n, `SELECT count(*) FROM users`); err != nil {
		a.t.Fatal(err)
	}
	return n
}

// auditActions are the actions of the trail's entries on target_type
// that are named after it ("user.update", not "auth.login"), oldest first.
func (a *adminEnv) auditActions(targetType string) []string {
	a.t.Helper()
	entries, err := a.db.AuditEntries(context.Background(), database.AuditFilter{TargetType: targetType, Ascending: true, Limit: 100})
	if err != nil {
		a.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Action, targetType+".") {
			out = append(out, e.Action)
		}
	}
	return out
}

// oneTimePassword follows the redirect of a form that made a one-time
// password and returns it, checking the page shows it.
func (a *adminEnv) oneTimePassword(res answer) (string, string) {
	a.t.Helper()
	loc := res.header.Get("Location")
	if res.status != http.StatusSeeOther || !strings.Contains(loc, "/password?k=") {
		a.t.Fatalf("want a redirect to the one-time password page, got %d %q\n%s", res.status, loc, res.body)
	}
	page := a.b.get(loc)
	pw := byID(page, "one-time-password")
	if page.status != http.StatusOK || len(pw) < 16 {
		a.t.Fatalf("the password page: %d, password %q\n%s", page.status, pw, page.body)
	}
	return pw, loc
}

func TestAdminCreatesAccountant(t *testing.T) {
	a := newAdminEnv(t)
	before := a.countUsers()

	// Errors: kept as typed, each beside its field, nothing saved.
	res := a.b.submit("/admin/users/new", "/admin/users", url.Values{"username": {"Bad Name!"}, "full_name": {"مريم رضايي"},
		"role": {"accountant"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %d, want 422\n%s", res.status, res.body)
	}
	if got := inputValue(res, "full_name"); got != "مريم رضايي" {
		t.Errorf("full_name not kept: %q", got)
	}
	if got := inputValue(res, "username"); got != "Bad Name!" {
		t.Errorf("username not kept: %q", got)
	}
	if got := byID(res, "username-error"); got != Message("invalid_username") {
		t.Errorf("username error %q", got)
	}
	if got := byID(res, "units-error"); got != Message("required") {
		t.Errorf("units error %q", got)
	}
	if a.countUsers() != before {
		t.Fatalf("a refused form saved a user")
	}

	// Without the form's token: 403, nothing saved.
	res = a.b.post("/admin/users", url.Values{"username": {"maryam"}, "full_name": {"مریم"}, "role": {"accountant"},
		"units": {fmt.Sprint(a.unit)}})
	if res.status != http.StatusForbidden || a.countUsers() != before {
		t.Fatalf("no CSRF: %d, users %d → %d", res.status, before, a.countUsers())
	}

	res = a.b.submit("/admin/users/new", "/admin/users", url.Values{"username": {"Maryam"}, "full_name": {"مريم رضايي"},
		"role": {"accountant"}, "units": {PersianDigits(fmt.Sprint(a.unit))}})
	pw, loc := a.oneTimePassword(res)
	// Shown once: the same page again, or another administrator's, says it is gone.
	again := a.b.get(loc)
	if again.status != http.StatusGone || strings.Contains(again.body, pw) {
		t.Errorf("the one-time password page opened again: %d, password shown: %v", again.status, strings.Contains(again.body, pw))
	}
	users, err := a.auth.ListUsers(context.Background(), auth.UserFilter{Q: "maryam", Limit: 10})
	if err != nil || len(users) != 1 {
		t.Fatalf("the new user: %v %v", users, err)
	}
	u := users[0]
	if u.Role != taahod.RoleAccountant || len(u.UnitIDs) != 1 || u.UnitIDs[0] != a.unit || *u.FullName != "مریم رضایی" || !u.MustChangePassword {
		t.Errorf("stored %+v (name %q)", u, *u.FullName)
	}
	if got := a.auditActions("user"); len(got) == 0 || got[len(got)-1] != "user.create" {
		t.Errorf("audit of users: %v", got)
	}

	// The new accountant signs in with it and is sent to choose their own.
	nb := a.browser()
	in := nb.submit("/signin", "/signin", url.Values{"username": {"maryam"}, "password": {pw}})
	if in.status != http.StatusSeeOther {
		t.Fatalf("sign in with the one-time password: %d", in.status)
	}
	if got := nb.get("/accountant"); got.status != http.StatusSeeOther || got.header.Get("Location") != "/password" {
		t.Errorf("a one-time password leads to /password first: %d %q", got.status, got.header.Get("Location"))
	}

	// A taken user name: 409, said beside the field.
	res = a.b.submit("/admin/users/new", "/admin/users", url.Values{"username": {"maryam"}, "full_name": {"دیگری"},
		"role": {"auditor"}})
	if res.status != http.StatusConflict || byID(res, "username-error") != Message("taken") {
		t.Errorf("a taken user name: %d %q", res.status, byID(res, "username-error"))
	}
}

func TestAdminDisablesUserAndTheirSessionEnds(t *testing.T) {
	a := newAdminEnv(t)
	acc := a.mustCreateUser("acc", "حسابدار", taahod.RoleAccountant, a.unit)
	ab := a.browser()
	ab.signIn("acc")
	if got := ab.get("/accountant"); got.status != http.StatusOK {
		t.Fatalf("the accountant's home: %d", got.status)
	}
	page := userPath(acc.ID)
	res := a.b.submit(page, page+"/disabled", url.Values{"disabled": {"true"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != page+"?m=user_disabled" {
		t.Fatalf("disable: %d %q\n%s", res.status, res.header.Get("Location"), res.body)
	}
	if got := a.b.get(page + "?m=user_disabled"); got.byRole("status") != Message("user_disabled") {
		t.Errorf("status %q", got.byRole("status"))
	}
	if got := ab.get("/accountant"); got.status != http.StatusSeeOther || !strings.HasPrefix(got.header.Get("Location"), "/signin") {
		t.Errorf("a disabled user's open session goes on: %d %q", got.status, got.header.Get("Location"))
	}
	if in := ab.submit("/signin", "/signin", url.Values{"username": {"acc"}, "password": {"password-of-acc"}}); in.status == http.StatusSeeOther {
		t.Errorf("a disabled user signed in")
	}
	res = a.b.submit(page, page+"/disabled", url.Values{"disabled": {"false"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("enable: %d", res.status)
	}
	if ab.signIn("acc") != "/accountant" {
		t.Errorf("an enabled user cannot sign in")
	}
	if got := a.auditActions("user"); len(got) < 3 || got[len(got)-1] != "user.update" || got[len(got)-2] != "user.update" {
		t.Errorf("audit: %v", got)
	}

	// The administrator's own account: not disabled, not the last admin demoted.
	self := userPath(a.admin.ID)
	res = a.b.submit(self, self+"/disabled", url.Values{"disabled": {"true"}})
	if res.status != http.StatusUnprocessableEntity {
		t.Errorf("disable oneself: %d", res.status)
	}
	res = a.b.submit(self, self, url.Values{"full_name": {"مدیر"}, "role": {"auditor"}})
	if res.status != http.StatusConflict || res.byRole("alert") != Message("last_admin") {
		t.Errorf("demote the last admin: %d %q", res.status, res.byRole("alert"))
	}
	if inputValue(res, "role") != "auditor" || inputValue(res, "full_name") != "مدیر" {
		t.Errorf("the refused change was not kept as typed")
	}
	if u, _ := a.auth.GetUser(context.Background(), a.admin.ID); u.Role != taahod.RoleAdmin {
		t.Errorf("the last admin was demoted")
	}
}

func TestAdminResetsPasswordAndChangesUnits(t *testing.T) {
	a := newAdminEnv(t)
	other := a.mustCreateUnit("سیمان قزوین", "1010765432")
	acc := a.mustCreateUser("acc", "حسابدار", taahod.RoleAccountant, a.unit)
	ab := a.browser()
	ab.signIn("acc")
	page := userPath(acc.ID)

	pw, _ := a.oneTimePassword(a.b.submit(page, page+"/reset-password", url.Values{}))
	if got := ab.get("/accountant"); got.status != http.StatusSeeOther {
		t.Errorf("the reset did not end the user's session: %d", got.status)
	}
	if in := ab.submit("/signin", "/signin", url.Values{"username": {"acc"}, "password": {pw}}); in.status != http.StatusSeeOther {
		t.Errorf("sign in with the reset password: %d", in.status)
	}

	// Units: another one; a unit that does not exist is refused beside the field.
	res := a.b.submit(page, page, url.Values{"full_name": {"حسابدار"}, "role": {"accountant"}, "units": {"999999"}})
	if res.status != http.StatusUnprocessableEntity || byID(res, "units-error") != Message("unknown_unit") {
		t.Errorf("unknown unit: %d %q", res.status, byID(res, "units-error"))
	}
	res = a.b.submit(page, page, url.Values{"full_name": {"حسابدار"}, "role": {"accountant"}, "units": {fmt.Sprint(other.ID)}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("change units: %d\n%s", res.status, res.body)
	}
	if u, _ := a.auth.GetUser(context.Background(), acc.ID); len(u.UnitIDs) != 1 || u.UnitIDs[0] != other.ID {
		t.Errorf("units now %v", u.UnitIDs)
	}
	// The role changes away from accountant: the units go with it.
	if res = a.b.submit(page, page, url.Values{"full_name": {"حسابرس"}, "role": {"auditor"}}); res.status != http.StatusSeeOther {
		t.Fatalf("change role: %d\n%s", res.status, res.body)
	}
	if u, _ := a.auth.GetUser(context.Background(), acc.ID); u.Role != taahod.RoleAuditor || len(u.UnitIDs) != 0 {
		t.Errorf("after the role change: %s %v", u.Role, u.UnitIDs)
	}
	if got := a.b.get("/admin/users?role=auditor&q=acc"); !strings.Contains(got.text(), "acc") {
		t.Errorf("the filtered list lacks the user")
	}
	if got := a.b.get("/admin/users?role=accountant"); strings.Contains(got.body, `href="`+page+`"`) {
		t.Errorf("the accountants' list shows the auditor")
	}
}

func TestAdminPagesAreTheAdministrators(t *testing.T) {
	a := newAdminEnv(t)
	a.mustCreateUser("aud", "حسابرس", taahod.RoleAuditor)
	b := a.browser()
	b.signIn("aud")
	for _, path := range []string{"/admin", "/admin/users", "/admin/users/new", userPath(a.admin.ID), "/admin/units", "/admin/units/new"} {
		if got := b.get(path); got.status != http.StatusNotFound {
			t.Errorf("auditor GET %s: %d, want 404", path, got.status)
		}
	}
	res := b.submit("/auditor", "/admin/users", url.Values{"username": {"x1"}, "full_name": {"x"}, "role": {"auditor"}})
	if res.status != http.StatusNotFound {
		t.Errorf("auditor POST /admin/users: %d", res.status)
	}
}

func TestAdminUnits(t *testing.T) {
	a := newAdminEnv(t)
	count := func() int {
		var n int
		if err := a.db.GetContext(context.Background(), &n, `SELECT count(*) FROM units`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	res := a.b.submit("/admin/units/new", "/admin/units", url.Values{"name": {"سيمان آبيک"}, "national_id": {"۱۲۳"}, "county": {"آبیک"}})
	if res.status != http.StatusUnprocessableEntity || byID(res, "national_id-error") == "" || inputValue(res, "name") != "سيمان آبيک" {
		t.Fatalf("bad unit: %d %q %q", res.status, byID(res, "national_id-error"), inputValue(res, "name"))
	}
	if count() != before {
		t.Fatal("a refused unit was saved")
	}
	id := PersianDigits(taahod.MakeLegalEntityID("1010999888"))
	res = a.b.submit("/admin/units/new", "/admin/units", url.Values{"name": {"سيمان آبيک"}, "national_id": {id}, "county": {"آبیک"},
		"status": {"active"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("create unit: %d\n%s", res.status, res.body)
	}
	loc, _, _ := strings.Cut(res.header.Get("Location"), "?")
	page := a.b.get(res.header.Get("Location"))
	if page.byRole("status") != Message("unit_created") || inputValue(page, "name") != "سیمان آبیک" {
		t.Errorf("the new unit's page: %q %q", page.byRole("status"), inputValue(page, "name"))
	}
	res = a.b.submit(loc, loc, url.Values{"name": {"سیمان آبیک"}, "national_id": {id}, "county": {"آبیک"}, "status": {"stagnant"},
		"activity": {"تولید سیمان"}})
	if res.status != http.StatusSeeOther {
		t.Fatalf("edit unit: %d\n%s", res.status, res.body)
	}
	list := a.b.get("/admin/units?status=stagnant")
	if !strings.Contains(list.text(), "سیمان آبیک") || strings.Contains(list.text(), "فولاد البرز") {
		t.Errorf("stagnant units: %s", list.text())
	}
	if got := a.b.get("/admin/units?q=" + url.QueryEscape("فولاد")); !strings.Contains(got.text(), "فولاد البرز") || strings.Contains(got.text(), "سیمان آبیک") {
		t.Errorf("q filter: %s", got.text())
	}
	if got := a.auditActions("unit"); len(got) < 2 || got[len(got)-1] != "unit.update" {
		t.Errorf("unit audit: %v", got)
	}
}
