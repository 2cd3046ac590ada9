package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/api"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
	"github.com/taahod/taahod/reports"
)

// benchEnv is what the page-against-JSON benchmarks share: the whole
// service as `taahod serve` wires it (the API's gin engine with the pages
// mounted, the token cache on) over a fresh database, called in-process
// through its handler with an httptest recorder, so that a benchmark times
// the server alone, with no network. A page and the JSON endpoint behind
// the same data go through the same handler, signed in with the same
// session token (the pages' cookie, the API's bearer token), so their times
// compare.
type benchEnv struct {
	b       *testing.B
	db      *database.DB
	auth    *auth.Store
	ledger  *ledger.Store
	handler http.Handler
}

func newBenchEnv(b *testing.B) *benchEnv {
	b.Helper()
	db, dsn := dbtest.NewWithURL(b)
	ctx, cancel := context.WithCancel(context.Background())
	b.Cleanup(cancel)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	authStore := auth.NewStore(db)
	if err := authStore.CacheTokens(ctx, dsn, time.Minute, log); err != nil {
		b.Fatal(err)
	}
	pages, err := New(db, authStore, Config{Logger: log,
		Issuer: reports.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner}})
	if err != nil {
		b.Fatal(err)
	}
	srv := api.New(db, authStore, api.Config{Logger: log, Province: "QZV", PublicURL: "http://taahod.test",
		Signer: testSigner, Pages: pages})
	return &benchEnv{b: b, db: db, auth: authStore, ledger: ledger.NewStore(db), handler: srv.Handler()}
}

// unit adds a unit; prefix10 makes its national id.
func (e *benchEnv) unit(name, prefix10 string) registry.Unit {
	e.b.Helper()
	u, err := registry.NewStore(e.db).CreateUnit(context.Background(), taahod.System, registry.NewUnit{
		Name: name, NationalID: taahod.MakeLegalEntityID(prefix10), County: "قزوین",
	})
	if err != nil {
		e.b.Fatal(err)
	}
	return u
}

// signIn adds a user and returns a session token for them: the value of the
// pages' cookie and the API's bearer token alike.
func (e *benchEnv) signIn(username string, role taahod.Role, units ...int64) (taahod.Actor, string) {
	e.b.Helper()
	ctx := context.Background()
	u, err := e.auth.CreateUser(ctx, taahod.System, auth.NewUser{Username: username, Password: "password-of-" + username,
		FullName: username, Role: role, UnitIDs: units})
	if err != nil {
		e.b.Fatal(err)
	}
	s, err := e.auth.Login(ctx, username, "password-of-"+username)
	if err != nil {
		e.b.Fatal(err)
	}
	return u.Actor(), s.Token
}

// page is a GET of a page with the session cookie.
func (e *benchEnv) page(path, token string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	return req
}

// json is a GET of the API with the bearer token.
func (e *benchEnv) json(path, token string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// serve answers req through the handler; a status other than 200 fails the
// benchmark (a benchmark of an error page would time the wrong thing).
func (e *benchEnv) serve(tb testing.TB, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("%s %s: %d\n%s", req.Method, req.URL, rec.Code, rec.Body.String())
	}
	return rec
}

// compare runs the sub-benchmarks "page" and "json", each serving its
// request b.N times, so that `go test -bench` reports the two side by side;
// each also reports the answer's size (bytes/answer).
func (e *benchEnv) compare(b *testing.B, page, json func() *http.Request) {
	for _, c := range []struct {
		name string
		req  func() *http.Request
	}{{"page", page}, {"json", json}} {
		b.Run(c.name, func(b *testing.B) {
			size := e.serve(b, c.req()).Body.Len()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				e.serve(b, c.req())
			}
			b.ReportMetric(float64(size), "bytes/answer")
		})
	}
}
