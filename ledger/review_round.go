package ledger

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
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
	b = appendStringPtr(b, jalaliTime(&r.At))
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
