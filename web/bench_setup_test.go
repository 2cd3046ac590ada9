package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/api"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// The shared set-up of the pages' benchmarks, which compare a page's
// server time with the JSON endpoints behind the same data: the whole
// service over a fresh database, wired as `taahod serve` wires it (the
// token cache included), with requests run through its gin engine
// in-process (an httptest recorder: no sockets, so the numbers are the
// server's), and the seeding the benchmarks share.

// benchIssuer issues the benchmarks' certificates, as the tests'.
var benchIssuer = certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner}

// benchService is the whole service for a benchmark.
type benchService struct {
	tb      testing.TB
	db      *database.DB
	auth    *auth.Store
	ledger  *ledger.Store
	handler http.Handler
}

func newBenchService(tb testing.TB) *benchService {
	tb.Helper()
	db, dsn := dbtest.NewWithURL(tb)
	return newBenchServiceOn(tb, db, dsn)
}

// newBenchServiceOn is newBenchService over a database the benchmark has
// filled (or found filled) already; dsn is its URL, for the token cache.
func newBenchServiceOn(tb testing.TB, db *database.DB, dsn string) *benchService {
	tb.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	authStore := auth.NewStore(db)
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	if err := authStore.CacheTokens(ctx, dsn, time.Minute, log); err != nil {
		tb.Fatal(err)
	}
	pages, err := New(db, authStore, Config{Logger: log, Issuer: benchIssuer})
	if err != nil {
		tb.Fatal(err)
	}
	// One client asks thousands of times a minute: the public routes'
	// per-address limit is set past what a benchmark sends.
	srv := api.New(db, authStore, api.Config{Logger: log, Province: benchIssuer.Province, PublicURL: benchIssuer.PublicURL,
		Signer: benchIssuer.Signer, Pages: pages, PublicRate: 100000})
	return &benchService{tb: tb, db: db, auth: authStore, ledger: ledger.NewStore(db), handler: srv.Handler()}
}

// mustUnit adds a unit; prefix10 makes its national id.
func (s *benchService) mustUnit(name, prefix10 string) registry.Unit {
	s.tb.Helper()
	u, err := registry.NewStore(s.db).CreateUnit(context.Background(), taahod.System, registry.NewUnit{
		Name: name, NationalID: taahod.MakeLegalEntityID(prefix10), County: "قزوین"})
	if err != nil {
		s.tb.Fatalf("unit: %v", err)
	}
	return u
}

// mustUser adds a user with the password "password-of-" + username.
func (s *benchService) mustUser(username, fullName string, role taahod.Role, units ...int64) taahod.Actor {
	s.tb.Helper()
	u, err := s.auth.CreateUser(context.Background(), taahod.System, auth.NewUser{
		Username: username, Password: "password-of-" + username, FullName: fullName, Role: role, UnitIDs: units})
	if err != nil {
		s.tb.Fatalf("user %s: %v", username, err)
	}
	return u.Actor()
}

// signIn is a session token of username: the page's cookie and the API's
// bearer token are the same kind.
func (s *benchService) signIn(username string) string {
	s.tb.Helper()
	sess, err := s.auth.Login(context.Background(), username, "password-of-"+username)
	if err != nil {
		s.tb.Fatalf("sign in %s: %v", username, err)
	}
	return sess.Token
}

// seedPledges gives unit n pledges, each to a school of its own, dated in
// 1404, and returns them.
func (s *benchService) seedPledges(unit int64, n int) []ledger.Pledge {
	s.tb.Helper()
	ctx := context.Background()
	out := make([]ledger.Pledge, 0, n)
	for i := range n {
		school, err := s.ledger.CreateSchool(ctx, taahod.System, ledger.NewSchool{
			Name: fmt.Sprintf("دبستان شماره %d", i+1), Kind: ledger.KindSchool, County: "قزوین"})
		if err != nil {
			s.tb.Fatalf("school: %v", err)
		}
		on, due := "1404/02/01", "1405/12/29"
		p, err := s.ledger.CreatePledge(ctx, taahod.System, ledger.NewPledge{UnitID: unit, SchoolID: school.ID,
			Amount: json.RawMessage(fmt.Sprintf(`"%d000000000"`, 10+i)), PledgedOnJalali: &on, DueOnJalali: &due})
		if err != nil {
			s.tb.Fatalf("pledge: %v", err)
		}
		out = append(out, p)
	}
	return out
}

// seedExpenditure submits one expenditure of the accountant against pledge.
func (s *benchService) seedExpenditure(acc taahod.Actor, pledge int64, invoice string) ledger.Expenditure {
	s.tb.Helper()
	on, desc := "1404/05/10", "مصالح ساختمانی"
	x, err := s.ledger.SubmitExpenditure(context.Background(), acc, ledger.NewExpenditure{PledgeID: pledge,
		Amount: json.RawMessage(`"1250000000"`), SpentOnJalali: &on, InvoiceNo: invoice, VendorName: "مصالح ساختمانی نور",
		Category: ledger.CategoryConstruction, Description: &desc})
	if err != nil {
		s.tb.Fatalf("expenditure %s: %v", invoice, err)
	}
	return x
}

// benchPageRequest is a GET of a page with the session cookie of token.
func benchPageRequest(token, path string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: token})
	return req
}

// benchAPIRequest is a GET of the JSON API with the bearer token.
func benchAPIRequest(token, path string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	return req
}

// serve runs req through the engine and fails unless it answers 200.
func (s *benchService) serve(tb testing.TB, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET %s: %d\n%s", req.URL, rec.Code, rec.Body)
	}
	return rec
}
