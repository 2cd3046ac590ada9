package ledger

import (
	"context"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// postApproval books an approved (or partly approved) expenditure: the
// approved amount moves from the unit's contributions into the
// expenditure's own account, where it waits, unused, for an offset run.
func postApproval(ctx context.Context, ps prepared, tx *database.Tx, actor taahod.Actor, unit, expenditure int64, approved decimal.Decimal) (int64, error) {
	return post(ctx, ps, tx, actor.UserKey(), Transaction{
		Kind: TxApproval, UnitID: unit, ExpenditureID: expenditure, Memo: "approved school spending",
		Postings: []Posting{{contributions(unit), approved.Neg()}, {unusedSpending(unit, expenditure), approved}},
	})
}
