package api

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
)

// signInWith signs in with a password and returns the answer's object.
func (e *env) signInWith(t *testing.T, username, password string) map[string]any {
	t.Helper()
	return e.must(t, "POST", "/api/v1/auth/login", "", map[string]string{"username": username, "password": password}, 200)
}

func TestMeTellsFullNameAndKeepsOutOfCaches(t *testing.T) {
	e := newEnv(t)
	if _, err := auth.NewStore(e.db).CreateUser(t.Context(), taahod.System, auth.NewUser{
		Username: "sec", Password: "password-of-sec", Role: taahod.RoleSecretariat, FullName: "  مریم   احمدی ",
	}); err != nil {
		t.Fatal(err)
	}
	login := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "sec", "password": "password-of-sec"})
	if login.status != 200 || login.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login: %d %q", login.status, login.header.Get("Cache-Control"))
	}
	user := login.json()["user"].(map[string]any)
	if user["full_name"] != "مریم   احمدی" || user["must_change_password"] != false {
		t.Fatalf("login's user: %v", user)
	}
	token := login.json()["token"].(string)
	r := e.do("GET", "/api/v1/auth/me", token, nil)
	me := r.json()
	if r.status != 200 || me["full_name"] != "مریم   احمدی" || me["username"] != "sec" || me["role"] != "secretariat" ||
		r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("me: %d %v %v", r.status, me, r.header)
	}
	// A user without a name has null, not a missing field.
	tok := e.userToken("tax1", taahod.RoleTaxOfficer)
	if me := e.must(t, "GET", "/api/v1/auth/me", tok, nil, 200); me["full_name"] != nil || !hasKey(me, "full_name") {
		t.Fatalf("me without a name: %v", me)
	}
}

func hasKey(m map[string]any, k string) bool { _, ok := m[k]; return ok }

