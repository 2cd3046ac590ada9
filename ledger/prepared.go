package ledger

import (
	"context"
	"database/sql"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod/internal/database"
)

// preparedQueries are the statements an offset run makes once per unit,
// run prepared (database.DB.Prepared): parsed and planned once per
// connection rather than at every call. The reading of a unit-year's books
// (readFigures) is a statement of several CTEs that took four times as
// long to plan as to run: most of the database's time in a province's run
// of 1,000 units of 20 expenditures each.
var preparedQueries = []string{booksQuery, showExpendituresQuery, insertTransactionQuery, openAccountsQuery}

// prepared holds preparedQueries prepared on a store's pool. A nil or
// empty one runs every statement as sent.
type prepared map[string]*sqlx.Stmt

// prepared returns the store's preparedQueries, preparing those not yet
// prepared. Call it before the transaction that uses them, holding no
// connection of the pool: preparing on the pool takes a connection, and a
// transaction that waited for one while its own is held could wait
// forever (every other connection in a transaction that waits for its
// unit's lock, held by this one). A statement that cannot be prepared runs
// as sent.
func (s *Store) prepared(ctx context.Context) prepared {
	ps := make(prepared, len(preparedQueries))
	for _, q := range preparedQueries {
		if st, err := s.DB.Prepared(ctx, q); err == nil {
			ps[q] = st
		}
	}
	return ps
}

// query runs query in q: prepared when ps has it and q is a transaction
// (database/sql prepares it on the transaction's own connection the first
// time it runs there), else as sent.
func (ps prepared) query(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) (*sql.Rows, error) {
	if st, ok := ps[query]; ok {
		if tx, ok := q.(*database.Tx); ok {
			return tx.StmtxContext(ctx, st).QueryContext(ctx, args...)
		}
	}
	return q.QueryContext(ctx, query, args...)
}

// queryRow runs query in q for its one row, as query does; the row's Scan
// closes the rows and returns the statement's error when it fails after
// sending its row (a trigger at the end of an INSERT's statement, say).
func (ps prepared) queryRow(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) *sqlx.Row {
	if st, ok := ps[query]; ok {
		if tx, ok := q.(*database.Tx); ok {
			return tx.StmtxContext(ctx, st).QueryRowxContext(ctx, args...)
		}
	}
	return q.QueryRowxContext(ctx, query, args...)
}
