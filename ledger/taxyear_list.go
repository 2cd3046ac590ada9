package ledger

import (
	"context"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// TaxYearFilter selects tax years; zero values select all.
type TaxYearFilter struct {
	UnitID int64
	// UnitIDs, when set, keeps to these units (the tax office's page of
	// units lists each one's years).
	UnitIDs    []int64
	FiscalYear int
	Limit      int
}

// ListTaxYears returns the tax years the actor may see (the units' recorded
// taxes, one per unit and fiscal year; each has a statement), the latest
// year first, then by unit, at most f.Limit. An accountant sees their own
// units' only. It returns EFORBIDDEN for a role that never sees units' tax
// figures.
func (s *Store) ListTaxYears(ctx context.Context, actor taahod.Actor, f TaxYearFilter) ([]TaxYear, error) {
	if !actor.SeesTaxFigures() {
		return nil, taahod.Errorf(taahod.EFORBIDDEN, "tax years are units' tax figures, which the %s role does not see", actor.Role)
	}
	q := database.Filter{}
	if scope := unitScope(actor); scope != nil {
		q.Where("unit_id = ANY(" + q.Arg(scope) + ")")
	}
	if f.UnitID > 0 {
		q.Where("unit_id = " + q.Arg(f.UnitID))
	}
	if f.UnitIDs != nil {
		q.Where("unit_id = ANY(" + q.Arg(pq.Array(f.UnitIDs)) + ")")
	}
	if f.FiscalYear > 0 {
		q.Where("fiscal_year = " + q.Arg(f.FiscalYear))
	}
	list := []TaxYear{}
	err := s.DB.SelectContext(ctx, &list, `SELECT `+taxYearColumns+` FROM tax_years WHERE `+q.Clause()+
		` ORDER BY fiscal_year DESC, unit_id LIMIT `+q.Arg(f.Limit), q.Args...)
	return list, database.MapError(err)
}
