package ledger

import (
	"context"
	"encoding/json"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
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
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var err error
		if e, err = s.review(ctx, tx, actor, id, r); err != nil {
			return err
		}
		e, err = answer(ctx, tx, actor, e)
		return err
	})
	return e, err
}

// review is the state change of Review inside the caller's transaction, so
// that what follows from an approval can be written in the same one.
func (s *Store) review(ctx context.Context, tx *database.Tx, actor taahod.Actor, id int64, r ReviewInput) (Expenditure, error) {
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
		if _, err := postApproval(ctx, tx, actor, e.UnitID, id, approved.Decimal); err != nil {
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
	return e, nil
}

// QueueItem is a submitted expenditure waiting for review, with what the
// reviewer needs beside it.
type QueueItem struct {
	Expenditure
	Unit      QueueUnit   `json:"unit"`
	School    QueueSchool `json:"school"`
	Documents []Document  `json:"documents"`
}

// MarshalJSON writes the expenditure's fields (with their Jalali twins) and
// the unit, school and documents beside them.
func (q QueueItem) MarshalJSON() ([]byte, error) {
	base, err := json.Marshal(q.Expenditure)
	if err != nil {
		return nil, err
	}
	docs := q.Documents
	if docs == nil {
		docs = []Document{}
	}
	extra, err := json.Marshal(struct {
		Unit      QueueUnit   `json:"unit"`
		School    QueueSchool `json:"school"`
		Documents []Document  `json:"documents"`
	}{q.Unit, q.School, docs})
	if err != nil {
		return nil, err
	}
	// Join the two objects: drop base's closing brace and extra's opening.
	return append(append(base[:len(base)-1], ','), extra[1:]...), nil
}

// QueueUnit names the unit of a queued expenditure.
type QueueUnit struct {
	ID         int64  `db:"id" json:"id"`
	Name       string `db:"name" json:"name"`
	NationalID string `db:"national_id" json:"national_id"`
}

// QueueSchool names the school of a queued expenditure.
type QueueSchool struct {
	ID     int64  `db:"id" json:"id"`
	Name   string `db:"name" json:"name"`
	County string `db:"county" json:"county"`
}

// QueuePosition is a place in the review queue: the (re)submission time and
// id of the last item seen. The zero position is the queue's start.
type QueuePosition struct {
	SubmittedAt time.Time
	ID          int64
}

// ReviewQueue lists the submitted expenditures, oldest (re)submission first
// (by submitted_at, then id), after the position and at most limit, each
// with its unit, school, documents and earlier review rounds.
func (s *Store) ReviewQueue(ctx context.Context, actor taahod.Actor, after QueuePosition, limit int) ([]QueueItem, error) {
	var rows []struct {
		Expenditure
		UnitName     string `db:"unit_name"`
		UnitNID      string `db:"unit_national_id"`
		SchoolName   string `db:"school_name"`
		SchoolCounty string `db:"school_county"`
	}
	err := s.DB.SelectContext(ctx, &rows, `
		SELECT `+expenditureColumns+`, u.name AS unit_name, u.national_id AS unit_national_id,
		       s.name AS school_name, s.county AS school_county
		  FROM expenditures e
		  JOIN pledges p ON p.id = e.pledge_id
		  JOIN units u ON u.id = e.unit_id
		  JOIN schools s ON s.id = p.school_id
		 WHERE e.status = 'submitted' AND ($4::bigint = 0 OR (e.submitted_at, e.id) > ($1::timestamptz, $4::bigint))
		   AND ($2::bigint[] IS NULL OR e.unit_id = ANY($2))
		 ORDER BY e.submitted_at, e.id LIMIT $3`, after.SubmittedAt, unitScope(actor), limit, after.ID)
	if err != nil {
		return nil, database.MapError(err)
	}
	list := make([]Expenditure, len(rows))
	for i := range rows {
		list[i] = rows[i].Expenditure
	}
	if err := withReviews(ctx, s.DB, list); err != nil {
		return nil, err
	}
	items := make([]QueueItem, len(rows))
	ids := make([]int64, len(rows))
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		r.Expenditure = list[i]
		r.Expenditure.Redact(actor)
		items[i] = QueueItem{
			Expenditure: r.Expenditure,
			Unit:        QueueUnit{ID: r.UnitID, Name: r.UnitName, NationalID: r.UnitNID},
			School:      QueueSchool{ID: r.SchoolID, Name: r.SchoolName, County: r.SchoolCounty},
			Documents:   []Document{},
		}
		ids[i] = r.ID
		at[r.ID] = i
	}
	if len(ids) == 0 {
		return items, nil
	}
	var docs []Document
	if err := s.DB.SelectContext(ctx, &docs, `SELECT d.expenditure_id, `+documentColumns+`
		FROM expenditure_documents d WHERE d.expenditure_id = ANY($1) ORDER BY d.id`, pq.Array(ids)); err != nil {
		return nil, database.MapError(err)
	}
	for _, d := range docs {
		i := at[*d.ExpenditureID]
		items[i].Documents = append(items[i].Documents, d)
	}
	return items, nil
}
