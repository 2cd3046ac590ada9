package auth_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/registry"
)

func TestMain(m *testing.M) {
	auth.BcryptCost = 4
	dbtest.Main(m)
}

// TestTokenCacheKeepsRevocationCorrect signs in with the cache on and ends
// the sign-in every way there is, behind the store's back too: each must
// refuse the token (at once for a logout in this process, within the time a
// notification takes for the others).
func TestTokenCacheKeepsRevocationCorrect(t *testing.T) {
	db, dsn := dbtest.NewWithURL(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	store := auth.NewStore(db)
	if err := store.CacheTokens(ctx, dsn, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	unit, err := registry.NewStore(db).CreateUnit(ctx, taahod.System, registry.NewUnit{Name: "u", NationalID: taahod.MakeLegalEntityID("1010234567"), County: "c"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := registry.NewStore(db).CreateUnit(ctx, taahod.System, registry.NewUnit{Name: "v", NationalID: taahod.MakeLegalEntityID("1010234568"), County: "c"})
	if err != nil {
		t.Fatal(err)
	}
	user, err := store.CreateUser(ctx, taahod.System, auth.NewUser{Username: "acc", Password: "password-of-acc", Role: taahod.RoleAccountant, UnitIDs: []int64{unit.ID}})
	if err != nil {
		t.Fatal(err)
	}
	signIn := func() string {
		t.Helper()
		sess, err := store.Login(ctx, "acc", "password-of-acc")
		if err != nil {
			t.Fatal(err)
		}
		// Twice: the second answer comes from the cache.
		for range 2 {
			if _, err := store.Authenticate(ctx, sess.Token); err != nil {
				t.Fatal(err)
			}
		}
		return sess.Token
	}
	// refusedSoon waits up to 5 s for the notification to empty the cache.
	refusedSoon := func(token string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for time.Now().Before(deadline) {
			if _, err := store.Authenticate(ctx, token); taahod.ErrorCode(err) == taahod.EUNAUTHORIZED {
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
		t.Fatal("the token is still accepted")
	}

	t.Run("the cache answers without the database", func(t *testing.T) {
		token := signIn()
		// Taking the user's row away without notification (triggers
		// off): only a cached answer can still accept the token.
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, q := range []string{`SET session_replication_role = replica`,
			`UPDATE auth_tokens SET revoked_at = now()`, `SET session_replication_role = origin`} {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := store.Authenticate(ctx, token); err != nil {
			t.Fatalf("cached token refused: %v", err)
		}
		if _, err := db.Exec(`UPDATE auth_tokens SET revoked_at = revoked_at`); err != nil { // notifies
			t.Fatal(err)
		}
		refusedSoon(token)
	})
	t.Run("logout in this process", func(t *testing.T) {
		token := signIn()
		if err := store.Logout(ctx, user.Actor(), token); err != nil {
			t.Fatal(err)
		}
		if _, err := store.Authenticate(ctx, token); taahod.ErrorCode(err) != taahod.EUNAUTHORIZED {
			t.Fatalf("after logout: %v", err)
		}
	})
	t.Run("revoked by another process", func(t *testing.T) {
		token := signIn()
		if _, err := db.Exec(`UPDATE auth_tokens SET revoked_at = now() WHERE revoked_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		refusedSoon(token)
	})
	t.Run("user disabled", func(t *testing.T) {
		token := signIn()
		if _, err := db.Exec(`UPDATE users SET disabled = true WHERE id = $1`, user.ID); err != nil {
			t.Fatal(err)
		}
		refusedSoon(token)
		if _, err := db.Exec(`UPDATE users SET disabled = false WHERE id = $1`, user.ID); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("units changed", func(t *testing.T) {
		token := signIn()
		if _, err := db.Exec(`INSERT INTO user_units (user_id, unit_id) VALUES ($1, $2)`, user.ID, other.ID); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			u, err := store.Authenticate(ctx, token)
			if err != nil {
				t.Fatal(err)
			}
			if len(u.UnitIDs) == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("units still %v", u.UnitIDs)
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
	t.Run("expired", func(t *testing.T) {
		token := signIn()
		db.Now = func() time.Time { return time.Now().Add(13 * time.Hour) }
		defer func() { db.Now = time.Now }()
		if _, err := store.Authenticate(ctx, token); taahod.ErrorCode(err) != taahod.EUNAUTHORIZED {
			t.Fatalf("expired token: %v", err)
		}
	})
	t.Run("listener lost", func(t *testing.T) {
		token := signIn()
		// Cut the listener's connection, and revoke while it is away.
		if _, err := db.Exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND (query ILIKE 'listen%' OR query = '')`); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`UPDATE auth_tokens SET revoked_at = now() WHERE revoked_at IS NULL`); err != nil {
			t.Fatal(err)
		}
		refusedSoon(token)
		// It reconnects, and the cache serves again.
		fresh := signIn()
		if _, err := store.Authenticate(ctx, fresh); err != nil {
			t.Fatal(err)
		}
	})
}
