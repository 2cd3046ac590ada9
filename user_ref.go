package taahod

import (
	"encoding/json"
	"fmt"
)

// UserRef names a user where a record shows who acted: the reviewer, the
// submitter, who uploaded, reported, cancelled, recorded or issued.
// FullName is the user's full name, or the user name for a user who has
// none, so that a reader always has a name to show.
type UserRef struct {
	ID       int64  `json:"id"`
	FullName string `json:"full_name"`
}

// UserRefSQL is the SQL of a UserRef for the user id in column (qualify it:
// the subquery reads the users table as u): a JSON object, or NULL for
// NULL, read back by UserRef.Scan. A scalar subquery rather than a join
// keeps the FROM clauses of the queries that use it as they are, and works
// in a RETURNING list too.
func UserRefSQL(column string) string {
	return `(SELECT json_build_object('id', u.id, 'full_name', coalesce(nullif(btrim(u.full_name), ''), u.username))
		FROM users u WHERE u.id = ` + column + `)`
}

// Scan reads the JSON object UserRefSQL writes.
func (r *UserRef) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		return fmt.Errorf("taahod: scan user from %T", src)
	}
	return json.Unmarshal(raw, r)
}

// Ref names the actor as a UserRef, as a record it has just written shows
// it without reading it back; nil for the system actor, which is no user.
func (a Actor) Ref() *UserRef {
	if a.UserID == 0 {
		return nil
	}
	return &UserRef{ID: a.UserID, FullName: a.DisplayName()}
}
