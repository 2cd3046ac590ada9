package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// EPASSWORDCHANGE refuses a request from a user who signed in with a
// one-time password and has not chosen their own yet (403).
var EPASSWORDCHANGE = taahod.RegisterCode("password_change_required")

// ChangePassword sets the actor's own password after checking the current
// one, clears the duty to change it, and ends every other session of the
// actor at once; the session of token (the caller's) lives on. It returns
// EINVALID naming current_password when that is wrong (which counts as a
// failed sign-in, so that a stolen token cannot be used to guess it) or
// new_password when the new one breaks a rule, a *ThrottledError after too
// many failures, and ECONFLICT when the password changed meanwhile.
func (s *Store) ChangePassword(ctx context.Context, actor taahod.Actor, token, current, next string) error {
	var p taahod.Problems
	if current == "" {
		p.Add("current_password", "required", "current_password is required")
	}
	if next == "" {
		p.Add("new_password", "required", "new_password is required")
	}
	if err := p.Err(); err != nil {
		return err
	}
	var row struct {
		Username string `db:"username"`
		Hash     string `db:"password_hash"`
	}
	err := s.DB.GetContext(ctx, &row, `SELECT username, password_hash FROM users WHERE id = $1 AND NOT disabled`, actor.UserID)
	if errors.Is(err, sql.ErrNoRows) {
		return errUnauthorized
	} else if err != nil {
		return database.MapError(err)
	}
	a, err := s.countAttempt(ctx, actor, "user.change_password_refused", row.Username, "")
	if err != nil {
		return err
	}
	if !passwordMatches(row.Hash, current) {
		if err := s.recordPasswordFailure(ctx, actor); err != nil {
			return err
		}
		return taahod.Invalid("current_password", "wrong_password", "the current password is wrong")
	}
	// The current password was right: this was no guess.
	if err := s.DB.Transact(ctx, func(tx *database.Tx) error { return a.takeBack(ctx, tx) }); err != nil {
		return err
	}
	if err := checkNewPassword(row.Username, current, next); err != nil {
		return err
	}
	hash, err := hashPassword(next)
	if err != nil {
		return err
	}
	keep := sha256.Sum256([]byte(token))
	err = s.DB.Transact(ctx, func(tx *database.Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE users SET password_hash = $3, must_change_password = FALSE, password_changed_at = $4, updated_at = $4
			 WHERE id = $1 AND password_hash = $2`, actor.UserID, row.Hash, hash, tx.Now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return taahod.Errorf(taahod.ECONFLICT, "the password was changed meanwhile; sign in again")
		}
		ended, err := endSessions(ctx, tx, actor.UserID, keep[:])
		if err != nil {
			return err
		}
		tx.Audit(ctx, actor, "user.change_password", "user", actor.UserID, map[string]any{"sessions_ended": ended})
		return nil
	})
	if err == nil {
		s.forgetSessions()
	}
	return err
}

// recordPasswordFailure audits a wrong current password (without the
// password); its attempt stays counted as a failed sign-in of the user.
func (s *Store) recordPasswordFailure(ctx context.Context, actor taahod.Actor) error {
	return s.DB.Transact(ctx, func(tx *database.Tx) error {
		tx.Audit(ctx, actor, "user.change_password_failed", "user", actor.UserID, map[string]any{})
		return nil
	})
}

// endSessions revokes every live token of the user but keep (nil keeps
// none) and returns how many it ended. The table's trigger announces it to
// every server's token cache when the transaction commits.
func endSessions(ctx context.Context, tx *database.Tx, userID int64, keep []byte) (int64, error) {
	if keep == nil {
		keep = []byte{}
	}
	res, err := tx.ExecContext(ctx, `
		UPDATE auth_tokens SET revoked_at = $3
		 WHERE user_id = $1 AND revoked_at IS NULL AND token_hash <> $2`, userID, keep, tx.Now)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// forgetSessions empties this process's token cache after a change that
// ends sessions or changes a user, so that it takes effect here at once;
// other processes follow when the change's notification reaches them.
func (s *Store) forgetSessions() {
	if s.cache != nil {
		s.cache.invalidate()
	}
}
