package registry

import "github.com/taahod/taahod/internal/database"

// Store reads and writes the registry's records.
type Store struct {
	DB *database.DB
}

// NewStore returns a Store over db.
func NewStore(db *database.DB) *Store { return &Store{DB: db} }
