package registry

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod/internal/database"
)

// Store reads and writes the registry's records.
type Store struct {
	DB *database.DB

	cache figuresCache // the figures counted, until the records move
}

// NewStore returns a Store over db.
func NewStore(db *database.DB) *Store { return &Store{DB: db} }

// prepared returns query prepared on s.DB (database.DB.Prepared: once per
// pool, and again by database/sql on each connection that runs it). A
// statement read on every request, like the yearly figures, is then
// planned once per connection and not on every request: its planning cost
// more than running it (BenchmarkPublicHome).
func (s *Store) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	return s.DB.Prepared(ctx, query)
}
