package ledger

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod/internal/database"
)

// VerifySubmittedTotals re-derives every pledge's running submitted total
// from its expenditures (the amounts of those submitted, approved or
// partially approved) and reports each pledge whose stored total differs.
// It returns how many pledges it read.
func VerifySubmittedTotals(ctx context.Context, db *database.DB) (int, []database.Finding, error) {
	var rows []struct {
		ID      int64           `db:"id"`
		Stored  decimal.Decimal `db:"stored"`
		Derived decimal.Decimal `db:"derived"`
	}
	err := db.SelectContext(ctx, &rows, `
		SELECT p.id, p.submitted_total AS stored,
		       COALESCE((SELECT sum(amount) FROM expenditures e
		                  WHERE e.pledge_id = p.id AND e.status IN ('submitted', 'approved', 'partially_approved')), 0) AS derived
		  FROM pledges p ORDER BY p.id`)
	if err != nil {
		return 0, nil, fmt.Errorf("read pledges' totals: %w", err)
	}
	var findings []database.Finding
	for _, r := range rows {
		if !r.Stored.Equal(r.Derived) {
			findings = append(findings, database.Finding{
				Check:   "pledge totals",
				Subject: fmt.Sprintf("pledge %d", r.ID),
				Problem: fmt.Sprintf("submitted_total is %s, its expenditures add up to %s", r.Stored, r.Derived),
			})
		}
	}
	return len(rows), findings, nil
}
