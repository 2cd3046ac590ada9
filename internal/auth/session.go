package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// Sign-in throttling: after MaxFailures failed sign-ins for one user name
// within FailureWindow, further attempts are refused until the oldest of them
// leaves the window.
const (
	MaxFailures   = 5
	FailureWindow = 5 * time.Minute
)

// Session is a successful sign-in: the opaque token (shown once, stored only
// as its hash), when it expires, and who it belongs to.
type Session struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	// ExpiresAtJalali is ExpiresAt's Solar Hijri twin in Tehran time.
	ExpiresAtJalali string `json:"expires_at_jalali"`
	User            User   `json:"user"`
}

// ThrottledError refuses a sign-in while a user name has too many recent
// failures; RetryAfter says when to try again.
type ThrottledError struct {
	Err  *taahod.Error
	Wait time.Duration
}

func (e *ThrottledError) Error() string { return e.Err.Error() }

// RetryAfter is how long the client should wait.
func (e *ThrottledError) RetryAfter() time.Duration { return e.Wait }

// Unwrap exposes the domain error, so that ErrorCode finds its code.
func (e *ThrottledError) Unwrap() error { return e.Err }

var errBadCredentials = &taahod.Error{Code: taahod.EBADCREDENTIALS, Message: "the user name or the password is wrong"}

// Login checks a user name and password and opens a session. It returns
// EBADCREDENTIALS for a wrong name or password or a disabled user (without
// saying which), and a *ThrottledError (ERATELIMITED) after too many
// failures.
func (s *Store) Login(ctx context.Context, username, password string) (Session, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	if username == "" || password == "" || len(username) > 64 {
		return Session{}, errBadCredentials
	}
	now := s.DB.Now()
	if wait, err := s.throttle(ctx, username, now); err != nil {
		return Session{}, err
	} else if wait > 0 {
		return Session{}, &ThrottledError{
			Err:  &taahod.Error{Code: taahod.ERATELIMITED, Message: "too many failed sign-ins for this user; try again later"},
			Wait: wait,
		}
	}
	var row struct {
		User
		PasswordHash string `db:"password_hash"`
	}
	err := s.DB.GetContext(ctx, &row, `
		SELECT `+userColumns+`, password_hash
		  FROM users WHERE username = $1`, username)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Session{}, database.MapError(err)
	}
	found := err == nil
	hash := string(dummyHash)
	if found {
		hash = row.PasswordHash
	}
	if !passwordMatches(hash, password) || !found || row.Disabled {
		if err := s.recordFailure(ctx, username, row.User, found); err != nil {
			return Session{}, err
		}
		return Session{}, errBadCredentials
	}
	return s.openSession(ctx, row.User)
}

// throttle returns how long username must wait before another attempt.
func (s *Store) throttle(ctx context.Context, username string, now time.Time) (time.Duration, error) {
	var recent []time.Time
	err := s.DB.SelectContext(ctx, &recent, `
		SELECT failed_at FROM login_failures
		 WHERE username = $1 AND failed_at > $2
		 ORDER BY failed_at DESC LIMIT $3`, username, now.Add(-FailureWindow), MaxFailures)
	if err != nil {
		return 0, database.MapError(err)
	}
	if len(recent) < MaxFailures {
		return 0, nil
	}
	// The oldest of the last MaxFailures failures frees a place when it
	// leaves the window.
	wait := recent[len(recent)-1].Add(FailureWindow).Sub(now)
	if wait < time.Second {
		wait = time.Second
	}
	return wait, nil
}

func (s *Store) recordFailure(ctx context.Context, username string, u User, found bool) error {
	return s.DB.Transact(ctx, func(tx *database.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (username, failed_at) VALUES ($1, $2)`, username, tx.Now); err != nil {
			return err
		}
		// Old failures serve no purpose; trim this user's as we go.
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE username = $1 AND failed_at < $2`,
			username, tx.Now.Add(-24*time.Hour)); err != nil {
			return err
		}
		if found {
			// Only failures against real users are audited, so that a
			// password typed into the user name field is never kept.
			tx.Audit(ctx, taahod.Actor{Username: "anonymous", Role: ""}, "auth.login_failed", "user", u.ID, map[string]any{})
		}
		return nil
	})
}

