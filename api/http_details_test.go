package api

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/dbtest"
)

// newEnvWithConfig is newEnv with a configuration to adjust.
func newEnvWithConfig(t *testing.T, adjust func(*Config)) *env {
	t.Helper()
	db := dbtest.New(t)
	var logs bytes.Buffer
	cfg := Config{Logger: slog.New(slog.NewJSONHandler(&syncWriter{w: &logs}, nil)), Province: "QZV",
		PublicURL: "http://taahod.test", Signer: testSigner}
	adjust(&cfg)
	srv := New(db, auth.NewStore(db), cfg)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	return &env{t: t, db: db, srv: srv, http: hs, logBuf: &logs}
}

func TestHeadAnswersWhereGetDoes(t *testing.T) {
	e := newEnv(t)
	tok := e.userToken("sec1", taahod.RoleSecretariat)
	unit := e.must(t, "POST", "/api/v1/units", tok, map[string]any{"name": "واحد", "national_id": taahod.MakeLegalEntityID("1010234567"), "county": "قزوین"}, 201)
	for _, path := range []string{"/healthz", "/api/v1/units", "/api/v1/units/" + str(unit["id"]), "/api/v1/openapi.yaml", "/api/v1/public/registry?year=1404"} {
		get := e.do("GET", path, tok, nil)
		head := e.do("HEAD", path, tok, nil)
		if head.status != get.status || get.status != 200 || len(head.body) != 0 ||
			head.header.Get("Content-Type") != get.header.Get("Content-Type") || head.header.Get("X-Request-ID") == "" {
			t.Fatalf("HEAD %s: %d %q %d bytes; GET %d %q", path, head.status, head.header.Get("Content-Type"), len(head.body),
				get.status, get.header.Get("Content-Type"))
		}
	}
	// The same refusals as GET.
	if r := e.do("HEAD", "/api/v1/units", "", nil); r.status != 401 {
		t.Fatalf("HEAD without a token: %d", r.status)
	}
	if r := e.do("HEAD", "/api/v1/nothing", tok, nil); r.status != 404 {
		t.Fatalf("HEAD of nothing: %d", r.status)
	}
	// A path without GET has no HEAD either.
	r := e.do("HEAD", "/api/v1/auth/login", "", nil)
	if r.status != 405 || r.header.Get("Allow") != "POST, OPTIONS" {
		t.Fatalf("HEAD of a POST route: %d %q", r.status, r.header.Get("Allow"))
	}
	if !strings.Contains(e.logBuf.String(), `"method":"HEAD"`) {
		t.Fatal("the access log does not say HEAD")
	}
}

func TestAllowListsThePathsMethods(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct{ method, path, allow string }{
		{"DELETE", "/api/v1/units/1", "GET, HEAD, PATCH, OPTIONS"},
		{"PUT", "/api/v1/units", "GET, HEAD, POST, OPTIONS"},
		{"GET", "/api/v1/auth/login", "POST, OPTIONS"},
		{"POST", "/api/v1/auth/password", "PUT, OPTIONS"},
		{"DELETE", "/api/v1/users/1", "GET, HEAD, PATCH, OPTIONS"},
		{"GET", "/api/v1/users/1/reset-password", "POST, OPTIONS"},
		{"POST", "/api/v1/verify/QZV-1404-000001", "GET, HEAD, OPTIONS"},
		{"POST", "/api/v1/resolutions/overdue", "GET, HEAD, OPTIONS"},
		{"GET", "/api/v1/units/1/revival", "POST, OPTIONS"},
		{"PUT", "/healthz", "GET, HEAD, OPTIONS"},
	} {
		r := e.do(c.method, c.path, "", nil)
		if r.status != 405 || r.header.Get("Allow") != c.allow || r.problemCode() != "method_not_allowed" {
			t.Errorf("%s %s: %d Allow %q, want %q", c.method, c.path, r.status, r.header.Get("Allow"), c.allow)
		}
		o := e.do("OPTIONS", c.path, "", nil)
		if o.status != 204 || o.header.Get("Allow") != c.allow || o.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("OPTIONS %s: %d Allow %q", c.path, o.status, o.header.Get("Allow"))
		}
	}
	if r := e.do("OPTIONS", "/api/v1/nothing", "", nil); r.status != 404 {
		t.Fatalf("OPTIONS of nothing: %d", r.status)
	}
}

