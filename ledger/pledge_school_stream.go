package ledger

import (
	"context"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// EachPledge calls fn with each pledge ListPledges lists for f, in the same
// order, at most f.Limit of them, read by one query row by row: the list's
// file (issue 15) is written as the rows arrive and never held whole. fn's
// first error ends the query and is returned.
func (s *Store) EachPledge(ctx context.Context, actor taahod.Actor, f PledgeFilter, fn func(*Pledge) error) error {
	query, args := s.pledgeQuery(actor, f)
	return database.EachRow(ctx, s.DB, query, args, fn)
}

// EachSchool calls fn with each school ListSchools lists for f, in the same
// order and with the same totals, at most f.Limit of them, read by one
// query row by row, without the units that pledged to it (PledgingUnits is
// nil), which no file shows. fn's first error ends the query and is
// returned.
func (s *Store) EachSchool(ctx context.Context, actor taahod.Actor, f SchoolFilter, fn func(*School) error) error {
	query, args := schoolQuery(actor, f)
	return database.EachRow(ctx, s.DB, query, args, fn)
}
