package ledger

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/notify"
)

// ReverseInput is the body of POST /expenditures/{id}/reverse.
type ReverseInput struct {
	Reason string `json:"reason"`
}

// ReverseApproval undoes the approval of an expenditure with reversing
// transactions. When offsets already used its spending, every offset of the
// years concerned is reversed too, and those years must be run again. It
// returns ENOTFOUND for an unknown expenditure or one outside the actor's
// scope, EINVALID without a reason, ECONFLICT unless the expenditure is
// approved, and ECERTIFIED while a valid certificate covers a year the
// reversal would change.
func (s *Store) ReverseApproval(ctx context.Context, actor taahod.Actor, id int64, in ReverseInput) error {
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return taahod.Invalid("reason", "required", "say why the approval is reversed")
	} else if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > 2000 {
		return taahod.Invalid("reason", "too_long", "the reason must be at most 2000 characters")
	}
	var unit int64
	err := s.DB.GetContext(ctx, &unit, `SELECT unit_id FROM expenditures WHERE id = $1`, id)
	if err = database.NotFound(err, "expenditure", id); err != nil {
		return database.MapError(err)
	}
	if !actor.CanSeeUnit(unit) {
		return taahod.Errorf(taahod.ENOTFOUND, "expenditure %d not found", id)
	}
	return s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := LockUnitBooks(ctx, tx, unit); err != nil {
			return err
		}
		var e struct {
			PledgeID  int64            `db:"pledge_id"`
			InvoiceNo string           `db:"invoice_no"`
			Amount    decimal.Decimal  `db:"amount"`
			Approved  *decimal.Decimal `db:"approved_amount"`
			Status    string           `db:"status"`
		}
		if err := tx.GetContext(ctx, &e, `SELECT pledge_id, invoice_no, amount, approved_amount, status FROM expenditures WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		if e.Status != "approved" && e.Status != "partially_approved" {
			return taahod.Errorf(taahod.ECONFLICT, "expenditure %d is %s: only an approval can be reversed", id, e.Status)
		}

		years, err := yearsUsing(ctx, tx, unit, id)
		if err != nil {
			return err
		}
		reversed, err := reverseOffsetsAndApproval(ctx, tx, actor, unit, id, years,
			"reversal of the approval of expenditure "+decimal.NewFromInt(id).String()+": "+reason)
		if err != nil {
			return err
		}
		if len(years) > 0 {
			if _, err := tx.ExecContext(ctx, `UPDATE tax_years SET run_at = NULL WHERE unit_id = $1 AND fiscal_year = ANY($2)`,
				unit, pq.Array(years)); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE expenditures SET status = 'reversed', reversed_at = $2, reversed_by = $3, reversal_reason = $4, updated_at = $2
			 WHERE id = $1`, id, tx.Now, actor.UserKey(), reason); err != nil {
			return err
		}
		// A reversed expenditure no longer stands against its pledge.
		if _, err := tx.ExecContext(ctx, `UPDATE pledges SET submitted_total = submitted_total - $2 WHERE id = $1`, e.PledgeID, e.Amount); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "expenditure.reverse", "expenditure", id, map[string]any{
			"reason": reason, "from": e.Status, "approved_amount": e.Approved,
			"years_to_run_again": years, "ledger_transactions": reversed,
		})
		return notify.Publish(ctx, tx, notify.Event{Type: notify.ExpenditureReversed, UnitID: unit,
			SubjectType: "expenditure", SubjectID: id, Actor: actor, Resource: map[string]any{
				"id": id, "unit_id": unit, "pledge_id": e.PledgeID, "invoice_no": e.InvoiceNo, "status": "reversed",
				"amount": e.Amount, "reversed_approved_amount": e.Approved, "reason": reason, "years_to_run_again": years,
				"reversed_at": tx.Now, "reversed_at_jalali": taahod.JalaliTime(tx.Now),
			}})
	})
}

// yearsUsingQuery reads the fiscal years whose standing (not reversed)
// offsets of unit $1 used expenditure $2's spending: the unit's offset
// transactions, each probed for a posting to the expenditure's account by
// the postings' index (transaction_id, account_id).
const yearsUsingQuery = `
	SELECT DISTINCT t.fiscal_year
	  FROM ledger_transactions t
	  JOIN ledger_postings p ON p.transaction_id = t.id
	 WHERE t.unit_id = $1 AND t.kind = 'offset'
	   AND p.account_id = (SELECT a.id FROM ledger_accounts a WHERE a.expenditure_id = $2)
	   AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses = t.id)
	 ORDER BY t.fiscal_year`

// yearsUsing returns the fiscal years whose standing offsets used the
// expenditure id of unit, and ECERTIFIED while a valid certificate covers
// one of them.
func yearsUsing(ctx context.Context, tx *database.Tx, unit, id int64) ([]int, error) {
	var years []int
	if err := tx.SelectContext(ctx, &years, yearsUsingQuery, unit, id); err != nil {
		return nil, fmt.Errorf("find the years whose offsets used expenditure %d: %w", id, err)
	}
	var certified []string
	if err := tx.SelectContext(ctx, &certified, `
		SELECT serial FROM certificates WHERE unit_id = $1 AND fiscal_year = ANY($2) AND status = 'valid' ORDER BY serial`,
		unit, pq.Array(years)); err != nil {
		return nil, fmt.Errorf("find the certificates of unit %d years %v: %w", unit, years, err)
	}
	if len(certified) > 0 {
		return nil, taahod.Errorf(ECERTIFIED, "the reversal would change a certified year: revoke certificate %s first", strings.Join(certified, ", "))
	}
	return years, nil
}

// reverseOffsetsAndApproval reverses the standing offsets of unit's years,
// newest first, then the approval of expenditure id, each with memo, and
// returns the reversing transactions.
func reverseOffsetsAndApproval(ctx context.Context, tx *database.Tx, actor taahod.Actor, unit, id int64, years []int, memo string) ([]int64, error) {
	var undo []int64
	if err := tx.SelectContext(ctx, &undo, `
		SELECT t.id FROM ledger_transactions t
		 WHERE t.unit_id = $1 AND t.kind = 'offset' AND t.fiscal_year = ANY($2)
		   AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses = t.id)
		 ORDER BY t.id DESC`, unit, pq.Array(years)); err != nil {
		return nil, fmt.Errorf("find the offsets of unit %d years %v: %w", unit, years, err)
	}
	var approval int64
	if err := tx.GetContext(ctx, &approval, `
		SELECT t.id FROM ledger_transactions t
		 WHERE t.kind = 'approval' AND t.expenditure_id = $1
		   AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses = t.id)`, id); err != nil {
		return nil, fmt.Errorf("find the approval of expenditure %d: %w", id, err)
	}
	reversed := make([]int64, 0, len(undo)+1)
	for _, t := range append(undo, approval) {
		rid, err := reverse(ctx, tx, actor.UserKey(), t, memo)
		if err != nil {
			return nil, err
		}
		reversed = append(reversed, rid)
	}
	return reversed, nil
}
