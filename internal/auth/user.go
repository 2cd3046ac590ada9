package auth

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// User is a person who signs in.
type User struct {
	ID        int64       `db:"id" json:"id"`
	Username  string      `db:"username" json:"username"`
	Role      taahod.Role `db:"role" json:"role"`
	FullName  *string     `db:"full_name" json:"full_name,omitempty"`
	UnitIDs   []int64     `db:"-" json:"unit_ids"`
	Disabled  bool        `db:"disabled" json:"-"`
	CreatedAt time.Time   `db:"created_at" json:"-"`
}

// Actor returns the user as the actor of a request.
func (u User) Actor() taahod.Actor {
	a := taahod.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, UnitIDs: u.UnitIDs}
	if u.FullName != nil {
		a.FullName = *u.FullName
	}
	return a
}

// NewUser is what adding a user takes.
type NewUser struct {
	Username string
	Password string
	Role     taahod.Role
	FullName string
	UnitIDs  []int64
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// Validate checks the user's fields; user names are kept in lower case.
func (n *NewUser) Validate() error {
	var p taahod.Problems
	n.Username = strings.ToLower(strings.TrimSpace(n.Username))
	if !usernamePattern.MatchString(n.Username) {
		p.Add("username", "invalid_username", "2 to 64 characters: a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
	}
	if !n.Role.Valid() {
		p.Add("role", "invalid_choice", "role must be one of admin, secretariat, accountant, tax_officer, education_officer, auditor")
	}
	switch {
	case n.Role == taahod.RoleAccountant && len(n.UnitIDs) == 0:
		p.Add("unit_ids", "required", "an accountant serves at least one unit")
	case n.Role != taahod.RoleAccountant && len(n.UnitIDs) > 0:
		p.Add("unit_ids", "not_allowed", "only accountants are tied to units")
	}
	return p.Err()
}

// Store keeps users and their tokens.
type Store struct {
	DB *database.DB
	// TokenTTL is how long a sign-in lasts.
	TokenTTL time.Duration

	cache *tokenCache // nil unless CacheTokens was called
}

// DefaultTokenTTL is how long a sign-in lasts unless configured.
const DefaultTokenTTL = 12 * time.Hour

// NewStore returns a Store over db.
func NewStore(db *database.DB) *Store { return &Store{DB: db, TokenTTL: DefaultTokenTTL} }

// CreateUser adds a user. It returns EINVALID for bad fields or unknown
// units and ECONFLICT when the user name is taken.
func (s *Store) CreateUser(ctx context.Context, actor taahod.Actor, n NewUser) (User, error) {
	if err := n.Validate(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	units := slices.Clone(n.UnitIDs)
	slices.Sort(units)
	units = slices.Compact(units)
	var u User
	err = s.DB.Transact(ctx, func(tx *database.Tx) error {
		err := tx.GetContext(ctx, &u, `
			INSERT INTO users (username, password_hash, role, full_name, created_at)
			VALUES ($1, $2, $3, NULLIF($4, ''), $5)
			RETURNING id, username, role, full_name, disabled, created_at`,
			n.Username, hash, n.Role, n.FullName, tx.Now)
		if err != nil {
			if taahod.ErrorCode(database.MapError(err)) == taahod.ECONFLICT {
				return taahod.Errorf(taahod.ECONFLICT, "the user name %q is taken", n.Username)
			}
			return err
		}
		if len(units) > 0 {
			res, err := tx.ExecContext(ctx, `
				INSERT INTO user_units (user_id, unit_id)
				SELECT $1, id FROM units WHERE id = ANY($2)`, u.ID, pq.Array(units))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); int(n) != len(units) {
				return taahod.Invalid("unit_ids", "unknown_unit", "some of the units do not exist")
			}
		}
		u.UnitIDs = units
		tx.Audit(ctx, actor, "user.create", "user", u.ID, map[string]any{
			"username": u.Username, "role": u.Role, "unit_ids": units})
		return nil
	})
	return u, err
}
