package ledger

import (
	"context"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// ApprovalUse is what an approval is used by: what ReverseApproval would
// reverse with it, or what would refuse it, told before it is tried.
type ApprovalUse struct {
	// Years are the fiscal years whose standing offsets used the
	// expenditure: a reversal reverses those offsets too, and the years
	// must be run again.
	Years []int `json:"years"`
	// Certificates are the serials of the valid certificates of those
	// years: while one stands, the reversal is refused (ECERTIFIED).
	Certificates []string `json:"certificates"`
}

// ApprovalUseOf tells what the approval of expenditure id is used by, with
// the same queries ReverseApproval runs. An expenditure never approved, or
// whose spending no offset used, has an empty ApprovalUse. It returns
// ENOTFOUND for an unknown expenditure or one outside the actor's units.
func (s *Store) ApprovalUseOf(ctx context.Context, actor taahod.Actor, id int64) (ApprovalUse, error) {
	use := ApprovalUse{Years: []int{}, Certificates: []string{}}
	var unit int64
	err := s.DB.GetContext(ctx, &unit, `SELECT unit_id FROM expenditures WHERE id = $1`, id)
	if err = database.NotFound(err, "expenditure", id); err != nil {
		return use, database.MapError(err)
	}
	if !actor.CanSeeUnit(unit) {
		return use, taahod.Errorf(taahod.ENOTFOUND, "expenditure %d not found", id)
	}
	if err := s.DB.SelectContext(ctx, &use.Years, yearsUsingQuery, unit, id); err != nil {
		return use, database.MapError(err)
	}
	if len(use.Years) == 0 {
		return use, nil
	}
	if err := s.DB.SelectContext(ctx, &use.Certificates, `
		SELECT serial FROM certificates WHERE unit_id = $1 AND fiscal_year = ANY($2) AND status = 'valid' ORDER BY serial`,
		unit, pq.Array(use.Years)); err != nil {
		return use, database.MapError(err)
	}
	return use, nil
}
