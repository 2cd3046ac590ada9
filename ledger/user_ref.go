package ledger

import (
	"encoding/json"
	"fmt"

	"github.com/taahod/taahod"
)

// UserRef names a user where a record shows who acted: the reviewer, the
// submitter, who withdrew or reversed. FullName is the user's full name, or
// the user name for a user who has none, so that a reader always has a
// name to show.
type UserRef struct {
	ID       int64  `json:"id"`
	FullName string `json:"full_name"`
}

// userRefSQL is the SQL of a UserRef for the user id in column: a JSON
// object, or NULL for NULL, read back by UserRef.Scan. A scalar subquery
// rather than a join keeps the FROM clauses of the queries that list
// expenditures as they are.
func userRefSQL(column string) string {
	return `(SELECT json_build_object('id', u.id, 'full_name', coalesce(nullif(btrim(u.full_name), ''), u.username))
		FROM users u WHERE u.id = ` + column + `)`
}

// Scan reads the JSON object userRefSQL writes.
func (r *UserRef) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case []byte:
		raw = v
	case string:
		raw = []byte(v)
	default:
		return fmt.Errorf("ledger: scan user from %T", src)
	}
	return json.Unmarshal(raw, r)
}

// userOf names the actor as a UserRef; nil for the system actor, which is
// no user.
func userOf(actor taahod.Actor) *UserRef {
	if actor.UserID == 0 {
		return nil
	}
	return &UserRef{ID: actor.UserID, FullName: actor.DisplayName()}
}
