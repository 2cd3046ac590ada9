package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
)

func TestSignInLeadsEachRoleHome(t *testing.T) {
	e := newEnv(t)
	unit := e.mustCreateUnit("شرکت سیمان قزوین", "1010101010")
	e.mustCreateUnit("واحد دیگری که از آن او نیست", "1020202020")
	e.mustCreateUser("acc", "مریم رضایی", taahod.RoleAccountant, unit.ID)
	e.mustCreateUser("tax", "علی کریمی", taahod.RoleTaxOfficer)

	b := e.browser()
	if got := b.signIn("acc"); got != "/accountant" {
		t.Fatalf("accountant led to %q", got)
	}
	home := b.get("/accountant")
	if home.status != http.StatusOK {
		t.Fatalf("home: %d", home.status)
	}
	text := home.text()
	for _, want := range []string{"مریم رضایی", "حسابدار واحد", "شرکت سیمان قزوین", "قزوین"} {
		if !strings.Contains(text, want) {
			t.Errorf("accountant's home lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "واحد دیگری") {
		t.Errorf("accountant's home shows a unit not theirs")
	}
	if !strings.Contains(home.body, "<bdi>") {
		t.Errorf("the national id is not isolated in <bdi>")
	}
	if a := b.get("/tax-office"); a.status != http.StatusNotFound {
		t.Errorf("accountant opening the tax office's home: %d, want 404", a.status)
	}
	for _, path := range []string{"/", "/signin"} {
		if a := b.get(path); a.status != http.StatusSeeOther || a.header.Get("Location") != "/accountant" {
			t.Errorf("%s signed in: %d → %q", path, a.status, a.header.Get("Location"))
		}
	}

	tb := e.browser()
	if got := tb.signIn("tax"); got != "/tax-office" {
		t.Fatalf("tax officer led to %q", got)
	}
	if text := tb.get("/tax-office").text(); !strings.Contains(text, "علی کریمی") || !strings.Contains(text, "صف بررسی") {
		t.Errorf("tax office home:\n%s", text)
	}
}

func TestSessionCookie(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("acc", "", taahod.RoleAccountant)
	b := e.browser()
	page := b.get("/signin")
	form := url.Values{"csrf": {page.csrf()}, "username": {"acc"}, "password": {"password-of-acc"}}
	a := b.post("/signin", form)
	var session *http.Cookie
	for _, c := range (&http.Response{Header: a.header}).Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil {
		t.Fatalf("no session cookie set: %v", a.header)
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Secure {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/, not Secure over http", session)
	}
	// The cookie is the API's own token kind: it works as a bearer token.
	req, _ := http.NewRequest("GET", e.http.URL+"/api/v1/auth/me", nil)
	req.Header.Set("Authorization", "Bearer "+session.Value)
	if r := b.do(req); r.status != http.StatusOK || !strings.Contains(r.body, `"username":"acc"`) {
		t.Errorf("the cookie's token as a bearer token: %d %s", r.status, r.body)
	}
}

func TestSecureCookieOverHTTPS(t *testing.T) {
	p := &Pages{cfg: Config{SecureCookies: true}}
	w := newRecorderContext()
	p.setCookie(w.c, sessionCookie, "x", 0)
	if h := w.rec.Header().Get("Set-Cookie"); !strings.Contains(h, "Secure") || !strings.Contains(h, "HttpOnly") {
		t.Errorf("Set-Cookie %q", h)
	}
}

func TestWrongPasswordKeepsUserName(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("acc", "", taahod.RoleAccountant)
	b := e.browser()
	a := b.submit("/signin", "/signin", url.Values{"username": {"acc"}, "password": {"not-the-password"}})
	if a.status != http.StatusUnauthorized {
		t.Fatalf("wrong password: %d", a.status)
	}
	if got := a.byRole("alert"); got != Message(taahod.EBADCREDENTIALS) {
		t.Errorf("alert %q", got)
	}
	doc := a.doc()
	in := findAll(doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "username" })
	if len(in) != 1 || attr(in[0], "value") != "acc" {
		t.Errorf("the user name typed is not kept")
	}
	pw := findAll(doc, func(n *htmlNode) bool { return n.Data == "input" && attr(n, "name") == "password" })
	if len(pw) != 1 || attr(pw[0], "value") != "" {
		t.Errorf("the password typed is shown again")
	}
	if b.cookie(sessionCookie) != "" {
		t.Errorf("a session cookie after a failed sign-in")
	}

	// An empty form names each field beside it.
	a = b.submit("/signin", "/signin", url.Values{"username": {""}, "password": {""}})
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("empty form: %d", a.status)
	}
	for _, id := range []string{"username-error", "password-error"} {
		errs := findAll(a.doc(), func(n *htmlNode) bool { return attr(n, "id") == id })
		if len(errs) != 1 || textOf(errs[0]) != Message("required") {
			t.Errorf("%s missing or wrong", id)
		}
	}
}

func TestFailedSignInLimit(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("acc", "", taahod.RoleAccountant)
	b := e.browser()
	for i := 0; i < auth.MaxFailures; i++ {
		if a := b.submit("/signin", "/signin", url.Values{"username": {"acc"}, "password": {"wrong-wrong-wrong"}}); a.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i+1, a.status)
		}
	}
	a := b.submit("/signin", "/signin", url.Values{"username": {"acc"}, "password": {"password-of-acc"}})
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Fatalf("after %d failures the right password: %d (Retry-After %q)", auth.MaxFailures, a.status, a.header.Get("Retry-After"))
	}
	if got := a.byRole("alert"); got != Message(taahod.ERATELIMITED) {
		t.Errorf("alert %q", got)
	}
}

