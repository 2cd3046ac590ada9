package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
)

func TestEveryCodeHasAStatus(t *testing.T) {
	for _, code := range taahod.Codes {
		if _, ok := statusOf[code]; !ok {
			t.Errorf("code %q has no HTTP status in statusOf", code)
		}
	}
}

func TestHealth(t *testing.T) {
	e := newEnv(t)
	if r := e.do("GET", "/healthz", "", nil); r.status != 200 {
		t.Fatalf("healthz: %d", r.status)
	}
	if r := e.do("GET", "/readyz", "", nil); r.status != 200 {
		t.Fatalf("readyz: %d %s", r.status, r.body)
	}

	// Take the database away: no new connections, and the open ones cut.
	var name string
	if err := e.db.Get(&name, `SELECT current_database()`); err != nil {
		t.Fatal(err)
	}
	admin := adminConn(t)
	mustExec(t, admin, `ALTER DATABASE `+name+` ALLOW_CONNECTIONS false`)
	mustExec(t, admin, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, name)
	r := e.do("GET", "/readyz", "", nil)
	if r.status != http.StatusServiceUnavailable || r.problemCode() != taahod.EUNAVAILABLE {
		t.Fatalf("readyz with the database down: %d %s", r.status, r.body)
	}
	// And back: the pool reconnects by itself.
	mustExec(t, admin, `ALTER DATABASE `+name+` ALLOW_CONNECTIONS true`)
	if r := e.do("GET", "/readyz", "", nil); r.status != 200 {
		t.Fatalf("readyz after the database came back: %d %s", r.status, r.body)
	}
}

