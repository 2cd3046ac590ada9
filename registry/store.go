package registry

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod/internal/database"
)

// Store reads and writes the registry's records.
type Store struct {
	DB *database.DB

	statements sync.Map     // query text → *sqlx.Stmt (prepared)
	cache      figuresCache // the figures counted, until the records move
}

// NewStore returns a Store over db.
func NewStore(db *database.DB) *Store { return &Store{DB: db} }

// prepared returns query prepared on s.DB, once per Store (database/sql
// prepares it again on each connection that runs it). A statement read on
// every request, like the yearly figures, is then planned once per
// connection and not on every request: its planning cost more than running
// it (BenchmarkPublicHome). The statements live as long as the Store.
func (s *Store) prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := s.statements.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := s.DB.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.statements.LoadOrStore(query, st); loaded {
		_ = st.Close() // another request prepared it first
		return prev.(*sqlx.Stmt), nil
	}
	return st, nil
}