// Wrong current passwords on the change-password page count as failed
// sign-ins; once over the limit the page says when to try again, in the
// Retry-After header as the sign-in page does.
func TestPasswordPageLimit(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("acc", "", taahod.RoleAccountant)
	b := e.browser()
	b.signIn("acc")
	wrong := url.Values{"current_password": {"wrong-wrong-wrong"},
		"new_password": {"a-new-password-1404"}, "new_password_again": {"a-new-password-1404"}}
	var a answer
	for i := 0; i <= auth.MaxFailures; i++ {
		a = b.submit("/password", "/password", wrong)
		if a.status == http.StatusTooManyRequests {
			break
		}
	}
	if a.status != http.StatusTooManyRequests || a.header.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d (Retry-After %q)", a.status, a.header.Get("Retry-After"))
	}
	if got := a.byRole("alert"); got != Message(taahod.ERATELIMITED) {
		t.Errorf("alert %q", got)
	}
}

func TestSignOut(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("acc", "", taahod.RoleAccountant)
	b := e.browser()
	b.signIn("acc")
	token := b.cookie(sessionCookie)
	a := b.submit("/accountant", "/signout", url.Values{})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/signin?m=signed_out" {
		t.Fatalf("sign out: %d → %q", a.status, a.header.Get("Location"))
	}
	if b.cookie(sessionCookie) != "" {
		t.Errorf("the session cookie is kept after signing out")
	}
	if text := b.get("/signin?m=signed_out").byRole("status"); text != Message("signed_out") {
		t.Errorf("status %q", text)
	}
	if _, err := e.auth.Authenticate(context.Background(), token); taahod.ErrorCode(err) != taahod.EUNAUTHORIZED {
		t.Errorf("the token lives on after signing out: %v", err)
	}
	if a := b.get("/accountant"); a.status != http.StatusSeeOther {
		t.Errorf("home after signing out: %d", a.status)
	}
}