func TestChangePassword(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("edu1", taahod.RoleEducationOfficer)
	first, second := e.login("edu1"), e.login("edu1")
	const next = "a new pass phrase of edu1"
	change := func(token string, body any) response {
		return e.do("PUT", "/api/v1/auth/password", token, body)
	}

	t.Run("refused", func(t *testing.T) {
		for name, c := range map[string]struct {
			body  map[string]string
			field string
			code  string
		}{
			"wrong current": {map[string]string{"current_password": "not-the-password", "new_password": next}, "current_password", "wrong_password"},
			"missing":       {map[string]string{}, "current_password", "required"},
			"too short":     {map[string]string{"current_password": "password-of-edu1", "new_password": "short-pass"}, "new_password", "too_short"},
			"unchanged":     {map[string]string{"current_password": "password-of-edu1", "new_password": "password-of-edu1"}, "new_password", "unchanged"},
			"one character": {map[string]string{"current_password": "password-of-edu1", "new_password": strings.Repeat("a", 14)}, "new_password", "too_weak"},
			"over 72 bytes": {map[string]string{"current_password": "password-of-edu1", "new_password": strings.Repeat("ab", 37)}, "new_password", "too_long"},
			"no new at all": {map[string]string{"current_password": "password-of-edu1"}, "new_password", "required"},
		} {
			t.Run(name, func(t *testing.T) {
				r := change(first, c.body)
				if r.status != http.StatusUnprocessableEntity || r.fieldErrors()[c.field] != c.code {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})
		}
	})
	t.Run("the user name itself", func(t *testing.T) {
		e.mustCreateUser("long.user.name1", taahod.RoleAuditor)
		tok := e.login("long.user.name1")
		r := e.do("PUT", "/api/v1/auth/password", tok, map[string]string{"current_password": "password-of-long.user.name1", "new_password": "Long.User.Name1"})
		if r.status != 422 || r.fieldErrors()["new_password"] != "same_as_username" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("changed", func(t *testing.T) {
		r := change(first, map[string]string{"current_password": "password-of-edu1", "new_password": next})
		if r.status != http.StatusNoContent || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%d %s", r.status, r.body)
		}
		if r := e.do("GET", "/api/v1/auth/me", first, nil); r.status != 200 {
			t.Fatalf("the caller's session ended: %d", r.status)
		}
		if r := e.do("GET", "/api/v1/auth/me", second, nil); r.status != http.StatusUnauthorized {
			t.Fatalf("the other session lives on: %d", r.status)
		}
		if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "edu1", "password": "password-of-edu1"}); r.status != 401 {
			t.Fatalf("the old password still signs in: %d", r.status)
		}
		e.signInWith(t, "edu1", next)
	})
	t.Run("audited without passwords", func(t *testing.T) {
		var changes []string
		if err := e.db.Select(&changes, `SELECT changes FROM audit_log WHERE action LIKE 'user.change_password%' ORDER BY seq`); err != nil {
			t.Fatal(err)
		}
		if len(changes) < 2 {
			t.Fatalf("audit: %v", changes)
		}
		var all string
		if err := e.db.Get(&all, `SELECT string_agg(changes || action || target_id, ' ') FROM audit_log`); err != nil {
			t.Fatal(err)
		}
		for _, secret := range []string{next, "password-of-edu1", "not-the-password", "short-pass"} {
			if strings.Contains(all, secret) {
				t.Fatalf("the audit trail holds %q", secret)
			}
		}
		if changes[len(changes)-1] != `{"sessions_ended":1}` {
			t.Fatalf("last change: %s", changes[len(changes)-1])
		}
	})
	t.Run("wrong current passwords count as failed sign-ins", func(t *testing.T) {
		tok := e.login("long.user.name1")
		var last response
		for range auth.MaxFailures + 1 {
			last = e.do("PUT", "/api/v1/auth/password", tok, map[string]string{"current_password": "a-wrong-guess-12", "new_password": next})
		}
		if last.status != http.StatusTooManyRequests || last.header.Get("Retry-After") == "" {
			t.Fatalf("%d %s", last.status, last.body)
		}
	})
	t.Run("needs a sign-in", func(t *testing.T) {
		if r := change("", map[string]string{"current_password": "x", "new_password": "y"}); r.status != 401 {
			t.Fatalf("%d", r.status)
		}
	})
}

