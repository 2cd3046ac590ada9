package auth

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// ELASTADMIN refuses a change that would leave the service without an
// enabled administrator, who alone can manage users (409).
var ELASTADMIN = taahod.RegisterCode("last_admin")

// UserFilter selects users for the administrators' list; zero fields do
// not filter. The list is ordered by id, after AfterID, at most Limit.
type UserFilter struct {
	Role     taahod.Role
	Disabled *bool
	// Q matches a part of the user name or of the full name, with Arabic
	// ي and ك read as the Persian ی and ک.
	Q       string
	AfterID int64
	Limit   int
}

// ListUsers returns the users the filter selects, with their units.
func (s *Store) ListUsers(ctx context.Context, f UserFilter) ([]User, error) {
	var (
		conds []string
		args  []any
	)
	arg := func(v any) string { args = append(args, v); return "$" + strconv.Itoa(len(args)) }
	conds = append(conds, "id > "+arg(f.AfterID))
	if f.Role != "" {
		conds = append(conds, "role = "+arg(f.Role))
	}
	if f.Disabled != nil {
		conds = append(conds, "disabled = "+arg(*f.Disabled))
	}
	if f.Q != "" {
		p := arg("%" + likeEscape(foldArabic(strings.ToLower(f.Q))) + "%")
		conds = append(conds, "(username LIKE "+p+" OR translate(lower(coalesce(full_name, '')), 'يك', 'یک') LIKE "+p+")")
	}
	limit := arg(f.Limit)
	var rows []struct {
		User
		Units pq.Int64Array `db:"unit_ids"`
	}
	err := s.DB.SelectContext(ctx, &rows, `
		SELECT `+userColumns+`,
		       ARRAY(SELECT unit_id FROM user_units uu WHERE uu.user_id = users.id ORDER BY unit_id) AS unit_ids
		  FROM users WHERE `+strings.Join(conds, " AND ")+`
		 ORDER BY id LIMIT `+limit, args...)
	if err != nil {
		return nil, database.MapError(err)
	}
	out := make([]User, len(rows))
	for i, r := range rows {
		out[i] = r.User
		out[i].UnitIDs = []int64(r.Units)
	}
	return out, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// foldArabic reads the Arabic letters people type for the Persian ones.
func foldArabic(s string) string { return strings.NewReplacer("ي", "ی", "ك", "ک").Replace(s) }

// GetUser returns a user with their units, or ENOTFOUND.
func (s *Store) GetUser(ctx context.Context, id int64) (User, error) {
	return getUser(ctx, s.DB, id, false)
}

func getUser(ctx context.Context, q sqlxGetter, id int64, lock bool) (User, error) {
	var u User
	query := `SELECT ` + userColumns + ` FROM users WHERE id = $1`
	if lock {
		query += ` FOR UPDATE`
	}
	err := q.GetContext(ctx, &u, query, id)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, taahod.Errorf(taahod.ENOTFOUND, "no user %d", id)
	} else if err != nil {
		return User{}, database.MapError(err)
	}
	u.UnitIDs = []int64{}
	if err := q.SelectContext(ctx, &u.UnitIDs, `SELECT unit_id FROM user_units WHERE user_id = $1 ORDER BY unit_id`, id); err != nil {
		return User{}, database.MapError(err)
	}
	return u, nil
}

type sqlxGetter interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
	SelectContext(ctx context.Context, dest any, query string, args ...any) error
}

// UserChange is a partial update of a user; nil or unset fields stay.
type UserChange struct {
	// FullName set to null or "" clears the name.
	FullName taahod.Optional[string]
	Role     *taahod.Role
	// Units replaces the accountant's units. Left out while the role
	// changes away from accountant, the units are let go with the role.
	Units    *[]int64
	Disabled *bool
	// Email set to null or "" removes the address.
	Email taahod.Optional[string]
}

