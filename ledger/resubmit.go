package ledger

import (
	"context"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// Resubmit puts a rejected expenditure of the actor's units back in review,
// once the accountant has corrected it (UpdateExpenditure) or added
// evidence: status submitted, back in its pledge's submitted total, and at
// the end of the review queue and of its pledge's submission order
// (submitted_at is now). Its exceeds_pledge is computed at that place. The
// standing review's columns are cleared; its rounds stay in Reviews. The
// expenditure keeps its invoice number, which it held while rejected. It
// returns ENOTFOUND outside the actor's units, ECONFLICT unless the
// expenditure is rejected or when its pledge is cancelled.
func (s *Store) Resubmit(ctx context.Context, actor taahod.Actor, id int64) (Expenditure, error) {
	var e Expenditure
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var err error
		if e, err = lockIn(ctx, tx, actor, id, "resubmitted", StatusRejected); err != nil {
			return err
		}
		p, err := lockPledge(ctx, tx, e.PledgeID)
		if err != nil {
			return err
		}
		if p.Cancelled {
			return cancelledPledge(e.PledgeID)
		}
		// Its new place in submission order is now; the flag is the
		// running total there (the whole standing total but for a tie of
		// instants, which id breaks).
		e.SubmittedAt = tx.Now
		if e.ExceedsPledge, err = exceedsAt(ctx, tx, e, e.Amount, p.Amount); err != nil {
			return err
		}
		if err := addSubmitted(ctx, tx, e.PledgeID, e.Amount); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE expenditures SET status = 'submitted', exceeds_pledge = $2, submitted_at = $3, updated_at = $3,
			       approved_amount = NULL, review_reason = NULL, reviewed_by = NULL, reviewed_at = NULL
			 WHERE id = $1`, id, e.ExceedsPledge, tx.Now); err != nil {
			return err
		}
		e.Status, e.SubmittedAt, e.UpdatedAt = StatusSubmitted, tx.Now, tx.Now
		e.ApprovedAmount.Valid, e.ReviewReason, e.ReviewedBy, e.ReviewedAt = false, nil, nil, nil
		tx.Audit(ctx, actor, "expenditure.resubmit", "expenditure", id, map[string]any{
			"from": StatusRejected, "amount": e.Amount, "exceeds_pledge": e.ExceedsPledge,
		})
		e, err = answer(ctx, tx, actor, e)
		return err
	})
	return e, err
}
