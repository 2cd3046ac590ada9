package auth

import (
	"context"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// Sign-in limits. Every attempt is counted before its password is checked,
// and a success takes its attempt back, so the counts are of failures and
// of attempts still being checked; concurrent guesses cannot all pass.
//
//   - MaxFailures per user name within FailureWindow, counted apart for
//     strangers and for each address the user has signed in from before:
//     someone failing from elsewhere cannot lock the user out where they
//     work, and a stranger still gets only MaxFailures guesses at the name.
//   - MaxAddressFailures per client address within FailureWindow, whatever
//     the names: one client cannot spray many names with a few passwords.
//
// Past a limit, attempts are refused until the oldest counted attempt
// leaves the window.
const (
	MaxFailures        = 5
	MaxAddressFailures = 20
	FailureWindow      = 5 * time.Minute
)

// attemptRetention is how long counted attempts are kept at all; older
// ones serve no limit and are trimmed as new ones come.
const attemptRetention = 24 * time.Hour

// attempt is a counted sign-in attempt, which a success takes back.
type attempt struct {
	id       int64
	username string
	address  string
}

// Limits named in audit entries and in the refusal's message.
const (
	limitUser    = "user"
	limitAddress = "address"
)

// countAttempt counts an attempt at username's password from address ("" when
// the caller has none) before the password is checked, and returns it; or,
// when a limit is reached, audits the refusal as refusedAction by actor and
// returns a *ThrottledError (ERATELIMITED). The check and the count are one
// transaction under advisory locks on the address and the name, so that of
// any number of concurrent attempts at most the limit's number pass.
func (s *Store) countAttempt(ctx context.Context, actor taahod.Actor, refusedAction, username, address string) (attempt, error) {
	var (
		a       = attempt{username: username, address: address}
		refused string
		wait    time.Duration
	)
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		refused, wait = "", 0
		// Always address first, then name: two attempts never wait for each
		// other's locks in opposite orders.
		for _, key := range []string{"taahod.signin.address:" + address, "taahod.signin.user:" + username} {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, key); err != nil {
				return err
			}
		}
		since := tx.Now.Add(-FailureWindow)
		known := false
		if address != "" {
			if err := tx.GetContext(ctx, &known, `
				SELECT EXISTS (SELECT 1 FROM signin_addresses WHERE username = $1 AND address = $2)`,
				username, address); err != nil {
				return err
			}
			var recent []time.Time
			if err := tx.SelectContext(ctx, &recent, `
				SELECT attempted_at FROM signin_attempts
				 WHERE address = $1 AND attempted_at > $2
				 ORDER BY attempted_at DESC LIMIT $3`, address, since, MaxAddressFailures); err != nil {
				return err
			}
			if len(recent) >= MaxAddressFailures {
				refused, wait = limitAddress, waitFor(recent, tx.Now)
			}
		}
		if refused == "" {
			var recent []time.Time
			if err := tx.SelectContext(ctx, &recent, `
				SELECT attempted_at FROM signin_attempts
				 WHERE username = $1 AND known = $2 AND (NOT $2 OR address = $3) AND attempted_at > $4
				 ORDER BY attempted_at DESC LIMIT $5`, username, known, address, since, MaxFailures); err != nil {
				return err
			}
			if len(recent) >= MaxFailures {
				refused, wait = limitUser, waitFor(recent, tx.Now)
			}
		}
		if refused != "" {
			// The refusal is kept (the transaction commits): who was tried,
			// from where, and which limit held; never a password.
			var target any = ""
			var id int64
			if err := tx.GetContext(ctx, &id, `SELECT COALESCE((SELECT id FROM users WHERE username = $1), 0)`, username); err != nil {
				return err
			}
			if id != 0 {
				target = id
			}
			tx.Audit(ctx, actor, refusedAction, "user", target, map[string]any{
				"username": auditedName(username), "address": address, "outcome": "refused", "limit": refused})
			return nil
		}
		if err := tx.GetContext(ctx, &a.id, `
			INSERT INTO signin_attempts (username, address, known, attempted_at) VALUES ($1, $2, $3, $4)
			RETURNING id`, username, address, known, tx.Now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			DELETE FROM signin_attempts WHERE (username = $1 OR address = $2) AND attempted_at < $3`,
			username, address, tx.Now.Add(-attemptRetention))
		return err
	})
	if err != nil {
		return attempt{}, err
	}
	if refused != "" {
		msg := "too many failed sign-ins for this user; try again later"
		if refused == limitAddress {
			msg = "too many failed sign-ins from this address; try again later"
		}
		return attempt{}, &ThrottledError{Err: &taahod.Error{Code: taahod.ERATELIMITED, Message: msg}, Wait: wait}
	}
	return a, nil
}

// waitFor returns how long until the oldest of recent (newest first)
// leaves the window and frees a place; at least a second.
func waitFor(recent []time.Time, now time.Time) time.Duration {
	return max(recent[len(recent)-1].Add(FailureWindow).Sub(now), time.Second)
}

// takeBack forgets a counted attempt that succeeded, with the failures of
// the same name from the same address before it (the person's own typing
// errors), and remembers the address as one the user signs in from. It runs
// inside the success's transaction.
func (a attempt) takeBack(ctx context.Context, tx *database.Tx) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM signin_attempts WHERE id = $1 OR (username = $2 AND address = $3)`,
		a.id, a.username, a.address); err != nil {
		return err
	}
	if a.address == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO signin_addresses (username, address, last_signin_at) VALUES ($1, $2, $3)
		ON CONFLICT (username, address) DO UPDATE SET last_signin_at = EXCLUDED.last_signin_at`,
		a.username, a.address, tx.Now); err != nil {
		return err
	}
	// An address not used for a long while is a stranger's again.
	_, err := tx.ExecContext(ctx, `DELETE FROM signin_addresses WHERE username = $1 AND last_signin_at < $2`,
		a.username, tx.Now.Add(-knownAddressRetention))
	return err
}

// knownAddressRetention is how long an address a user signed in from stays
// theirs without another sign-in from it.
const knownAddressRetention = 90 * 24 * time.Hour

// auditedName is the attempted user name as the audit trail keeps it: a
// name that cannot be a user's (it breaks the user-name rule) is left out,
// as it may be a password typed into the wrong field.
func auditedName(username string) string {
	if usernamePattern.MatchString(username) {
		return username
	}
	return "(not a user name)"
}

// PurgeSignInAttempts removes counted attempts older than any limit looks
// back (a day), which new attempts of the same name or address would
// otherwise trim, and returns how many.
func PurgeSignInAttempts(ctx context.Context, db *database.DB) (int64, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM signin_attempts WHERE attempted_at < $1`, db.Now().Add(-attemptRetention))
	if err != nil {
		return 0, database.MapError(err)
	}
	return res.RowsAffected()
}