// UpdateUser changes a user. Disabling ends their sessions at once. It
// returns ENOTFOUND for an unknown user, EINVALID for bad fields (units
// given to a role other than accountant, an accountant without units, a
// unit that does not exist, an administrator disabling their own account)
// and ELASTADMIN when no enabled administrator would be left.
func (s *Store) UpdateUser(ctx context.Context, actor taahod.Actor, id int64, ch UserChange) (User, error) {
	var p taahod.Problems
	if ch.Role != nil && !ch.Role.Valid() {
		p.Add("role", "invalid_choice", "role must be one of admin, secretariat, accountant, tax_officer, education_officer, auditor")
	}
	name := strings.TrimSpace(ch.FullName.Value)
	if ch.FullName.Set {
		checkFullName(&p, name)
	}
	email := strings.TrimSpace(ch.Email.Value)
	if ch.Email.Set {
		checkEmail(&p, email)
	}
	if ch.Disabled != nil && *ch.Disabled && id == actor.UserID {
		p.Add("disabled", "own_account", "an administrator cannot disable their own account")
	}
	if err := p.Err(); err != nil {
		return User{}, err
	}
	var out User
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		if ch.Role != nil || ch.Disabled != nil {
			// Changes of who is an enabled administrator take turns, so
			// that two administrators demoting each other at once cannot
			// both see the other one left.
			if _, err := tx.ExecContext(ctx, `
				SELECT id FROM users WHERE role = 'admin' AND NOT disabled ORDER BY id FOR UPDATE`); err != nil {
				return err
			}
		}
		before, err := getUser(ctx, tx, id, true)
		if err != nil {
			return err
		}
		after := before
		changes := map[string]any{}
		if ch.FullName.Set {
			var fn *string
			if name != "" {
				fn = &name
			}
			if !equalName(before.FullName, fn) {
				after.FullName = fn
				changes["full_name"] = map[string]any{"from": before.FullName, "to": fn}
			}
		}
		if ch.Email.Set {
			var em *string
			if email != "" {
				em = &email
			}
			if !equalName(before.Email, em) {
				after.Email = em
				changes["email"] = map[string]any{"from": before.Email, "to": em}
			}
		}
		if ch.Role != nil && *ch.Role != before.Role {
			after.Role = *ch.Role
			changes["role"] = map[string]any{"from": before.Role, "to": after.Role}
		}
		switch {
		case ch.Units != nil:
			units := slices.Clone(*ch.Units)
			slices.Sort(units)
			after.UnitIDs = slices.Compact(units)
		case after.Role != taahod.RoleAccountant:
			after.UnitIDs = []int64{}
		}
		var p taahod.Problems
		checkUnits(&p, after.Role, after.UnitIDs)
		if err := p.Err(); err != nil {
			return err
		}
		if !slices.Equal(before.UnitIDs, after.UnitIDs) {
			changes["unit_ids"] = map[string]any{"from": before.UnitIDs, "to": after.UnitIDs}
		}
		if ch.Disabled != nil && *ch.Disabled != before.Disabled {
			after.Disabled = *ch.Disabled
			changes["disabled"] = map[string]any{"from": before.Disabled, "to": after.Disabled}
		}
		if len(changes) == 0 {
			out = before
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE users SET full_name = $2, role = $3, disabled = $4, updated_at = $5, email = $6 WHERE id = $1`,
			id, after.FullName, after.Role, after.Disabled, tx.Now, after.Email); err != nil {
			return err
		}
		if err := setUnits(ctx, tx, id, after.UnitIDs); err != nil {
			return err
		}
		if before.Role == taahod.RoleAdmin && !before.Disabled {
			var admins int
			if err := tx.GetContext(ctx, &admins, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`); err != nil {
				return err
			}
			if admins == 0 {
				return taahod.Errorf(ELASTADMIN, "this is the last enabled administrator: make another one first")
			}
		}
		if after.Disabled && !before.Disabled {
			ended, err := endSessions(ctx, tx, id, nil)
			if err != nil {
				return err
			}
			changes["sessions_ended"] = ended
		}
		tx.Audit(ctx, actor, "user.update", "user", id, changes)
		after.UpdatedAt = tx.Now
		out = after
		return nil
	})
	if err != nil {
		return User{}, err
	}
	s.forgetSessions()
	return out, nil
}

func equalName(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// ResetPassword gives a user a new random one-time password, returned once
// and stored only hashed, makes them change it at their next sign-in and
// ends all their sessions. It returns ENOTFOUND for an unknown user.
func (s *Store) ResetPassword(ctx context.Context, actor taahod.Actor, id int64) (User, string, error) {
	password := newOneTimePassword()
	hash, err := hashPassword(password)
	if err != nil {
		return User{}, "", err
	}
	var u User
	err = s.DB.Transact(ctx, func(tx *database.Tx) error {
		var err error
		if u, err = getUser(ctx, tx, id, true); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE users SET password_hash = $2, must_change_password = TRUE, password_changed_at = $3, updated_at = $3
			 WHERE id = $1`, id, hash, tx.Now); err != nil {
			return err
		}
		ended, err := endSessions(ctx, tx, id, nil)
		if err != nil {
			return err
		}
		tx.Audit(ctx, actor, "user.reset_password", "user", id, map[string]any{"sessions_ended": ended})
		u.MustChangePassword = true
		u.PasswordChangedAt, u.UpdatedAt = tx.Now, tx.Now
		return nil
	})
	if err != nil {
		return User{}, "", err
	}
	s.forgetSessions()
	return u, password, nil
}
