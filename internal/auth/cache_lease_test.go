package auth_test

import (
	"context"
	"io"
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/dbtest"
)

// TestTokenCacheStopsWhenItsListenerFallsSilent stops the listener's
// database backend (SIGSTOP: the connection stays up, but nothing comes
// through it, as when a network drops packets without a word) and revokes a
// cached token behind its back, as another server would: the notification
// cannot arrive, and the cache must stop answering within
// MaxCacheStaleness (issue 12, item 9). Before the lease, the cache went on
// answering for as long as its entry lived.
func TestTokenCacheStopsWhenItsListenerFallsSilent(t *testing.T) {
	db, dsn := dbtest.NewWithURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := auth.NewStore(db)
	if err := store.CacheTokens(ctx, dsn, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateUser(ctx, taahod.System, auth.NewUser{Username: "aud", Password: "password-of-aud", Role: taahod.RoleAuditor}); err != nil {
		t.Fatal(err)
	}
	sess, err := store.Login(ctx, "aud", "password-of-aud")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second answer comes from the cache
		if _, err := store.Authenticate(ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
	}
	var pid int
	if err := db.Get(&pid, `SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND (query ILIKE 'listen%' OR query = '') LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Skipf("cannot stop the listener's backend (%v): the database is not this user's", err)
	}
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGCONT) })
	if _, err := db.Exec(`UPDATE auth_tokens SET revoked_at = now() WHERE revoked_at IS NULL`); err != nil {
		t.Fatal(err)
	}
	revoked := time.Now()
	for {
		_, err := store.Authenticate(ctx, sess.Token)
		if taahod.ErrorCode(err) == taahod.EUNAUTHORIZED {
			break
		}
		if waited := time.Since(revoked); waited > 2*time.Second {
			t.Fatalf("the revoked token is still accepted %v later", waited)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if waited := time.Since(revoked); waited > auth.MaxCacheStaleness+200*time.Millisecond {
		t.Fatalf("refused only %v after the revocation", waited)
	}
	t.Logf("refused %v after the revocation", time.Since(revoked))
}
