package ledger

import (
	"context"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// TaxYears returns the recorded tax years of the units, those the actor may
// see, by unit and then year: what the tax office lists beside each unit.
// It returns EFORBIDDEN for a role that never sees units' tax figures.
func (s *Store) TaxYears(ctx context.Context, actor taahod.Actor, units []int64) ([]TaxYear, error) {
	if !actor.SeesTaxFigures() {
		return nil, taahod.Errorf(taahod.EFORBIDDEN, "tax years are units' tax figures, which the %s role does not see", actor.Role)
	}
	visible := make([]int64, 0, len(units))
	for _, u := range units {
		if actor.CanSeeUnit(u) {
			visible = append(visible, u)
		}
	}
	out := []TaxYear{}
	err := s.DB.SelectContext(ctx, &out, `SELECT `+taxYearColumns+` FROM tax_years WHERE unit_id = ANY($1) ORDER BY unit_id, fiscal_year`,
		pq.Array(visible))
	return out, database.MapError(err)
}
