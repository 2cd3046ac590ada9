package registry

import (
	"context"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// EachResolution calls fn with each resolution ListResolutions lists for f,
// in the same order and finished for v the same way, at most f.Limit of
// them, read by one query row by row: the list's file (issue 15) is
// written as the rows arrive and never held whole. It returns EINVALID as
// ListResolutions does; fn's first error ends the query and is returned.
func (s *Store) EachResolution(ctx context.Context, v Viewer, f ResolutionFilter, fn func(*Resolution) error) error {
	today := taahod.Today(s.DB.Now())
	where, args, err := resolutionWhere(v, f, today)
	if err != nil {
		return err
	}
	query := resolutionSelect + ` WHERE ` + where + ` ORDER BY r.id LIMIT ` + args.Add(f.Limit)
	rows, err := s.DB.QueryxContext(ctx, query, args...)
	if err != nil {
		return database.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r Resolution
		if err := rows.StructScan(&r); err != nil {
			return database.MapError(err)
		}
		r.finish(v, today)
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return database.MapError(err)
	}
	return nil
}
