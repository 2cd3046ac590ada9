package ledger

import (
	"context"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// EachStatementAllocation calls fn with each allocation of the unit-year's
// statement as Statement answers it, in the same order (by day, then
// expenditure), at most limit of them, read by one query row by row: the
// statement's file (issue 15) is written as the rows arrive and never held
// whole. The allocations come without their Jalali day (SpentOnJalali is
// ""), which a file writes itself. It returns ENOTFOUND as Statement does,
// for a unit outside the actor's scope or a year with no recorded tax;
// fn's first error ends the query and is returned.
func (s *Store) EachStatementAllocation(ctx context.Context, actor taahod.Actor, unit int64, year int, limit int, fn func(*StatementAllocation) error) error {
	if err := s.checkUnit(ctx, actor, unit); err != nil {
		return err
	}
	var recorded bool
	if err := s.DB.GetContext(ctx, &recorded, `SELECT EXISTS (SELECT 1 FROM tax_years WHERE unit_id = $1 AND fiscal_year = $2)`, unit, year); err != nil {
		return database.MapError(err)
	}
	if !recorded {
		return taahod.Errorf(taahod.ENOTFOUND, "no tax is recorded for unit %d in %d", unit, year)
	}
	rows, err := s.DB.QueryContext(ctx, allocationsSelect+` ORDER BY e.spent_on, u.expenditure_id LIMIT $4`, unit, year, 0, limit)
	if err != nil {
		return database.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a StatementAllocation
		if err := scanAllocation(rows, &a); err != nil {
			return database.MapError(err)
		}
		if err := fn(&a); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return database.MapError(err)
	}
	return nil
}