func TestCSRF(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("acc", "", taahod.RoleAccountant)
	b := e.browser()
	b.signIn("acc")
	token := b.cookie(sessionCookie)

	// Signing out without the token, or with another session's, changes
	// nothing.
	other := e.browser()
	other.signIn("acc")
	for name, form := range map[string]url.Values{
		"missing": {},
		"wrong":   {"csrf": {"x"}},
		"other":   {"csrf": {other.get("/accountant").csrf()}},
	} {
		a := b.post("/signout", form)
		if a.status != http.StatusForbidden || a.byRole("alert") != Message("csrf") {
			t.Errorf("%s token: %d %q", name, a.status, a.byRole("alert"))
		}
	}
	if _, err := e.auth.Authenticate(context.Background(), token); err != nil {
		t.Errorf("a POST without the token signed out: %v", err)
	}

	// Changing the password without it changes nothing either.
	a := b.post("/password", url.Values{"current_password": {"password-of-acc"},
		"new_password": {"a-new-password-1404"}, "new_password_again": {"a-new-password-1404"}})
	if a.status != http.StatusForbidden {
		t.Errorf("password change without the token: %d", a.status)
	}
	if _, err := e.auth.Login(context.Background(), "acc", "password-of-acc"); err != nil {
		t.Errorf("the password changed without the token: %v", err)
	}

	// Signing in needs the sign-in form's own token, from its cookie.
	fresh := e.browser()
	fresh.get("/signin")
	if a := fresh.post("/signin", url.Values{"username": {"acc"}, "password": {"password-of-acc"}}); a.status != http.StatusForbidden {
		t.Errorf("sign-in without the token: %d", a.status)
	}
	if a := e.browser().post("/signin", url.Values{"csrf": {"forged"}, "username": {"acc"}, "password": {"password-of-acc"}}); a.status != http.StatusForbidden {
		t.Errorf("sign-in without the cookie: %d", a.status)
	}
}

func TestSignedOutRedirects(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("acc", "", taahod.RoleAccountant)
	b := e.browser()
	for _, path := range []string{"/accountant", "/tax-office", "/education", "/secretariat", "/auditor", "/admin", "/password"} {
		a := b.get(path)
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/signin?next="+url.QueryEscape(path) {
			t.Errorf("GET %s signed out: %d → %q", path, a.status, a.header.Get("Location"))
		}
	}
	if a := b.get("/"); a.status != http.StatusOK || !strings.Contains(a.body, `href="/signin"`) {
		t.Errorf("/ signed out: %d, want the public home with a link to sign in", a.status)
	}
	if a := b.post("/signout", url.Values{}); a.status != http.StatusSeeOther || a.header.Get("Location") != "/signin" {
		t.Errorf("POST signed out: %d → %q", a.status, a.header.Get("Location"))
	}

	// The sign-in page comes back to the path asked for, and only to a
	// path of this site.
	page := b.get("/signin?next=" + url.QueryEscape("/accountant?x=1"))
	if page.byRole("status") != Message("sign_in_first") {
		t.Errorf("no word on why to sign in: %q", page.byRole("status"))
	}
	a := b.post("/signin", url.Values{"csrf": {page.csrf()}, "username": {"acc"}, "password": {"password-of-acc"}, "next": {"/accountant?x=1"}})
	if a.header.Get("Location") != "/accountant?x=1" {
		t.Errorf("came back to %q", a.header.Get("Location"))
	}
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "/api/v1/units", "javascript:alert(1)"} {
		b2 := e.browser()
		page := b2.get("/signin?next=" + url.QueryEscape(next))
		a := b2.post("/signin", url.Values{"csrf": {page.csrf()}, "username": {"acc"}, "password": {"password-of-acc"}, "next": {next}})
		if a.header.Get("Location") != "/accountant" {
			t.Errorf("next %q led to %q", next, a.header.Get("Location"))
		}
	}
}

