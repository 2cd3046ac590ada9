package ledger

import (
	"context"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// EachQueueItem calls fn with each item of the review queue narrowed by f,
// as FilterReviewQueue lists them (oldest (re)submission first, redacted
// for the actor, with the unit and school), at most limit of them, read by
// one query row by row: the queue's file (issue 15) is written as the rows
// arrive and never held whole. The items come without their documents and
// review rounds (Documents and Reviews are nil), which no file shows. It
// returns EINVALID for a filter that Validate refuses; fn's first error
// ends the query and is returned.
func (s *Store) EachQueueItem(ctx context.Context, actor taahod.Actor, f QueueFilter, limit int, fn func(*QueueItem) error) error {
	if err := f.Validate(); err != nil {
		return err
	}
	q := database.Filter{}
	f.where(&q, actor)
	query := `SELECT ` + queueColumns + `
		  FROM expenditures e
		  JOIN pledges p ON p.id = e.pledge_id
		  JOIN units u ON u.id = e.unit_id
		  JOIN schools s ON s.id = p.school_id
		 WHERE ` + q.Clause() + `
		 ORDER BY e.submitted_at, e.id LIMIT ` + q.Arg(limit)
	rows, err := s.DB.QueryxContext(ctx, query, q.Args...)
	if err != nil {
		return database.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r queueRow
		if err := rows.StructScan(&r); err != nil {
			return database.MapError(err)
		}
		item := r.item()
		item.Redact(actor)
		if err := fn(&item); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return database.MapError(err)
	}
	return nil
}
