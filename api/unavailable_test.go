package api

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
)

// TestDatabaseDownIs503WithRetryAfter: with PostgreSQL unreachable, reads,
// sign-ins and signed-in requests answer 503 `unavailable` with a
// Retry-After, never 500 (the fault suite restarts PostgreSQL under load
// end to end; here nothing listens on the database's port).
func TestDatabaseDownIs503WithRetryAfter(t *testing.T) {
	raw, err := sqlx.Open("postgres", "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	db := &database.DB{DB: raw, Now: time.Now}
	srv := New(db, auth.NewStore(db), Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Signer: testSigner})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	for _, c := range []struct{ method, path, token, body string }{
		{"GET", "/readyz", "", ""},
		{"POST", "/api/v1/auth/login", "", `{"username":"admin","password":"a-password-of-some-length"}`},
		{"GET", "/api/v1/auth/me", "some-token-the-database-would-know", ""},
		{"GET", "/api/v1/units", "some-token-the-database-would-know", ""},
	} {
		req, err := http.NewRequest(c.method, hs.URL+c.path, bytes.NewBufferString(c.body))
		if err != nil {
			t.Fatal(err)
		}
		if c.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var p Problem
		_ = json.NewDecoder(res.Body).Decode(&p)
		res.Body.Close()
		secs, _ := strconv.Atoi(res.Header.Get("Retry-After"))
		if res.StatusCode != http.StatusServiceUnavailable || p.Code != taahod.EUNAVAILABLE || secs < 1 {
			t.Errorf("%s %s: %d %q Retry-After %q, want 503 unavailable with Retry-After", c.method, c.path,
				res.StatusCode, p.Code, res.Header.Get("Retry-After"))
		}
	}
}
