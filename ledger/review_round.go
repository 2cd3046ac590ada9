package ledger

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// ReviewRound is one review of an expenditure, kept for ever: an expenditure
// rejected, corrected and resubmitted is reviewed again, and each round
// stays. Amount is the expenditure's amount when it was reviewed. Reason and
// Reviewer are redacted like the expenditure's own (see Expenditure.Redact).
type ReviewRound struct {
	ExpenditureID  int64               `db:"expenditure_id" json:"-"`
	Decision       string              `db:"decision" json:"decision"`
	Status         string              `db:"status" json:"status"`
	Amount         decimal.Decimal     `db:"amount" json:"amount"`
	ApprovedAmount decimal.NullDecimal `db:"approved_amount" json:"approved_amount"`
	Reason         *string             `db:"reason" json:"reason"`
	Reviewer       *UserRef            `db:"reviewer" json:"reviewer"`
	At             time.Time           `db:"reviewed_at" json:"at"`
}

// MarshalJSON writes the round with the Jalali twin of its time, by hand
// like the expenditure around it (TestExpenditureJSON holds both to
// encoding/json).
func (r ReviewRound) MarshalJSON() ([]byte, error) {
	return r.appendJSON(make([]byte, 0, 256)), nil
}

func (r ReviewRound) appendJSON(b []byte) []byte {
	b = append(b, `{"decision":`...)
	b = appendString(b, r.Decision)
	b = append(b, `,"status":`...)
	b = appendString(b, r.Status)
	b = append(b, `,"amount":`...)
	b = appendDecimal(b, r.Amount)
	b = append(b, `,"approved_amount":`...)
	if r.ApprovedAmount.Valid {
		b = appendDecimal(b, r.ApprovedAmount.Decimal)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"reason":`...)
	b = appendStringPtr(b, r.Reason)
	b = append(b, `,"reviewer":`...)
	b = appendUserRef(b, r.Reviewer)
	b = append(b, `,"at":`...)
	b = appendTimePtr(b, &r.At)
	b = append(b, `,"at_jalali":`...)
	b = appendStringPtr(b, taahod.JalaliTimePtr(&r.At))
	return append(b, '}')
}

// recordRound appends a review round in the review's transaction.
func recordRound(ctx context.Context, tx *database.Tx, id int64, r ReviewRound, reviewer *int64) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO expenditure_reviews (expenditure_id, decision, status, amount, approved_amount, reason, reviewer_id, reviewed_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, r.Decision, r.Status, r.Amount, r.ApprovedAmount, r.Reason, reviewer, r.At)
	return err
}

// withReviews fills the Reviews of each expenditure, the latest round
// first, in one query. Callers redact afterwards.
func withReviews(ctx context.Context, q sqlx.QueryerContext, list []Expenditure) error {
	ids := make([]int64, 0, len(list))
	at := make(map[int64]int, len(list))
	for i := range list {
		list[i].Reviews = []ReviewRound{}
		ids = append(ids, list[i].ID)
		at[list[i].ID] = i
	}
	if len(ids) == 0 {
		return nil
	}
	var rounds []ReviewRound
	err := sqlx.SelectContext(ctx, q, &rounds, `
		SELECT r.expenditure_id, r.decision, r.status, r.amount, r.approved_amount, r.reason,
		       `+userRefSQL("r.reviewer_id")+` AS reviewer, r.reviewed_at
		  FROM expenditure_reviews r
		 WHERE r.expenditure_id = ANY($1)
		 ORDER BY r.expenditure_id, r.id DESC`, pq.Array(ids))
	if err != nil {
		return database.MapError(err)
	}
	for _, r := range rounds {
		i := at[r.ExpenditureID]
		list[i].Reviews = append(list[i].Reviews, r)
	}
	return nil
}

// VerifyReviewRounds checks each expenditure's standing review against the
// latest of its kept rounds: an expenditure that stands reviewed (approved,
// partially approved, rejected, or an approval since reversed) must have a
// round, and its status, approved amount, reason, reviewer and time must be
// that round's. A round changed or removed behind the application's back,
// or a review written without its round, is found. It returns how many
// reviewed expenditures it read.
func VerifyReviewRounds(ctx context.Context, db *database.DB) (int, []database.Finding, error) {
	var rows []struct {
		ID      int64 `db:"id"`
		Round   bool  `db:"has_round"`
		Matches bool  `db:"matches"`
	}
	err := db.SelectContext(ctx, &rows, `
		SELECT e.id, r.id IS NOT NULL AS has_round,
		       coalesce(r.reviewed_at = e.reviewed_at
		            AND r.approved_amount IS NOT DISTINCT FROM e.approved_amount
		            AND r.reason IS NOT DISTINCT FROM e.review_reason
		            AND r.reviewer_id IS NOT DISTINCT FROM e.reviewed_by
		            AND r.status = CASE WHEN e.status <> 'reversed' THEN e.status
		                                WHEN e.approved_amount = e.amount THEN 'approved'
		                                ELSE 'partially_approved' END, false) AS matches
		  FROM expenditures e
		  LEFT JOIN LATERAL (
		        SELECT * FROM expenditure_reviews r WHERE r.expenditure_id = e.id ORDER BY r.id DESC LIMIT 1) r ON true
		 WHERE e.reviewed_at IS NOT NULL
		 ORDER BY e.id`)
	if err != nil {
		return 0, nil, fmt.Errorf("read review rounds: %w", err)
	}
	var findings []database.Finding
	for _, r := range rows {
		switch {
		case !r.Round:
			findings = append(findings, database.Finding{Check: "review rounds", Subject: fmt.Sprintf("expenditure %d", r.ID),
				Problem: "it stands reviewed but has no round of review"})
		case !r.Matches:
			findings = append(findings, database.Finding{Check: "review rounds", Subject: fmt.Sprintf("expenditure %d", r.ID),
				Problem: "its review differs from its latest round"})
		}
	}
	return len(rows), findings, nil
}
