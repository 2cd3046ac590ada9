package ledger

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// Pledge statuses, derived whenever a pledge is read and never stored:
// cancelled (by the admin or the secretariat), fulfilled (the approved
// amounts reach the pledge), overdue (past its due date and not fulfilled),
// in_progress (some expenditure stands: submitted, approved or partially
// approved) and pending (none does; withdrawn and rejected ones do not
// count). The first that holds, in that order, is the status.
const (
	PledgePending    = "pending"
	PledgeInProgress = "in_progress"
	PledgeFulfilled  = "fulfilled"
	PledgeOverdue    = "overdue"
	PledgeCancelled  = "cancelled"
)

// Pledge is a unit's commitment (تعهد) to fund a school. SubmittedTotal sums
// its standing expenditures, ApprovedTotal their approved amounts, and
// Remaining is what the approved amounts still lack of the pledge (never
// below zero).
type Pledge struct {
	ID             int64           `db:"id" json:"id"`
	UnitID         int64           `db:"unit_id" json:"unit_id"`
	UnitName       string          `db:"unit_name" json:"unit_name"`
	SchoolID       int64           `db:"school_id" json:"school_id"`
	SchoolName     string          `db:"school_name" json:"school_name"`
	Amount         decimal.Decimal `db:"amount" json:"amount"`
	PledgedOn      taahod.Date     `db:"pledged_on" json:"pledged_on"`
	DueOn          taahod.Date     `db:"due_on" json:"due_on"`
	ResolutionID   *int64          `db:"resolution_id" json:"resolution_id"`
	Status         string          `db:"status" json:"status"`
	SubmittedTotal decimal.Decimal `db:"submitted_total" json:"submitted_total"`
	ApprovedTotal  decimal.Decimal `db:"approved_total" json:"approved_total"`
	Remaining      decimal.Decimal `db:"remaining" json:"remaining"`
	CancelledAt    *time.Time      `db:"cancelled_at" json:"cancelled_at"`
	CancelledBy    *UserRef        `db:"cancelled_by" json:"cancelled_by"`
	CancelReason   *string         `db:"cancel_reason" json:"cancel_reason"`
	CreatedAt      time.Time       `db:"created_at" json:"created_at"`
}

// MarshalJSON adds the Solar Hijri twins of the dates.
func (p Pledge) MarshalJSON() ([]byte, error) {
	type plain Pledge
	return json.Marshal(struct {
		plain
		PledgedOnJalali   string  `json:"pledged_on_jalali"`
		DueOnJalali       *string `json:"due_on_jalali"`
		CancelledAtJalali *string `json:"cancelled_at_jalali"`
		CreatedAtJalali   *string `json:"created_at_jalali"`
	}{plain(p), p.PledgedOn.Jalali(), jalaliDate(p.DueOn), taahod.JalaliTimePtr(p.CancelledAt), taahod.JalaliTimePtr(&p.CreatedAt)})
}

// NewPledge is what recording a pledge takes. Dates may come in either
// calendar: pledged_on or pledged_on_jalali, due_on or due_on_jalali.
type NewPledge struct {
	UnitID          int64           `json:"unit_id"`
	SchoolID        int64           `json:"school_id"`
	Amount          json.RawMessage `json:"amount"`
	PledgedOn       *string         `json:"pledged_on"`
	PledgedOnJalali *string         `json:"pledged_on_jalali"`
	DueOn           *string         `json:"due_on"`
	DueOnJalali     *string         `json:"due_on_jalali"`
	ResolutionID    *int64          `json:"resolution_id"`

	amount           decimal.Decimal
	pledgedOn, dueOn taahod.Date
}

// Validate checks a new pledge on its own: a positive amount, a pledge date
// not after today (in Tehran), a due date not before it.
func (n *NewPledge) Validate(today taahod.Date) error {
	var p taahod.Problems
	if n.UnitID <= 0 {
		p.Add("unit_id", "required", "unit_id is required")
	}
	if n.SchoolID <= 0 {
		p.Add("school_id", "required", "school_id is required")
	}
	amount, err := taahod.ParseAmountJSON(n.Amount)
	if err != nil {
		p.AddErr("amount", err)
	}
	n.amount = amount
	n.pledgedOn = p.Date("pledged_on", text(n.PledgedOn), text(n.PledgedOnJalali), true)
	if !n.pledgedOn.IsZero() && n.pledgedOn.After(today) {
		p.Add("pledged_on", "in_future", "pledged_on is after today ("+today.String()+" in Tehran)")
	}
	n.dueOn = p.Date("due_on", text(n.DueOn), text(n.DueOnJalali), false)
	if !n.dueOn.IsZero() && !n.pledgedOn.IsZero() && n.dueOn.Before(n.pledgedOn) {
		p.Add("due_on", "before_pledge", "due_on is before pledged_on")
	}
	if n.ResolutionID != nil && *n.ResolutionID <= 0 {
		p.Add("resolution_id", "invalid", "resolution_id must be a positive id")
	}
	return p.Err()
}

// PledgeFilter narrows a list of pledges.
type PledgeFilter struct {
	UnitID   int64
	SchoolID int64
	Status   string
	AfterID  int64
	Limit    int
}

// ValidPledgeStatus reports whether s names a pledge status.
func ValidPledgeStatus(s string) bool {
	switch s {
	case PledgePending, PledgeInProgress, PledgeFulfilled, PledgeOverdue, PledgeCancelled:
		return true
	}
	return false
}