func TestAdminCreatesUsersWithOneTimePasswords(t *testing.T) {
	e := newEnv(t)
	unit := e.mustCreateUnit("واحد الف", "1010234567")
	admin := e.userToken("admin1", taahod.RoleAdmin)
	body := map[string]any{"username": "Acc.New", "full_name": "علی رضایی", "role": "accountant", "units": []int64{unit.ID}}

	t.Run("only administrators", func(t *testing.T) {
		sec := e.userToken("sec1", taahod.RoleSecretariat)
		for _, path := range []string{"/api/v1/users", "/api/v1/users/1"} {
			if r := e.do("GET", path, sec, nil); r.status != 403 {
				t.Fatalf("GET %s: %d", path, r.status)
			}
		}
		if r := e.do("POST", "/api/v1/users", sec, body); r.status != 403 || e.count("users") != 2 {
			t.Fatalf("%d", r.status)
		}
	})
	var otp string
	var id int64
	t.Run("created", func(t *testing.T) {
		r := e.do("POST", "/api/v1/users", admin, body, "Idempotency-Key", "new-user-1")
		if r.status != http.StatusCreated {
			t.Fatalf("%d %s", r.status, r.body)
		}
		u := r.json()
		id = num(t, u["id"])
		otp, _ = u["one_time_password"].(string)
		if len(otp) < 16 || u["username"] != "acc.new" || u["must_change_password"] != true || u["disabled"] != false ||
			u["full_name"] != "علی رضایی" || str(u["unit_ids"]) != "["+str(unit.ID)+"]" || u["created_at_jalali"] == nil {
			t.Fatalf("answer: %v", u)
		}
		if loc := r.header.Get("Location"); loc != userPath(id) {
			t.Fatalf("Location %q", loc)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("Cache-Control %q", r.header.Get("Cache-Control"))
		}
		var hash string
		if err := e.db.Get(&hash, `SELECT password_hash FROM users WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$2") || strings.Contains(hash, otp) {
			t.Fatalf("stored %q", hash)
		}
		if got := e.must(t, "GET", userPath(id), admin, nil, 200); got["username"] != "acc.new" || hasKey(got, "one_time_password") {
			t.Fatalf("GET: %v", got)
		}
	})
	t.Run("a replay does not show the password again", func(t *testing.T) {
		r := e.do("POST", "/api/v1/users", admin, body, "Idempotency-Key", "new-user-1")
		if r.status != 201 || r.header.Get("Idempotent-Replayed") != "true" || r.header.Get("Location") != userPath(id) ||
			r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%d %v %s", r.status, r.header, r.body)
		}
		if u := r.json(); u["one_time_password"] != nil || num(t, u["id"]) != id {
			t.Fatalf("replayed: %v", u)
		}
		var stored int
		if err := e.db.Get(&stored, `SELECT count(*) FROM idempotency_keys WHERE position($1::bytea IN body) > 0`, []byte(otp)); err != nil {
			t.Fatal(err)
		}
		if stored != 0 || e.count("users") != 3 {
			t.Fatalf("the one-time password is kept (%d) or the user made twice (%d)", stored, e.count("users"))
		}
	})
	t.Run("must change the password first", func(t *testing.T) {
		s := e.signInWith(t, "acc.new", otp)
		if s["user"].(map[string]any)["must_change_password"] != true {
			t.Fatalf("login: %v", s)
		}
		tok := s["token"].(string)
		for _, path := range []string{"/api/v1/units", "/api/v1/expenditures", "/api/v1/units/" + str(unit.ID)} {
			r := e.do("GET", path, tok, nil)
			if r.status != http.StatusForbidden || r.problemCode() != "password_change_required" {
				t.Fatalf("GET %s: %d %s", path, r.status, r.body)
			}
		}
		if me := e.must(t, "GET", "/api/v1/auth/me", tok, nil, 200); me["must_change_password"] != true {
			t.Fatalf("me: %v", me)
		}
		e.must(t, "PUT", "/api/v1/auth/password", tok, map[string]string{"current_password": otp, "new_password": "my own pass phrase"}, 204)
		e.must(t, "GET", "/api/v1/units", tok, nil, 200)
		if me := e.must(t, "GET", "/api/v1/auth/me", tok, nil, 200); me["must_change_password"] != false {
			t.Fatalf("me after the change: %v", me)
		}
	})
	t.Run("refused", func(t *testing.T) {
		for name, c := range map[string]struct {
			body   map[string]any
			status int
			field  string
			code   string
		}{
			"taken":                 {map[string]any{"username": "ACC.NEW", "full_name": "x", "role": "auditor"}, 409, "username", "taken"},
			"units of an auditor":   {map[string]any{"username": "aud9", "full_name": "x", "role": "auditor", "units": []int64{unit.ID}}, 422, "units", "not_allowed"},
			"accountant, no units":  {map[string]any{"username": "acc9", "full_name": "x", "role": "accountant"}, 422, "units", "required"},
			"unknown unit":          {map[string]any{"username": "acc9", "full_name": "x", "role": "accountant", "units": []int64{99999}}, 422, "units", "unknown_unit"},
			"no full name":          {map[string]any{"username": "aud9", "role": "auditor"}, 422, "full_name", "required"},
			"blank full name":       {map[string]any{"username": "aud9", "full_name": "  ", "role": "auditor"}, 422, "full_name", "required"},
			"bad role":              {map[string]any{"username": "aud9", "full_name": "x", "role": "king"}, 422, "role", "invalid_choice"},
			"bad user name":         {map[string]any{"username": "a b", "full_name": "x", "role": "auditor"}, 422, "username", "invalid_username"},
			"a password is not set": {map[string]any{"username": "aud9", "full_name": "x", "role": "auditor", "password": "chosen-by-admin"}, 400, "", ""},
		} {
			t.Run(name, func(t *testing.T) {
				r := e.do("POST", "/api/v1/users", admin, c.body)
				if r.status != c.status || (c.field != "" && r.fieldErrors()[c.field] != c.code) {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})
		}
		if n := e.count("users"); n != 3 {
			t.Fatalf("%d users", n)
		}
	})
}

func TestAdminChangesUsers(t *testing.T) {
	e := newEnv(t)
	u1 := e.mustCreateUnit("واحد الف", "1010234567")
	u2 := e.mustCreateUnit("واحد ب", "1010234568")
	admin := e.userToken("admin1", taahod.RoleAdmin)
	acc := e.mustCreateUser("acc1", taahod.RoleAccountant, u1.ID)
	accToken := e.login("acc1")
	path := userPath(acc.ID)

	t.Run("name and units", func(t *testing.T) {
		u := e.must(t, "PATCH", path, admin, map[string]any{"full_name": "حسین کریمی", "units": []int64{u2.ID, u1.ID}}, 200)
		if u["full_name"] != "حسین کریمی" || len(u["unit_ids"].([]any)) != 2 {
			t.Fatalf("%v", u)
		}
		// The accountant's session sees the new unit at once.
		e.must(t, "GET", "/api/v1/units/"+str(u2.ID), accToken, nil, 200)
		if u := e.must(t, "PATCH", path, admin, map[string]any{"full_name": nil}, 200); u["full_name"] != nil {
			t.Fatalf("cleared name: %v", u)
		}
	})
	t.Run("refused", func(t *testing.T) {
		for name, c := range map[string]struct {
			body   map[string]any
			status int
			field  string
		}{
			"units of an auditor":    {map[string]any{"role": "auditor", "units": []int64{u1.ID}}, 422, "units"},
			"an accountant no units": {map[string]any{"units": []int64{}}, 422, "units"},
			"unknown unit":           {map[string]any{"units": []int64{424242}}, 422, "units"},
			"bad role":               {map[string]any{"role": "king"}, 422, "role"},
			"unknown field":          {map[string]any{"username": "other"}, 400, ""},
		} {
			t.Run(name, func(t *testing.T) {
				r := e.do("PATCH", path, admin, c.body)
				if r.status != c.status || (c.field != "" && r.fieldErrors()[c.field] == "") {
					t.Fatalf("%d %s", r.status, r.body)
				}
			})
		}
		if r := e.do("PATCH", "/api/v1/users/999999", admin, map[string]any{"disabled": true}); r.status != 404 {
			t.Fatalf("unknown user: %d", r.status)
		}
	})
	t.Run("a role away from accountant lets the units go", func(t *testing.T) {
		other := e.mustCreateUser("acc2", taahod.RoleAccountant, u1.ID)
		u := e.must(t, "PATCH", userPath(other.ID), admin, map[string]any{"role": "auditor"}, 200)
		if u["role"] != "auditor" || len(u["unit_ids"].([]any)) != 0 {
			t.Fatalf("%v", u)
		}
	})
	t.Run("disabled: sessions end at once", func(t *testing.T) {
		if u := e.must(t, "PATCH", path, admin, map[string]any{"disabled": true}, 200); u["disabled"] != true {
			t.Fatalf("%v", u)
		}
		if r := e.do("GET", "/api/v1/auth/me", accToken, nil); r.status != 401 {
			t.Fatalf("the disabled user's token: %d", r.status)
		}
		if r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "acc1", "password": "password-of-acc1"}); r.status != 401 {
			t.Fatalf("a disabled user signs in: %d", r.status)
		}
		// Enabled again, the old session stays ended; a new sign-in works.
		e.must(t, "PATCH", path, admin, map[string]any{"disabled": false}, 200)
		if r := e.do("GET", "/api/v1/auth/me", accToken, nil); r.status != 401 {
			t.Fatalf("the old token came back: %d", r.status)
		}
		e.login("acc1")
	})
	t.Run("every change audited", func(t *testing.T) {
		var n int
		if err := e.db.Get(&n, `SELECT count(*) FROM audit_log WHERE action = 'user.update' AND target_id = $1`, str(acc.ID)); err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Fatalf("%d user.update entries", n)
		}
	})
	t.Run("reset password", func(t *testing.T) {
		tok := e.login("acc1")
		r := e.do("POST", path+"/reset-password", admin, nil)
		if r.status != 200 || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("%d %s", r.status, r.body)
		}
		otp := r.json()["one_time_password"].(string)
		if r := e.do("GET", "/api/v1/auth/me", tok, nil); r.status != 401 {
			t.Fatalf("session after reset: %d", r.status)
		}
		s := e.signInWith(t, "acc1", otp)
		if r := e.do("GET", "/api/v1/units", s["token"].(string), nil); r.status != 403 {
			t.Fatalf("before changing the one-time password: %d", r.status)
		}
		if r := e.do("POST", "/api/v1/users/999999/reset-password", admin, nil); r.status != 404 {
			t.Fatalf("unknown user: %d", r.status)
		}
	})
}

func TestTheLastAdministratorStays(t *testing.T) {
	e := newEnv(t)
	first := e.mustCreateUser("admin1", taahod.RoleAdmin)
	tok := e.login("admin1")
	self := userPath(first.ID)

	r := e.do("PATCH", self, tok, map[string]any{"disabled": true})
	if r.status != 422 || r.fieldErrors()["disabled"] != "own_account" {
		t.Fatalf("disabling oneself: %d %s", r.status, r.body)
	}
	r = e.do("PATCH", self, tok, map[string]any{"role": "auditor"})
	if r.status != 409 || r.problemCode() != "last_admin" {
		t.Fatalf("demoting the last admin: %d %s", r.status, r.body)
	}
	second := e.mustCreateUser("admin2", taahod.RoleAdmin)
	// Another administrator, disabled, does not count.
	e.must(t, "PATCH", userPath(second.ID), tok, map[string]any{"disabled": true}, 200)
	if r := e.do("PATCH", self, tok, map[string]any{"role": "auditor"}); r.status != 409 {
		t.Fatalf("with only a disabled admin left: %d %s", r.status, r.body)
	}
	e.must(t, "PATCH", userPath(second.ID), tok, map[string]any{"disabled": false}, 200)
	// With an enabled one, stepping down is fine.
	if u := e.must(t, "PATCH", self, tok, map[string]any{"role": "auditor"}, 200); u["role"] != "auditor" {
		t.Fatalf("%v", u)
	}
	// The caller is no administrator any more, at once.
	if r := e.do("GET", "/api/v1/users", tok, nil); r.status != 403 {
		t.Fatalf("after stepping down: %d", r.status)
	}
	var role string
	if err := e.db.Get(&role, `SELECT role FROM users WHERE id = $1`, second.ID); err != nil || role != "admin" {
		t.Fatalf("%q %v", role, err)
	}
}

func TestListUsers(t *testing.T) {
	e := newEnv(t)
	admin := e.userToken("admin1", taahod.RoleAdmin)
	unit := e.mustCreateUnit("واحد الف", "1010234567")
	for i, name := range []string{"aud1", "aud2", "aud3"} {
		u := e.must(t, "POST", "/api/v1/users", admin, map[string]any{"username": name, "full_name": []string{"زهرا یوسفی", "علی کاظمی", "کامران"}[i], "role": "auditor"}, 201)
		_ = u
	}
	e.must(t, "POST", "/api/v1/users", admin, map[string]any{"username": "acc1", "full_name": "x y", "role": "accountant", "units": []int64{unit.ID}}, 201)

	list := func(query string) []any {
		t.Helper()
		return e.must(t, "GET", "/api/v1/users"+query, admin, nil, 200)["items"].([]any)
	}
	if n := len(list("")); n != 5 {
		t.Fatalf("all: %d", n)
	}
	if n := len(list("?role=auditor")); n != 3 {
		t.Fatalf("auditors: %d", n)
	}
	// Arabic ي and ك find the Persian letters.
	if items := list("?q=" + "يوسفي"); len(items) != 1 || items[0].(map[string]any)["username"] != "aud1" {
		t.Fatalf("q: %v", items)
	}
	if items := list("?q=AUD"); len(items) != 3 {
		t.Fatalf("q by user name: %v", items)
	}
	e.must(t, "PATCH", "/api/v1/users/"+str(e.must(t, "GET", "/api/v1/users?q=aud2", admin, nil, 200)["items"].([]any)[0].(map[string]any)["id"]), admin, map[string]any{"disabled": true}, 200)
	if items := list("?disabled=true"); len(items) != 1 {
		t.Fatalf("disabled: %v", items)
	}
	// Paging.
	page := e.must(t, "GET", "/api/v1/users?limit=2", admin, nil, 200)
	seen := len(page["items"].([]any))
	for page["next_cursor"] != nil {
		page = e.must(t, "GET", "/api/v1/users?limit=2&cursor="+page["next_cursor"].(string), admin, nil, 200)
		seen += len(page["items"].([]any))
	}
	if seen != 5 {
		t.Fatalf("paged through %d", seen)
	}
	for query, field := range map[string]string{"?role=king": "role", "?disabled=maybe": "disabled", "?limit=0": "limit"} {
		if r := e.do("GET", "/api/v1/users"+query, admin, nil); r.status != 422 || r.fieldErrors()[field] == "" {
			t.Fatalf("%s: %d %s", query, r.status, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/users?rolle=auditor", admin, nil); r.status != 400 || r.fieldErrors()["rolle"] == "" {
		t.Fatalf("unknown parameter: %d %s", r.status, r.body)
	}
}

// TestAdministratorsDemotingEachOtherAtOnce: two administrators, each
// demoting the other at the same moment, cannot both succeed. The test holds
// the administrators' rows until both requests wait on them, so that the two
// changes truly meet.
func TestAdministratorsDemotingEachOtherAtOnce(t *testing.T) {
	e := newEnv(t)
	a := e.mustCreateUser("adm-a", taahod.RoleAdmin)
	b := e.mustCreateUser("adm-b", taahod.RoleAdmin)
	ta, tb := e.login(a.Username), e.login(b.Username)

	hold, err := e.db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback()
	if _, err := hold.Exec(`SELECT id FROM users WHERE role = 'admin' FOR UPDATE`); err != nil {
		t.Fatal(err)
	}
	statuses := make(chan int, 2)
	for _, c := range []struct {
		token string
		other int64
	}{{ta, b.ID}, {tb, a.ID}} {
		go func() {
			statuses <- e.do("PATCH", userPath(c.other), c.token, map[string]any{"role": "auditor"}).status
		}()
	}
	// Wait (for as long as it takes, with a generous bound) until both
	// requests wait for the rows.
	for i := 0; ; i++ {
		var waiting int
		if err := e.db.Get(&waiting, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`); err != nil {
			t.Fatal(err)
		}
		if waiting == 2 {
			break
		}
		if i == 3000 {
			t.Fatalf("%d requests wait for the lock", waiting)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := hold.Commit(); err != nil {
		t.Fatal(err)
	}
	got := []int{<-statuses, <-statuses}
	slices.Sort(got)
	if got[0] != 200 || got[1] != 409 {
		t.Fatalf("statuses %v, want one 200 and one 409", got)
	}
	var admins int
	if err := e.db.Get(&admins, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`); err != nil || admins != 1 {
		t.Fatalf("%d admins %v", admins, err)
	}
}
