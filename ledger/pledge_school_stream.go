package ledger

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// EachPledge calls fn with each pledge ListPledges lists for f, in the same
// order, at most f.Limit of them, read by one query row by row: the list's
// file (issue 15) is written as the rows arrive and never held whole. fn's
// first error ends the query and is returned.
func (s *Store) EachPledge(ctx context.Context, actor taahod.Actor, f PledgeFilter, fn func(*Pledge) error) error {
	query, args := s.pledgeQuery(actor, f)
	return eachRow(ctx, s.DB, query, args, fn)
}

// EachSchool calls fn with each school ListSchools lists for f, in the same
// order and with the same totals, at most f.Limit of them, read by one
// query row by row, without the units that pledged to it (PledgingUnits is
// nil), which no file shows. fn's first error ends the query and is
// returned.
func (s *Store) EachSchool(ctx context.Context, actor taahod.Actor, f SchoolFilter, fn func(*School) error) error {
	query, args := schoolQuery(actor, f)
	return eachRow(ctx, s.DB, query, args, fn)
}

// eachRow runs query and calls fn with each row scanned into a new T.
func eachRow[T any](ctx context.Context, db sqlx.QueryerContext, query string, args []any, fn func(*T) error) error {
	rows, err := db.QueryxContext(ctx, query, args...)
	if err != nil {
		return database.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v T
		if err := rows.StructScan(&v); err != nil {
			return database.MapError(err)
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return database.MapError(err)
	}
	return nil
}