func TestMustChangePasswordFirst(t *testing.T) {
	e := newEnv(t)
	u, once, err := e.auth.CreateUserWithOneTimePassword(context.Background(), taahod.System,
		auth.NewUser{Username: "newacc", FullName: "کاربر تازه", Role: taahod.RoleAccountant,
			UnitIDs: []int64{e.mustCreateUnit("واحد تازه", "1030303030").ID}})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	a := b.submit("/signin", "/signin", url.Values{"username": {"newacc"}, "password": {once}})
	if a.header.Get("Location") != "/password" {
		t.Fatalf("one-time sign-in led to %q", a.header.Get("Location"))
	}
	for _, path := range []string{"/accountant", "/"} {
		a := b.get(path)
		if path == "/" {
			a = b.get(a.header.Get("Location"))
		}
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/password" {
			t.Errorf("%s before changing: %d → %q", path, a.status, a.header.Get("Location"))
		}
	}
	page := b.get("/password")
	if !strings.Contains(page.text(), "یک‌بارمصرف") {
		t.Errorf("the page does not say why")
	}
	a = b.post("/password", url.Values{"csrf": {page.csrf()}, "current_password": {once},
		"new_password": {"my-own-password-1404"}, "new_password_again": {"my-own-password-1404"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/accountant?m=password_changed" {
		t.Fatalf("change: %d → %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	if home := b.get("/accountant"); home.status != http.StatusOK {
		t.Errorf("home after changing: %d", home.status)
	}
	if got, _ := e.auth.GetUser(context.Background(), u.ID); got.MustChangePassword {
		t.Errorf("still must change")
	}
}

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("acc", "", taahod.RoleAccountant)
	b := e.browser()
	b.signIn("acc")
	other := e.browser()
	other.signIn("acc")
	otherToken := other.cookie(sessionCookie)

	cases := []struct {
		name               string
		current, new, new2 string
		field, code        string
	}{
		{"wrong current", "not-it-at-all", "a-new-password-1404", "a-new-password-1404", "current_password", "wrong_password"},
		{"too short", "password-of-acc", "short", "short", "new_password", "too_short"},
		{"user name", "password-of-acc", "acc", "acc", "new_password", "too_short"},
		{"unchanged", "password-of-acc", "password-of-acc", "password-of-acc", "new_password", "unchanged"},
		{"mismatch", "password-of-acc", "a-new-password-1404", "a-new-password-1405", "new_password_again", "mismatch"},
		{"empty", "", "", "", "current_password", "required"},
	}
	for _, c := range cases {
		a := b.submit("/password", "/password", url.Values{"current_password": {c.current}, "new_password": {c.new}, "new_password_again": {c.new2}})
		if a.status == http.StatusSeeOther {
			t.Fatalf("%s: changed", c.name)
		}
		errs := findAll(a.doc(), func(n *htmlNode) bool { return attr(n, "id") == c.field+"-error" })
		if len(errs) != 1 || textOf(errs[0]) != Message(c.code) {
			t.Errorf("%s: %d, no %q beside %s:\n%s", c.name, a.status, Message(c.code), c.field, a.text())
		}
		for _, in := range findAll(a.doc(), func(n *htmlNode) bool { return n.Data == "input" && attr(n, "type") == "password" }) {
			if attr(in, "value") != "" {
				t.Errorf("%s: a password is shown again", c.name)
			}
		}
	}
	if _, err := e.auth.Authenticate(context.Background(), otherToken); err != nil {
		t.Fatalf("a refused change ended the other session: %v", err)
	}

	a := b.submit("/password", "/password", url.Values{"current_password": {"password-of-acc"},
		"new_password": {"a-new-password-1404"}, "new_password_again": {"a-new-password-1404"}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", a.status, a.text())
	}
	home := b.get(a.header.Get("Location"))
	if home.byRole("status") != Message("password_changed") {
		t.Errorf("status %q", home.byRole("status"))
	}
	if _, err := e.auth.Authenticate(context.Background(), otherToken); taahod.ErrorCode(err) != taahod.EUNAUTHORIZED {
		t.Errorf("the other session lives on: %v", err)
	}
	if a := other.get("/accountant"); a.status != http.StatusSeeOther {
		t.Errorf("the other browser still sees its home: %d", a.status)
	}
	if _, err := e.auth.Login(context.Background(), "acc", "a-new-password-1404"); err != nil {
		t.Errorf("the new password does not sign in: %v", err)
	}
}

func TestNotFound(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	a := b.get("/no-such-page")
	if a.status != http.StatusNotFound || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") ||
		a.byRole("alert") != Message(taahod.ENOTFOUND) {
		t.Errorf("unknown page: %d %s %q", a.status, a.header.Get("Content-Type"), a.byRole("alert"))
	}
	a = b.get("/api/v1/no-such-thing")
	if a.status != http.StatusNotFound || !strings.HasPrefix(a.header.Get("Content-Type"), "application/problem+json") {
		t.Errorf("unknown API path: %d %s", a.status, a.header.Get("Content-Type"))
	}
}