func TestLogin(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("tax1", taahod.RoleTaxOfficer)

	t.Run("good", func(t *testing.T) {
		r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "tax1", "password": "password-of-tax1"})
		if r.status != 200 {
			t.Fatalf("%d %s", r.status, r.body)
		}
		m := r.json()
		user := m["user"].(map[string]any)
		if user["role"] != "tax_officer" || user["username"] != "tax1" || m["expires_at"] == nil {
			t.Fatalf("login answer: %s", r.body)
		}
		token := m["token"].(string)
		var stored int
		if err := e.db.Get(&stored, `SELECT count(*) FROM auth_tokens WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, token); err != nil || stored != 1 {
			t.Fatalf("token stored as its hash: %d %v", stored, err)
		}
		var plain int
		if err := e.db.Get(&plain, `SELECT count(*) FROM auth_tokens WHERE position(convert_to($1, 'UTF8') in token_hash) > 0`, token); err != nil || plain != 0 {
			t.Fatalf("the token itself is stored: %d %v", plain, err)
		}
		if me := e.do("GET", "/api/v1/auth/me", token, nil); me.status != 200 || me.json()["username"] != "tax1" {
			t.Fatalf("me: %d %s", me.status, me.body)
		}
	})
	t.Run("bad password and unknown user say the same", func(t *testing.T) {
		for _, body := range []map[string]string{
			{"username": "tax1", "password": "wrong-password"},
			{"username": "nobody", "password": "wrong-password"},
		} {
			r := e.do("POST", "/api/v1/auth/login", "", body)
			if r.status != 401 || r.problemCode() != taahod.EBADCREDENTIALS {
				t.Fatalf("%v: %d %s", body, r.status, r.body)
			}
		}
	})
	t.Run("missing fields", func(t *testing.T) {
		r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "tax1"})
		if r.status != 422 || r.fieldErrors()["password"] != "required" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("expired", func(t *testing.T) {
		token := e.login("tax1")
		mustExec(t, e.db.DB.DB, `UPDATE auth_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = sha256(convert_to($1, 'UTF8'))`, token)
		r := e.do("GET", "/api/v1/auth/me", token, nil)
		if r.status != 401 || r.problemCode() != taahod.EUNAUTHORIZED {
			t.Fatalf("expired token: %d %s", r.status, r.body)
		}
	})
	t.Run("logout", func(t *testing.T) {
		token := e.login("tax1")
		if r := e.do("POST", "/api/v1/auth/logout", token, nil); r.status != 204 {
			t.Fatalf("logout: %d %s", r.status, r.body)
		}
		if r := e.do("GET", "/api/v1/auth/me", token, nil); r.status != 401 {
			t.Fatalf("after logout: %d", r.status)
		}
	})
	t.Run("no or bad token", func(t *testing.T) {
		for _, h := range []string{"", "Bearer", "Bearer nonsense", "Basic dGF4MTp4"} {
			r := e.do("GET", "/api/v1/units", "", nil, "Authorization", h)
			if r.status != 401 || r.problemCode() != taahod.EUNAUTHORIZED {
				t.Fatalf("Authorization %q: %d %s", h, r.status, r.body)
			}
		}
	})
}

func TestLoginThrottle(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("acc1", taahod.RoleAuditor)
	e.mustCreateUser("acc2", taahod.RoleAuditor)
	bad := map[string]string{"username": "acc1", "password": "not-the-password"}
	for i := 0; i < auth.MaxFailures; i++ {
		if r := e.do("POST", "/api/v1/auth/login", "", bad); r.status != 401 {
			t.Fatalf("failure %d: %d %s", i+1, r.status, r.body)
		}
	}
	// Now even the right password waits.
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "acc1", "password": "password-of-acc1"})
	if r.status != http.StatusTooManyRequests || r.problemCode() != taahod.ERATELIMITED {
		t.Fatalf("sixth attempt: %d %s", r.status, r.body)
	}
	if ra := r.header.Get("Retry-After"); ra == "" || ra == "0" {
		t.Fatalf("Retry-After = %q", ra)
	}
	// Another user is not slowed down.
	if tok := e.login("acc2"); tok == "" {
		t.Fatal("acc2 could not sign in")
	}
	// Once the failures leave the window, acc1 may sign in again.
	mustExec(t, e.db.DB.DB, `UPDATE signin_attempts SET attempted_at = attempted_at - interval '6 minutes' WHERE username = 'acc1'`)
	if tok := e.login("acc1"); tok == "" {
		t.Fatal("acc1 could not sign in after the window")
	}
}

func TestMalformedRequests(t *testing.T) {
	e := newEnv(t)
	token := e.userToken("sec", taahod.RoleSecretariat)
	valid := `{"name":"واحد","national_id":"` + taahod.MakeLegalEntityID("1020304050") + `","county":"قزوین"}`
	cases := []struct {
		name   string
		body   string
		ctype  string
		status int
		code   string
		field  string
	}{
		{"not json", `{"name":`, "application/json", 400, taahod.EMALFORMED, ""},
		{"empty", ``, "application/json", 400, taahod.EMALFORMED, ""},
		{"array", `[]`, "application/json", 400, taahod.EMALFORMED, ""},
		{"trailing data", valid + `{}`, "application/json", 400, taahod.EMALFORMED, ""},
		{"unknown field", `{"name":"x","bogus":1}`, "application/json", 400, taahod.EMALFORMED, "bogus"},
		{"wrong type", `{"name":5}`, "application/json", 422, taahod.EINVALID, "name"},
		{"not utf-8", "{\"name\":\"\xff\"}", "application/json", 400, taahod.EMALFORMED, ""},
		{"form encoded", `name=x`, "application/x-www-form-urlencoded", 415, taahod.EUNSUPPORTEDMEDIA, ""},
		{"too large", `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, "application/json", 413, taahod.ETOOLARGE, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do("POST", "/api/v1/units", token, c.body, "Content-Type", c.ctype)
			if r.status != c.status || r.problemCode() != c.code {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if c.field != "" {
				if _, ok := r.fieldErrors()[c.field]; !ok {
					t.Fatalf("field %q not named: %s", c.field, r.body)
				}
			}
		})
	}
	if n := e.count("units"); n != 0 {
		t.Fatalf("bad requests created %d units", n)
	}
	t.Run("unknown route", func(t *testing.T) {
		r := e.do("GET", "/api/v1/nothing-here", token, nil)
		if r.status != 404 || r.problemCode() != taahod.ENOTFOUND {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("bad id", func(t *testing.T) {
		r := e.do("GET", "/api/v1/units/abc", token, nil)
		if r.status != 404 || r.problemCode() != taahod.ENOTFOUND {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("bad page", func(t *testing.T) {
		r := e.do("GET", "/api/v1/units?limit=501", token, nil)
		if r.status != 422 || r.fieldErrors()["limit"] != "out_of_range" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("bad cursor", func(t *testing.T) {
		r := e.do("GET", "/api/v1/units?limit=501&cursor=not-a-cursor", token, nil)
		if r.status != 400 || r.problemCode() != taahod.EMALFORMED || r.fieldErrors()["cursor"] != "invalid_cursor" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
}

func TestPanicBecomesProblem(t *testing.T) {
	e := newEnv(t)
	e.srv.engine.GET("/test-panic", func(*gin.Context) { panic("boom") })
	r := e.do("GET", "/test-panic", "", nil)
	if r.status != 500 || r.problemCode() != taahod.EINTERNAL || strings.Contains(string(r.body), "boom") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := e.do("GET", "/healthz", "", nil); r.status != 200 {
		t.Fatal("server died after a panic")
	}
}

func TestRequestIDAndLogs(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("adm", taahod.RoleAdmin)
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "adm", "password": "password-of-adm"}, "X-Request-ID", "client-chosen-id-1")
	if r.header.Get("X-Request-ID") != "client-chosen-id-1" {
		t.Fatalf("request id not echoed: %q", r.header.Get("X-Request-ID"))
	}
	token := r.json()["token"].(string)
	if got := e.do("GET", "/healthz", "", nil).header.Get("X-Request-ID"); len(got) < 16 {
		t.Fatalf("generated request id %q", got)
	}
	e.do("GET", "/api/v1/units?q=secret-query", token, nil)
	logs := e.logBuf.String()
	for _, secret := range []string{token, "password-of-adm", "secret-query"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
	if !strings.Contains(logs, `"request_id":"client-chosen-id-1"`) {
		t.Errorf("the access log lacks the request id: %s", logs)
	}
	var audited string
	if err := e.db.Get(&audited, `SELECT request_id FROM audit_log WHERE action = 'auth.login'`); err != nil || audited != "client-chosen-id-1" {
		t.Errorf("audit request id %q, %v", audited, err)
	}
}

func TestIdempotency(t *testing.T) {
	e := newEnv(t)
	token := e.userToken("sec", taahod.RoleSecretariat)
	body := map[string]string{"name": "واحد نمونه", "national_id": taahod.MakeLegalEntityID("1030405060"), "county": "قزوین"}

	first := e.do("POST", "/api/v1/units", token, body, "Idempotency-Key", "k-1")
	if first.status != 201 {
		t.Fatalf("first: %d %s", first.status, first.body)
	}
	again := e.do("POST", "/api/v1/units", token, body, "Idempotency-Key", "k-1")
	if again.status != 201 || string(again.body) != string(first.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s (replayed=%q)", again.status, again.body, again.header.Get("Idempotent-Replayed"))
	}
	if n := e.count("units"); n != 1 {
		t.Fatalf("replay created another unit: %d", n)
	}
	other := map[string]string{"name": "دیگری", "national_id": taahod.MakeLegalEntityID("1030405061"), "county": "قزوین"}
	if r := e.do("POST", "/api/v1/units", token, other, "Idempotency-Key", "k-1"); r.status != 422 || r.problemCode() != taahod.EIDEMPOTENCYREUSED {
		t.Fatalf("reuse with another body: %d %s", r.status, r.body)
	}
	// A failed validation is a response too, and replays as such.
	bad := map[string]string{"name": "بد", "national_id": "123", "county": "قزوین"}
	r1 := e.do("POST", "/api/v1/units", token, bad, "Idempotency-Key", "k-bad")
	r2 := e.do("POST", "/api/v1/units", token, bad, "Idempotency-Key", "k-bad")
	if r1.status != 422 || r2.status != 422 || string(r1.body) != string(r2.body) {
		t.Fatalf("invalid request replay: %d %d", r1.status, r2.status)
	}
	// Keys belong to their user: another user's k-1 is a new request.
	token2 := e.userToken("sec2", taahod.RoleSecretariat)
	if r := e.do("POST", "/api/v1/units", token2, other, "Idempotency-Key", "k-1"); r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("another user's key: %d %s", r.status, r.body)
	}
}

func TestIdempotencyConcurrent(t *testing.T) {
	e := newEnv(t)
	token := e.userToken("sec", taahod.RoleSecretariat)
	body := map[string]string{"name": "هم‌زمان", "national_id": taahod.MakeLegalEntityID("1040506070"), "county": "قزوین"}
	const n = 20
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.do("POST", "/api/v1/units", token, body, "Idempotency-Key", "same-key").status
		}()
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		switch s {
		case 201:
			created++
		case 409:
		default:
			t.Fatalf("unexpected status %d among %v", s, statuses)
		}
	}
	if got := e.count("units"); got != 1 {
		t.Fatalf("%d units created by %d requests with one key (statuses %v)", got, n, statuses)
	}
	if created < 1 {
		t.Fatalf("no request succeeded: %v", statuses)
	}
}

func TestRolesAndScope(t *testing.T) {
	e := newEnv(t)
	own := e.mustCreateUnit("خودی", "1050607080")
	other := e.mustCreateUnit("دیگری", "1050607081")
	tokens := map[taahod.Role]string{}
	for _, role := range taahod.Roles {
		var units []int64
		if role == taahod.RoleAccountant {
			units = []int64{own.ID}
		}
		tokens[role] = e.userToken("u-"+strings.ReplaceAll(string(role), "_", "-"), role, units...)
	}
	newUnit := func(i int) map[string]string {
		return map[string]string{"name": fmt.Sprintf("واحد %d", i), "national_id": taahod.MakeLegalEntityID(fmt.Sprintf("10607080%02d", i)), "county": "قزوین"}
	}
	i := 0
	for _, role := range taahod.Roles {
		t.Run(string(role), func(t *testing.T) {
			tok := tokens[role]
			i++
			wantCreate := map[taahod.Role]int{taahod.RoleAdmin: 201, taahod.RoleSecretariat: 201}[role]
			if wantCreate == 0 {
				wantCreate = 403
			}
			if r := e.do("POST", "/api/v1/units", tok, newUnit(i)); r.status != wantCreate {
				t.Errorf("POST /units: %d, want %d", r.status, wantCreate)
			}
			wantOther := 200
			if role == taahod.RoleAccountant {
				wantOther = 404
			}
			if r := e.do("GET", fmt.Sprintf("/api/v1/units/%d", own.ID), tok, nil); r.status != 200 {
				t.Errorf("GET own unit: %d", r.status)
			}
			if r := e.do("GET", fmt.Sprintf("/api/v1/units/%d", other.ID), tok, nil); r.status != wantOther {
				t.Errorf("GET other unit: %d, want %d", r.status, wantOther)
			}
			list := e.do("GET", "/api/v1/units", tok, nil)
			items := list.json()["items"].([]any)
			if role == taahod.RoleAccountant && len(items) != 1 {
				t.Errorf("an accountant lists %d units, want 1", len(items))
			}
			wantPatch := 200
			if role != taahod.RoleAdmin && role != taahod.RoleSecretariat {
				wantPatch = 403
			}
			if r := e.do("PATCH", fmt.Sprintf("/api/v1/units/%d", own.ID), tok, map[string]string{"activity": "تولید"}); r.status != wantPatch {
				t.Errorf("PATCH unit: %d, want %d", r.status, wantPatch)
			}
		})
	}
}

// adminConn opens a connection to the cluster's admin database.
func adminConn(t *testing.T) *sqlDB {
	t.Helper()
	db, err := openAdmin()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustExec(t *testing.T, db execer, query string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := db.ExecContext(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
