package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"github.com/taahod/taahod/internal/metrics"
	"strings"
	"time"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
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

// Login is LoginFrom without a client address (the command line, tests):
// only the per-name limit applies.
func (s *Store) Login(ctx context.Context, username, password string) (Session, error) {
	return s.LoginFrom(ctx, username, password, "")
}

// anonymous is the actor of sign-in attempts: nobody is signed in yet.
var anonymous = taahod.Actor{Username: "anonymous"}

// LoginFrom checks a user name and password sent from a client address and
// opens a session. It returns EBADCREDENTIALS for a wrong name or password
// or a disabled user (without saying which, and in the same time: one
// bcrypt comparison at the configured cost each), and a *ThrottledError
// (ERATELIMITED) when a sign-in limit (limit.go) is reached. Failed and
// refused attempts are audited with the name tried and the address, never
// the password.
func (s *Store) LoginFrom(ctx context.Context, username, password, address string) (sess Session, err error) {
	defer func() { metrics.SignIn(signInOutcome(err)) }()
	username = strings.ToLower(strings.TrimSpace(username))
	if username == "" || password == "" || len(username) > 64 {
		return Session{}, errBadCredentials
	}
	a, err := s.countAttempt(ctx, anonymous, "auth.login_refused", username, address)
	if err != nil {
		return Session{}, err
	}
	var row struct {
		User
		PasswordHash string `db:"password_hash"`
	}
	err = s.DB.GetContext(ctx, &row, `
		SELECT `+userColumns+`, password_hash
		  FROM users WHERE username = $1`, username)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Session{}, database.MapError(err)
	}
	found := err == nil
	hash := standInHash()
	if found {
		hash = row.PasswordHash
	}
	matches := passwordMatches(hash, password)
	if !matches || !found || row.Disabled {
		outcome := "wrong_password"
		switch {
		case !found:
			outcome = "unknown_user"
		case row.Disabled:
			outcome = "disabled"
		}
		if err := s.recordFailure(ctx, username, address, row.ID, outcome); err != nil {
			return Session{}, err
		}
		return Session{}, errBadCredentials
	}
	return s.openSession(ctx, row.User, a)
}

// recordFailure audits a failed sign-in; its attempt stays counted. Every
// kind of failure does the same work, so that none takes longer than
// another.
func (s *Store) recordFailure(ctx context.Context, username, address string, userID int64, outcome string) error {
	return s.DB.Transact(ctx, func(tx *database.Tx) error {
		var target any = ""
		if userID != 0 {
			target = userID
		}
		tx.Audit(ctx, anonymous, "auth.login_failed", "user", target, map[string]any{
			"username": auditedName(username), "address": address, "outcome": outcome})
		return nil
	})
}

func (s *Store) openSession(ctx context.Context, u User, a attempt) (Session, error) {
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
		if err := a.takeBack(ctx, tx); err != nil {
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

// signInOutcome is the metrics' word for a sign-in's result.
func signInOutcome(err error) string {
	switch taahod.ErrorCode(err) {
	case "":
		return metrics.SignInSuccess
	case taahod.ERATELIMITED:
		return metrics.SignInRefused
	case taahod.EBADCREDENTIALS:
		return metrics.SignInFailure
	}
	return "error"
}
