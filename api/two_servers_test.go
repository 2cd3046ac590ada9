package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
)

// TestTwoServersShareSignIns runs two servers, each with its own pool and
// its own token cache (as two `taahod serve` processes have), on one
// database: a token revoked or a user disabled through one is refused by
// the other within a second. The cache is on all the while (it spares a
// database round trip on every request): a token revoked behind both
// servers' backs, without notification, is still accepted from it.
// Issue 12, item 9 (sign-ins).
func TestTwoServersShareSignIns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dbA, dsn := dbtest.NewWithURL(t)
	dbB, err := database.Open(ctx, dsn, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer dbB.Close()
	server := func(db *database.DB) *env {
		var logs bytes.Buffer
		log := slog.New(slog.NewJSONHandler(&syncWriter{w: &logs}, nil))
		store := auth.NewStore(db)
		if err := store.CacheTokens(ctx, dsn, time.Hour, log); err != nil {
			t.Fatal(err)
		}
		srv := New(db, store, Config{Logger: log, Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner})
		hs := httptest.NewServer(srv.Handler())
		t.Cleanup(hs.Close)
		return &env{t: t, db: db, srv: srv, http: hs, logBuf: &logs}
	}
	a, b := server(dbA), server(dbB)
	a.mustCreateUser("admin1", taahod.RoleAdmin)
	aud := a.mustCreateUser("aud1", taahod.RoleAuditor)
	admin := a.login("admin1")

	// signIn signs in through A and has B accept the token twice: the
	// second time from B's cache.
	signIn := func() string {
		t.Helper()
		token := a.login("aud1")
		for range 2 {
			if r := b.do("GET", "/api/v1/auth/me", token, nil); r.status != http.StatusOK {
				t.Fatalf("B refuses a live token: %d %s", r.status, r.body)
			}
		}
		return token
	}
	// refusedByB waits up to 2 s for B to refuse token, and fails unless it
	// did within 1 s.
	refusedByB := func(token string, since time.Time) {
		t.Helper()
		for {
			r := b.do("GET", "/api/v1/auth/me", token, nil)
			if r.status == http.StatusUnauthorized {
				break
			}
			if r.status != http.StatusOK || time.Since(since) > 2*time.Second {
				t.Fatalf("B still answers %d %v after the change", r.status, time.Since(since))
			}
			time.Sleep(10 * time.Millisecond)
		}
		if took := time.Since(since); took > time.Second {
			t.Fatalf("B refused the token only %v after the change", took)
		} else {
			t.Logf("B refused the token %v after the change", took)
		}
	}

	t.Run("B answers from its cache", func(t *testing.T) {
		token := signIn()
		hash := sha256.Sum256([]byte(token))
		conn, err := dbA.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SET session_replication_role = replica`); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, `UPDATE auth_tokens SET revoked_at = now() WHERE token_hash = $1`, hash[:]); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.ExecContext(ctx, `SET session_replication_role = origin`); err != nil {
			t.Fatal(err)
		}
		if r := b.do("GET", "/api/v1/auth/me", token, nil); r.status != http.StatusOK {
			t.Fatalf("B's cache is off: a token revoked without notification is refused at once (%d)", r.status)
		}
	})
	t.Run("logged out through A", func(t *testing.T) {
		token := signIn()
		since := time.Now()
		if r := a.do("POST", "/api/v1/auth/logout", token, nil); r.status != http.StatusNoContent {
			t.Fatalf("logout: %d %s", r.status, r.body)
		}
		refusedByB(token, since)
	})
	t.Run("user disabled through A", func(t *testing.T) {
		token := signIn()
		since := time.Now()
		path := "/api/v1/users/" + strconv.FormatInt(aud.ID, 10)
		if r := a.do("PATCH", path, admin, map[string]any{"disabled": true}, "Idempotency-Key", "disable-aud1"); r.status != http.StatusOK {
			t.Fatalf("disable: %d %s", r.status, r.body)
		}
		refusedByB(token, since)
	})
}
