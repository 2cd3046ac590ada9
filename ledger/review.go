package ledger

import (
	"context"
	"encoding/json"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/notify"
)

// Review decisions.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
)

// EEVIDENCEREQUIRED refuses the approval of an expenditure that has no
// evidence document: the tax office approves nothing it has not seen.
var EEVIDENCEREQUIRED = taahod.RegisterCode("evidence_required")

// ReviewInput is the tax office's decision on a submitted expenditure:
// approve (all of it, or approved_amount of it) or reject. Approving less
// than the amount, and rejecting, need a reason.
type ReviewInput struct {
	Decision       string          `json:"decision"`
	ApprovedAmount json.RawMessage `json:"approved_amount"`
	Reason         *string         `json:"reason"`

	approved decimal.NullDecimal
}

// Validate checks the decision on its own; the amount is checked against the
// expenditure's when it is locked.
func (r *ReviewInput) Validate() error {
	var p taahod.Problems
	p.OptionalText("reason", &r.Reason, 2000)
	switch r.Decision {
	case DecisionApprove:
		r.approved = optionalAmount(&p, "approved_amount", r.ApprovedAmount)
	case DecisionReject:
		if len(r.ApprovedAmount) > 0 && string(r.ApprovedAmount) != "null" {
			p.Add("approved_amount", "not_allowed", "a rejection approves nothing")
		}
		if r.Reason == nil {
			p.Add("reason", "required", "a rejection needs a reason")
		}
	default:
		p.Add("decision", "invalid_choice", "decision must be approve or reject")
	}
	return p.Err()
}

// Review records the tax office's decision on a submitted expenditure, in
// one transaction that locks the expenditure row. Approving without an
// amount approves all of it; approved_amount equal to the amount is an
// approval, less is a partial approval and needs a reason. A rejection
// takes the expenditure out of its pledge's submitted total (until it is
// resubmitted). The reviewer and the time are kept, and each review is a
// round in the expenditure's Reviews. An approval, in full or in part, needs
// at least one evidence document; a rejection does not. It returns
// ENOTFOUND for an unknown expenditure, EINVALID for a bad decision or an
// approved amount over the expenditure's, EEVIDENCEREQUIRED for an approval
// of an expenditure without a document, and ECONFLICT for an expenditure
// already reviewed (until it is resubmitted) or withdrawn.
func (s *Store) Review(ctx context.Context, actor taahod.Actor, id int64, r ReviewInput) (Expenditure, error) {
	if err := r.Validate(); err != nil {
		return Expenditure{}, err
	}
	var e Expenditure
	ps := s.prepared(ctx) // before the transaction: see prepared
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var err error
		if e, err = s.review(ctx, ps, tx, actor, id, r); err != nil {
			return err
		}
		e, err = answer(ctx, tx, actor, e)
		return err
	})
	return e, err
}

// review is the state change of Review inside the caller's transaction, so
// that what follows from an approval can be written in the same one; ps
// is Store.prepared, got before the transaction.
func (s *Store) review(ctx context.Context, ps prepared, tx *database.Tx, actor taahod.Actor, id int64, r ReviewInput) (Expenditure, error) {
	e, err := lockSubmitted(ctx, tx, actor, id, "reviewed")
	if err != nil {
		return e, err
	}
	status := StatusRejected
	var approved decimal.NullDecimal
	if r.Decision == DecisionApprove {
		approved = r.approved
		if !approved.Valid {
			approved = decimal.NullDecimal{Decimal: e.Amount, Valid: true}
		}
		switch approved.Decimal.Cmp(e.Amount) {
		case 1:
			return e, taahod.Invalid("approved_amount", "exceeds_amount", "approved_amount is more than the expenditure's amount, "+e.Amount.String())
		case 0:
			status = StatusApproved
		default:
			status = StatusPartiallyApproved
			if r.Reason == nil {
				return e, taahod.Invalid("reason", "required", "a partial approval needs a reason")
			}
		}
	}
	if approved.Valid {
		// The expenditure is locked, and a document is added only under a
		// share lock of it (AddExpenditureDocument), so none can arrive
		// between this count and the commit.
		var evidence bool
		if err := tx.GetContext(ctx, &evidence, `SELECT EXISTS (SELECT 1 FROM expenditure_documents WHERE expenditure_id = $1)`, id); err != nil {
			return e, err
		}
		if !evidence {
			return e, taahod.Errorf(EEVIDENCEREQUIRED, "expenditure %d has no evidence document; it cannot be approved until the unit adds one", id)
		}
	}
	if status == StatusRejected {
		if _, err := lockPledge(ctx, tx, e.PledgeID); err != nil {
			return e, err
		}
		if err := addSubmitted(ctx, tx, e.PledgeID, e.Amount.Neg()); err != nil {
			return e, err
		}
	}
	if _, err := tx.ExecContext(ctx, `
		UPDATE expenditures SET status = $2, approved_amount = $3, review_reason = $4, reviewed_by = $5,
		       reviewed_at = $6, updated_at = $6
		 WHERE id = $1`, id, status, approved, r.Reason, nullID(actor.UserID), tx.Now); err != nil {
		return e, err
	}
	if approved.Valid {
		// The approved spending enters the ledger in the same transaction.
		if _, err := postApproval(ctx, ps, tx, actor, e.UnitID, id, approved.Decimal); err != nil {
			return e, err
		}
	}
	if err := recordRound(ctx, tx, id, ReviewRound{Decision: r.Decision, Status: status, Amount: e.Amount,
		ApprovedAmount: approved, Reason: r.Reason, At: tx.Now}, nullID(actor.UserID)); err != nil {
		return e, err
	}
	now := tx.Now
	e.Status, e.ApprovedAmount, e.ReviewReason, e.ReviewedBy, e.ReviewedAt, e.UpdatedAt =
		status, approved, r.Reason, userOf(actor), &now, now
	tx.Audit(ctx, actor, "expenditure.review", "expenditure", id, map[string]any{
		"decision": r.Decision, "status": status, "amount": e.Amount, "approved_amount": approved, "reason": r.Reason,
	})
	return e, notify.Publish(ctx, tx, notify.Event{Type: notify.ExpenditureReviewed, UnitID: e.UnitID,
		SubjectType: "expenditure", SubjectID: id, Actor: actor, Resource: map[string]any{
			"id": id, "unit_id": e.UnitID, "pledge_id": e.PledgeID, "invoice_no": e.InvoiceNo, "decision": r.Decision,
			"status": status, "amount": e.Amount, "approved_amount": approved, "reason": r.Reason, "reviewed_at": tx.Now,
			"reviewed_at_jalali": taahod.JalaliTime(tx.Now),
		}})
}
