package api

import (
	"fmt"
	"testing"
)

// nameUser gives the test user username a full name and returns the user's
// id, so that an answer naming the user ({id, full_name}) is told apart
// from one where the user name stands in for a missing full name.
func (e *env) nameUser(t *testing.T, username, fullName string) int64 {
	t.Helper()
	var id int64
	if err := e.db.QueryRow(`UPDATE users SET full_name = $2 WHERE username = $1 RETURNING id`, username, fullName).Scan(&id); err != nil {
		t.Fatalf("name user %s: %v", username, err)
	}
	return id
}

// mustBeUser fails unless v, a field of an answer, is {id, full_name} of the
// user id named name, and nothing else.
func mustBeUser(t *testing.T, what string, v any, id int64, name string) {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok || len(m) != 2 || str(m["id"]) != fmt.Sprint(id) || m["full_name"] != name {
		t.Fatalf("%s: %v, want {id: %d, full_name: %q}", what, v, id, name)
	}
}
