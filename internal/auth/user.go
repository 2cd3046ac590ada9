package auth

import (
	"context"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// User is a person who signs in.
type User struct {
	ID       int64       `db:"id" json:"id"`
	Username string      `db:"username" json:"username"`
	Role     taahod.Role `db:"role" json:"role"`
	FullName *string     `db:"full_name" json:"full_name"`
	// Email, when set, is where the person's notifications are also
	// mailed (notify.Mailer, when TAAHOD_SMTP_URL is set).
	Email   *string `db:"email" json:"-"`
	UnitIDs []int64 `db:"-" json:"unit_ids"`
	// MustChangePassword is set while the user signs in with a password an
	// administrator chose: until they choose their own, the API answers
	// them only on /auth/me, /auth/logout and PUT /auth/password.
	MustChangePassword bool      `db:"must_change_password" json:"must_change_password"`
	Disabled           bool      `db:"disabled" json:"-"`
	CreatedAt          time.Time `db:"created_at" json:"-"`
	// UpdatedAt and PasswordChangedAt are read for the administrators'
	// list only; a sign-in leaves them zero.
	UpdatedAt         time.Time `db:"updated_at" json:"-"`
	PasswordChangedAt time.Time `db:"password_changed_at" json:"-"`
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
	// Email is optional ("" for none).
	Email string
}

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,63}$`)

// maxFullName bounds a person's name, in characters.
const maxFullName = 200

// Validate checks the user's fields; user names are kept in lower case and
// names trimmed.
func (n *NewUser) Validate() error { return n.validate(false) }

// validate is Validate; an account an administrator makes through the API
// must carry the person's name, as the people who read the audit trail and
// the reviews know colleagues by name.
func (n *NewUser) validate(nameRequired bool) error {
	var p taahod.Problems
	n.Username = strings.ToLower(strings.TrimSpace(n.Username))
	n.FullName = strings.TrimSpace(n.FullName)
	if !usernamePattern.MatchString(n.Username) {
		p.Add("username", "invalid_username", "2 to 64 characters: a-z, 0-9, '.', '_' or '-', starting with a letter or digit")
	}
	if nameRequired && n.FullName == "" {
		p.Add("full_name", "required", "full_name is required")
	}
	checkFullName(&p, n.FullName)
	n.Email = strings.TrimSpace(n.Email)
	checkEmail(&p, n.Email)
	if !n.Role.Valid() {
		p.Add("role", "invalid_choice", "role must be one of admin, secretariat, accountant, tax_officer, education_officer, auditor")
	}
	checkUnits(&p, n.Role, n.UnitIDs)
	return p.Err()
}

func checkFullName(p *taahod.Problems, name string) {
	switch {
	case !utf8.ValidString(name):
		p.Add("full_name", "invalid_text", "full_name is not valid UTF-8")
	case utf8.RuneCountInString(name) > maxFullName:
		p.Add("full_name", "too_long", "full_name has at most 200 characters")
	}
}

// maxEmail bounds an email address (RFC 5321's path limit).
const maxEmail = 254

// checkEmail accepts "" (none) or one plain address, such as
// name@example.org, without a display name.
func checkEmail(p *taahod.Problems, email string) {
	if email == "" {
		return
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" || len(email) > maxEmail || strings.ContainsAny(email, " \t\r\n<>") {
		p.Add("email", "invalid_email", "email must be one plain address such as name@example.org")
	}
}

// checkUnits holds the rule that ties units to accountants only.
func checkUnits(p *taahod.Problems, role taahod.Role, units []int64) {
	switch {
	case role == taahod.RoleAccountant && len(units) == 0:
		p.Add("units", "required", "an accountant serves at least one unit")
	case role != taahod.RoleAccountant && len(units) > 0:
		p.Add("units", "not_allowed", "only accountants are tied to units")
	}
	for _, id := range units {
		if id <= 0 {
			p.Add("units", "invalid_id", "unit ids are positive whole numbers")
			break
		}
	}
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

// CreateUser adds a user with the password given (the command line's way:
// the operator chose it, so it need not be changed). It returns EINVALID for
// bad fields or unknown units and ECONFLICT when the user name is taken.
func (s *Store) CreateUser(ctx context.Context, actor taahod.Actor, n NewUser) (User, error) {
	return s.createUser(ctx, actor, n, false)
}

// CreateUserWithOneTimePassword adds a user with a random one-time password,
// returned once and stored only hashed; the user must change it at their
// first sign-in. The full name is required. Errors are those of CreateUser.
func (s *Store) CreateUserWithOneTimePassword(ctx context.Context, actor taahod.Actor, n NewUser) (User, string, error) {
	n.Password = newOneTimePassword()
	u, err := s.createUser(ctx, actor, n, true)
	if err != nil {
		return User{}, "", err
	}
	return u, n.Password, nil
}

func (s *Store) createUser(ctx context.Context, actor taahod.Actor, n NewUser, oneTime bool) (User, error) {
	if err := n.validate(oneTime); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	units := slices.Clone(n.UnitIDs)
	slices.Sort(units)
	units = slices.Compact(units)
	if units == nil {
		units = []int64{}
	}
	var u User
	err = s.DB.Transact(ctx, func(tx *database.Tx) error {
		err := tx.GetContext(ctx, &u, `
			INSERT INTO users (username, password_hash, role, full_name, must_change_password,
			                   password_changed_at, created_at, updated_at, email)
			VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $6, $6, NULLIF($7, ''))
			RETURNING `+userColumns,
			n.Username, hash, n.Role, n.FullName, oneTime, tx.Now, n.Email)
		if err != nil {
			if taahod.ErrorCode(database.MapError(err)) == taahod.ECONFLICT {
				return &taahod.Error{Code: taahod.ECONFLICT, Message: "the user name " + n.Username + " is taken",
					Fields: []taahod.FieldError{{Field: "username", Code: "taken", Message: "this user name is taken"}}}
			}
			return err
		}
		if err := setUnits(ctx, tx, u.ID, units); err != nil {
			return err
		}
		u.UnitIDs = units
		tx.Audit(ctx, actor, "user.create", "user", u.ID, map[string]any{
			"username": u.Username, "full_name": u.FullName, "email": u.Email, "role": u.Role, "unit_ids": units,
			"must_change_password": oneTime})
		return nil
	})
	return u, err
}

// userColumns are the columns a User scans from.
const userColumns = `id, username, role, full_name, must_change_password, disabled, created_at,
	updated_at, password_changed_at, email`

// setUnits makes units (sorted, distinct) the user's units. It returns
// EINVALID naming units when one of them does not exist.
func setUnits(ctx context.Context, tx *database.Tx, userID int64, units []int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_units WHERE user_id = $1 AND unit_id <> ALL($2)`,
		userID, pq.Array(units)); err != nil {
		return err
	}
	if len(units) == 0 {
		return nil
	}
	var known int
	if err := tx.GetContext(ctx, &known, `SELECT count(*) FROM units WHERE id = ANY($1)`, pq.Array(units)); err != nil {
		return err
	}
	if known != len(units) {
		return taahod.Invalid("units", "unknown_unit", "some of the units do not exist")
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO user_units (user_id, unit_id) SELECT $1, unnest($2::bigint[])
		ON CONFLICT DO NOTHING`, userID, pq.Array(units))
	return err
}