func TestTrailingSlashIsNotFound(t *testing.T) {
	e := newEnv(t)
	tok := e.userToken("sec1", taahod.RoleSecretariat)
	for _, path := range []string{"/api/v1/units/", "/api/v1/auth/me/", "/healthz/", "/api/v1//units", "/API/v1/units"} {
		r := e.do("GET", path, tok, nil)
		if r.status != 404 || r.problemCode() != taahod.ENOTFOUND || r.header.Get("Location") != "" {
			t.Fatalf("GET %s: %d %q %s", path, r.status, r.header.Get("Location"), r.body)
		}
	}
}

func TestNoSniffAndNoStore(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("sec1", taahod.RoleSecretariat)
	login := e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "sec1", "password": "password-of-sec1"})
	tok := login.json()["token"].(string)
	for name, r := range map[string]response{
		"login":      login,
		"list":       e.do("GET", "/api/v1/units", tok, nil),
		"problem":    e.do("GET", "/api/v1/units/999", tok, nil),
		"401":        e.do("GET", "/api/v1/units", "", nil),
		"404":        e.do("GET", "/nothing", "", nil),
		"405":        e.do("DELETE", "/api/v1/units", tok, nil),
		"bad login":  e.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "sec1", "password": "wrong-password-x"}),
		"healthz":    e.do("GET", "/healthz", "", nil),
		"public":     e.do("GET", "/api/v1/public/registry?year=1404", "", nil),
		"validation": e.do("POST", "/api/v1/units", tok, map[string]any{}),
	} {
		if r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s (%d): X-Content-Type-Options %q", name, r.status, r.header.Get("X-Content-Type-Options"))
		}
	}
	if login.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("login: Cache-Control %q", login.header.Get("Cache-Control"))
	}
}

func TestCORS(t *testing.T) {
	const app = "https://app.taahod.test"
	t.Run("off by default", func(t *testing.T) {
		e := newEnv(t)
		for _, r := range []response{
			e.do("OPTIONS", "/api/v1/units", "", nil, "Origin", app, "Access-Control-Request-Method", "POST"),
			e.do("GET", "/api/v1/public/registry?year=1404", "", nil, "Origin", app),
		} {
			for k := range r.header {
				if strings.HasPrefix(k, "Access-Control-") {
					t.Fatalf("CORS header %s without configuration", k)
				}
			}
		}
	})
	e := newEnvWithConfig(t, func(c *Config) { c.CORSOrigins = []string{app} })
	tok := e.userToken("sec1", taahod.RoleSecretariat)
	t.Run("preflight from an allowed origin", func(t *testing.T) {
		r := e.do("OPTIONS", "/api/v1/units", "", nil, "Origin", app, "Access-Control-Request-Method", "POST",
			"Access-Control-Request-Headers", "authorization, content-type, idempotency-key")
		h := r.header
		if r.status != 204 || h.Get("Access-Control-Allow-Origin") != app || h.Get("Access-Control-Allow-Methods") != "GET, HEAD, POST, OPTIONS" ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Idempotency-Key") ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Authorization") ||
			!strings.Contains(h.Get("Access-Control-Allow-Headers"), "Content-Type") ||
			!strings.Contains(strings.Join(h.Values("Vary"), ","), "Origin") || h.Get("Access-Control-Allow-Credentials") != "" ||
			h.Get("Access-Control-Max-Age") == "" {
			t.Fatalf("%d %v", r.status, h)
		}
	})
	t.Run("a call from an allowed origin", func(t *testing.T) {
		r := e.do("POST", "/api/v1/units", tok, map[string]any{"name": "واحد", "national_id": taahod.MakeLegalEntityID("1010234567"), "county": "قزوین"}, "Origin", app)
		if r.status != 201 || r.header.Get("Access-Control-Allow-Origin") != app ||
			!strings.Contains(r.header.Get("Access-Control-Expose-Headers"), "Location") || r.header.Get("Access-Control-Allow-Credentials") != "" {
			t.Fatalf("%d %v", r.status, r.header)
		}
		// Problems too, so that the page can read why.
		if r := e.do("GET", "/api/v1/units", "", nil, "Origin", app); r.status != 401 || r.header.Get("Access-Control-Allow-Origin") != app {
			t.Fatalf("401: %v", r.header)
		}
	})
	t.Run("another origin gets no CORS header", func(t *testing.T) {
		for _, origin := range []string{"https://evil.test", "https://app.taahod.test.evil.test", "null", "http://app.taahod.test"} {
			for _, r := range []response{
				e.do("OPTIONS", "/api/v1/units", "", nil, "Origin", origin, "Access-Control-Request-Method", "POST"),
				e.do("GET", "/api/v1/units", tok, nil, "Origin", origin),
			} {
				for k := range r.header {
					if strings.HasPrefix(k, "Access-Control-") {
						t.Fatalf("%s: CORS header %s", origin, k)
					}
				}
				if !strings.Contains(strings.Join(r.header.Values("Vary"), ","), "Origin") {
					t.Fatalf("%s: no Vary: Origin", origin)
				}
			}
		}
	})
}

