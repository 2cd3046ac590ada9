package ledger

import (
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// Store reads and writes the money domain's records. Every method takes the
// acting user: it scopes what is read (an accountant sees only their units'
// pledges and expenditures) and names who made each change in the audit log.
type Store struct {
	DB *database.DB

	// runReadsOldest, when not 0, is how many of the oldest candidates an
	// offset run reads with the sums instead of defaultRunReadsOldest:
	// tests lower it so that runs read the rest too.
	runReadsOldest int
}

// NewStore returns a Store over db.
func NewStore(db *database.DB) *Store { return &Store{DB: db} }

// today is the civil date in Tehran by the store's clock.
func (s *Store) today() taahod.Date { return taahod.Today(s.DB.Now()) }

// text is the value of an optional text input, "" when absent.
func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