func (s *Store) openSession(ctx context.Context, u User) (Session, error) {
	token, hash, err := newToken()
	if err != nil {
		return Session{}, err
	}
	var sess Session
	err = s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := tx.SelectContext(ctx, &u.UnitIDs, `SELECT unit_id FROM user_units WHERE user_id = $1 ORDER BY unit_id`, u.ID); err != nil {
			return err
		}
		expires := tx.Now.Add(s.TokenTTL)
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO auth_tokens (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			hash, u.ID, tx.Now, expires); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE username = $1`, u.Username); err != nil {
			return err
		}
		tx.Audit(ctx, u.Actor(), "auth.login", "user", u.ID, map[string]any{"expires_at": expires})
		sess = Session{Token: token, ExpiresAt: expires, ExpiresAtJalali: taahod.JalaliTime(expires), User: u}
		return nil
	})
	if sess.User.UnitIDs == nil {
		sess.User.UnitIDs = []int64{}
	}
	return sess, err
}

// newToken returns a random opaque token and the SHA-256 that is stored.
func newToken() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

func hashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// Authenticate returns the user of a live token. It returns EUNAUTHORIZED
// for an unknown, expired or revoked token or a disabled user. With
// CacheTokens it answers from the cache when it can.
func (s *Store) Authenticate(ctx context.Context, token string) (User, error) {
	if token == "" || len(token) > 128 {
		return User{}, errUnauthorized
	}
	hash := sha256.Sum256([]byte(token))
	now := s.DB.Now()
	var gen uint64
	if s.cache != nil {
		var (
			u  User
			ok bool
		)
		if u, gen, ok = s.cache.get(hash, now); ok {
			return u, nil
		}
	}
	var row struct {
		User
		Units     pq.Int64Array `db:"unit_ids"`
		ExpiresAt time.Time     `db:"expires_at"`
	}
	// One short read on every request: a context that cannot be cancelled
	// spares database/sql and lib/pq a goroutine each per query.
	err := s.DB.GetContext(context.WithoutCancel(ctx), &row, AuthenticateSQL, hash[:], now)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, errUnauthorized
	} else if err != nil {
		return User{}, database.MapError(err)
	}
	row.User.UnitIDs = []int64(row.Units)
	if s.cache != nil {
		until := now.Add(s.cache.ttl)
		if row.ExpiresAt.Before(until) {
			until = row.ExpiresAt
		}
		s.cache.put(hash, row.User, until, gen)
	}
	return row.User, nil
}

// AuthenticateSQL is the statement that finds the user of a token: $1 is the
// token's SHA-256, $2 the present instant. It is exported for the benchmark
// driver, which runs the service's own statements through pgbench.
const AuthenticateSQL = `
		SELECT u.id, u.username, u.role, u.full_name, u.must_change_password, u.disabled, u.created_at, t.expires_at,
		       ARRAY(SELECT unit_id FROM user_units uu WHERE uu.user_id = u.id ORDER BY unit_id) AS unit_ids
		  FROM auth_tokens t JOIN users u ON u.id = t.user_id
		 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND NOT u.disabled`

var errUnauthorized = &taahod.Error{Code: taahod.EUNAUTHORIZED, Message: "sign in first: the token is missing, unknown or expired"}

// Logout revokes the token.
func (s *Store) Logout(ctx context.Context, actor taahod.Actor, token string) error {
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE auth_tokens SET revoked_at = $2 WHERE token_hash = $1 AND revoked_at IS NULL`,
			hashToken(token), tx.Now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			tx.Audit(ctx, actor, "auth.logout", "user", actor.UserID, map[string]any{})
		}
		return nil
	})
	if err == nil && s.cache != nil {
		// This process forgets the token at once; the others when the
		// revocation's notification reaches them.
		s.cache.forget(sha256.Sum256([]byte(token)))
	}
	return err
}

// PurgeExpiredTokens removes tokens that expired over a day ago and returns
// how many.
func PurgeExpiredTokens(ctx context.Context, db *database.DB) (int64, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM auth_tokens WHERE expires_at < $1`, db.Now().Add(-24*time.Hour))
	if err != nil {
		return 0, database.MapError(err)
	}
	return res.RowsAffected()
}