func TestCreatedAnswersSayWhere(t *testing.T) {
	e := newEnv(t)
	sec := e.userToken("sec1", taahod.RoleSecretariat)
	body := map[string]any{"name": "واحد", "national_id": taahod.MakeLegalEntityID("1010234567"), "county": "قزوین"}
	r := e.do("POST", "/api/v1/units", sec, body, "Idempotency-Key", "unit-1")
	loc := r.header.Get("Location")
	if r.status != 201 || loc != "/api/v1/units/"+str(r.json()["id"]) {
		t.Fatalf("%d Location %q", r.status, loc)
	}
	e.must(t, "GET", loc, sec, nil, 200)
	replay := e.do("POST", "/api/v1/units", sec, body, "Idempotency-Key", "unit-1")
	if replay.status != 201 || replay.header.Get("Idempotent-Replayed") != "true" || replay.header.Get("Location") != loc ||
		!bytes.Equal(replay.body, r.body) {
		t.Fatalf("replay: %d %v", replay.status, replay.header)
	}
	session := e.do("POST", "/api/v1/sessions", sec, map[string]any{"kind": "formal", "held_on": "2025-10-01"})
	if loc := session.header.Get("Location"); session.status != 201 || loc != "/api/v1/sessions/"+str(session.json()["id"]) {
		t.Fatalf("session: %d %q", session.status, loc)
	}
	e.must(t, "GET", session.header.Get("Location"), sec, nil, 200)
}

// TestCommitmentCreatorsSayWhere follows the Location of every 201 of the
// commitments and finds the record there.
func TestCommitmentCreatorsSayWhere(t *testing.T) {
	w := newWorld(t)
	follow := func(r response, token, prefix string) {
		t.Helper()
		loc := r.header.Get("Location")
		if r.status != 201 || loc != prefix+str(r.json()["id"]) {
			t.Fatalf("%d Location %q, want %s%v", r.status, loc, prefix, r.json()["id"])
		}
		if got := w.do("GET", loc, token, nil); got.status != 200 {
			t.Fatalf("GET %s: %d", loc, got.status)
		}
	}
	follow(w.do("POST", "/api/v1/schools", w.edu, map[string]any{"name": "هنرستان", "kind": "school", "county": "البرز"}), w.edu, "/api/v1/schools/")
	follow(w.do("POST", "/api/v1/pledges", w.admin, map[string]any{"unit_id": w.unitA.ID, "school_id": w.school, "amount": "10", "pledged_on": "2025-04-02"}),
		w.admin, "/api/v1/pledges/")
	sub := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, "10"))
	follow(sub, w.accA, "/api/v1/expenditures/")
	docs := "/api/v1/expenditures/" + str(sub.json()["id"]) + "/documents"
	follow(w.upload(docs, w.accA, "file", "invoice.pdf", tinyPDF), w.accA, docs+"/")
}
