package ledger

import (
	"github.com/taahod/taahod"
)

// UserRef names a user where a record shows who acted; see taahod.UserRef,
// the one definition every domain shares.
type UserRef = taahod.UserRef

// userRefSQL is taahod.UserRefSQL, kept under the name the ledger's
// queries use.
func userRefSQL(column string) string { return taahod.UserRefSQL(column) }

// userOf names the actor as a UserRef; nil for the system actor, which is
// no user.
func userOf(actor taahod.Actor) *UserRef { return actor.Ref() }
