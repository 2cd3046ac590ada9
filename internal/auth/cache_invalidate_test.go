package auth

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/dbtest"
)

// TestCachedTokensEndWithTheirUser checks, with the cache on, that the
// store's own changes that end sessions take effect in this process at
// once, without waiting for their notification: disabling a user, an
// administrator's reset of their password, and a change of one's own
// password (which keeps the caller's session). The cache here has no
// listener, so that no notification can do the work instead.
func TestCachedTokensEndWithTheirUser(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	store := NewStore(db)
	store.cache = &tokenCache{ttl: time.Hour, entries: map[[32]byte]cacheEntry{}}
	store.cache.flush(true)
	admin, err := store.CreateUser(ctx, taahod.System, NewUser{Username: "adm", Password: "password-of-adm", Role: taahod.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	user, err := store.CreateUser(ctx, taahod.System, NewUser{Username: "aud", Password: "password-of-aud", Role: taahod.RoleAuditor})
	if err != nil {
		t.Fatal(err)
	}
	signIn := func(password string) string {
		t.Helper()
		sess, err := store.Login(ctx, "aud", password)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second answer comes from the cache
			if _, err := store.Authenticate(ctx, sess.Token); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, cached := store.cache.get(sha256.Sum256([]byte(sess.Token)), db.Now()); !cached {
			t.Fatal("the token is not in the cache")
		}
		return sess.Token
	}
	refused := func(token string) {
		t.Helper()
		if _, err := store.Authenticate(ctx, token); taahod.ErrorCode(err) != taahod.EUNAUTHORIZED {
			t.Fatalf("the token is still accepted: %v", err)
		}
	}
	yes, no := true, false

	token := signIn("password-of-aud")
	if _, err := store.UpdateUser(ctx, admin.Actor(), user.ID, UserChange{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	refused(token)
	if _, err := store.UpdateUser(ctx, admin.Actor(), user.ID, UserChange{Disabled: &no}); err != nil {
		t.Fatal(err)
	}
	refused(token) // revoked, not only hidden while disabled

	token = signIn("password-of-aud")
	_, otp, err := store.ResetPassword(ctx, admin.Actor(), user.ID)
	if err != nil {
		t.Fatal(err)
	}
	refused(token)

	mine, other := signIn(otp), signIn(otp)
	u, err := store.Authenticate(ctx, mine)
	if err != nil || !u.MustChangePassword {
		t.Fatalf("after a reset: %+v %v", u, err)
	}
	if err := store.ChangePassword(ctx, u.Actor(), mine, otp, "a password of my own"); err != nil {
		t.Fatal(err)
	}
	refused(other)
	if u, err := store.Authenticate(ctx, mine); err != nil || u.MustChangePassword {
		t.Fatalf("the caller's session: %+v %v", u, err)
	}
}
