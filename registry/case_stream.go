package registry

import (
	"context"

	"github.com/taahod/taahod/internal/database"
)

// EachCase calls fn with each case ListCases lists for f, in the same order
// and finished for v the same way, at most f.Limit of them, read by one
// query row by row: the list's file (issue 15) is written as the rows
// arrive and never held whole. It returns EINVALID as ListCases does; fn's
// first error ends the query and is returned.
func (s *Store) EachCase(ctx context.Context, v Viewer, f CaseFilter, fn func(*Case) error) error {
	where, args, err := caseWhere(v, f)
	if err != nil {
		return err
	}
	query := caseSelect + ` WHERE ` + where + ` ORDER BY c.id LIMIT ` + args.Add(f.Limit)
	rows, err := s.DB.QueryxContext(ctx, query, args...)
	if err != nil {
		return database.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Case
		if err := rows.StructScan(&c); err != nil {
			return database.MapError(err)
		}
		c.finish(v)
		if err := fn(&c); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return database.MapError(err)
	}
	return nil
}
