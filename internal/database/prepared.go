package database

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"
)

// preparedStatements caches the statements of the hot paths, prepared once
// per pool (database/sql then prepares each on a connection the first time
// it runs there, and keeps it). A prepared statement is parsed and planned
// once per connection rather than at every run; for a statement of several
// CTEs, such as an expenditure's submission, that is a good part of the
// database's work per request.
type preparedStatements struct {
	stmts sync.Map   // query → *sqlx.Stmt
	mu    sync.Mutex // held while one is prepared
}

// Prepared returns query prepared on the pool, preparing it the first time.
// Use it for the few statements that run at every request of a hot path;
// the statements live as long as the DB.
func (db *DB) Prepared(ctx context.Context, query string) (*sqlx.Stmt, error) {
	if st, ok := db.prepared.stmts.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	db.prepared.mu.Lock()
	defer db.prepared.mu.Unlock()
	if st, ok := db.prepared.stmts.Load(query); ok {
		return st.(*sqlx.Stmt), nil
	}
	st, err := db.PreparexContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil, MapError(err)
	}
	db.prepared.stmts.Store(query, st)
	return st, nil
}
