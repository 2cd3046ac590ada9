package registry

import (
	"strings"
	"time"

	"github.com/taahod/taahod"
)

// Case is a unit's problem or request (پرونده) handled outside a session:
// by phone or written inquiry (استعلام), or referred (ارجاع) to the
// provincial or national facilitation headquarters. It counts in the fiscal
// year of opened_on.
//
// Only a referral can have the outcome referred; a phone or written inquiry
// that goes on to a headquarters is recorded as a referral. An open case has
// no closing date.
type Case struct {
	ID              int64       `db:"id" json:"id"`
	UnitID          *int64      `db:"unit_id" json:"unit_id"`
	UnitName        *string     `db:"unit_name" json:"unit_name"`
	UnitWithheld    bool        `db:"-" json:"unit_withheld"`
	Channel         string      `db:"channel" json:"channel"`
	Subject         string      `db:"subject" json:"subject"`
	Category        string      `db:"category" json:"category"`
	OpenedOn        taahod.Date `db:"opened_on" json:"opened_on"`
	OpenedOnJalali  string      `db:"-" json:"opened_on_jalali"`
	FiscalYear      int         `db:"-" json:"fiscal_year"`
	ClosedOn        taahod.Date `db:"closed_on" json:"closed_on"`
	ClosedOnJalali  *string     `db:"-" json:"closed_on_jalali"`
	Outcome         string      `db:"outcome" json:"outcome"`
	Confidential    bool        `db:"confidential" json:"confidential"`
	CreatedAt       time.Time   `db:"created_at" json:"created_at"`
	CreatedAtJalali string      `db:"-" json:"created_at_jalali"`
	UpdatedAt       time.Time   `db:"updated_at" json:"updated_at"`
	UpdatedAtJalali string      `db:"-" json:"updated_at_jalali"`
}

// finish fills the derived fields after a read and withholds the unit from
// a viewer who may not see it.
func (c *Case) finish(v Viewer) {
	c.OpenedOnJalali = c.OpenedOn.Jalali()
	c.CreatedAtJalali, c.UpdatedAtJalali = taahod.JalaliTime(c.CreatedAt), taahod.JalaliTime(c.UpdatedAt)
	c.FiscalYear = c.OpenedOn.FiscalYear()
	if !c.ClosedOn.IsZero() {
		j := c.ClosedOn.Jalali()
		c.ClosedOnJalali = &j
	}
	if c.UnitID != nil && !v.seesUnitOf(*c.UnitID, c.Confidential) {
		c.UnitID, c.UnitName, c.UnitWithheld = nil, nil, true
	}
}

// NewCase is what recording a case takes. category defaults to other;
// outcome defaults to referred for a referral and to open otherwise.
type NewCase struct {
	UnitID         *int64 `json:"unit_id"`
	Channel        string `json:"channel"`
	Subject        string `json:"subject"`
	Category       string `json:"category"`
	OpenedOn       string `json:"opened_on"`
	OpenedOnJalali string `json:"opened_on_jalali"`
	ClosedOn       string `json:"closed_on"`
	ClosedOnJalali string `json:"closed_on_jalali"`
	Outcome        string `json:"outcome"`
	Confidential   bool   `json:"confidential"`

	openedOn, closedOn taahod.Date // read by Validate
}

// Validate checks the case against today (its dates may not be later),
// fills the defaults, and leaves to the store whether the unit exists.
func (n *NewCase) Validate(today taahod.Date) error {
	var p taahod.Problems
	if n.UnitID != nil && *n.UnitID <= 0 {
		p.Add("unit_id", "not_found", "no unit has this id")
	}
	if !Channels.Has(n.Channel) {
		p.Add("channel", "invalid_choice", "channel must be "+Channels.list())
	}
	n.Subject = strings.TrimSpace(n.Subject)
	p.Text("subject", &n.Subject, true, 2000)
	if n.Category == "" {
		n.Category = "other"
	}
	if !Categories.Has(n.Category) {
		p.Add("category", "invalid_choice", "category must be "+Categories.list())
	}
	n.openedOn = p.Date("opened_on", n.OpenedOn, n.OpenedOnJalali, true)
	notFuture(&p, "opened_on", n.openedOn, today)
	n.closedOn = p.Date("closed_on", n.ClosedOn, n.ClosedOnJalali, false)
	notFuture(&p, "closed_on", n.closedOn, today)
	if !n.closedOn.IsZero() && !n.openedOn.IsZero() && n.closedOn.Before(n.openedOn) {
		p.Add("closed_on", "before_opening", "the case is closed on "+n.closedOn.Jalali()+", before it was opened ("+n.openedOn.Jalali()+")")
	}
	if n.Outcome == "" {
		n.Outcome = OutcomeOpen
		if isReferral(n.Channel) {
			n.Outcome = OutcomeReferred
		}
	}
	switch {
	case !Outcomes.Has(n.Outcome):
		p.Add("outcome", "invalid_choice", "outcome must be "+Outcomes.list())
	case n.Outcome == OutcomeReferred && Channels.Has(n.Channel) && !isReferral(n.Channel):
		p.Add("outcome", "referred_needs_referral", "only a referral is referred: record an inquiry that goes on to a headquarters with channel referral_provincial or referral_national")
	case n.Outcome == OutcomeOpen && !n.closedOn.IsZero():
		p.Add("closed_on", "open_case_closed", "an open case has no closing date: set outcome, or clear closed_on")
	}
	return p.Err()
}

// CasePatch is a partial update of a case. Absent fields stay; closed_on
// may be cleared with null.
type CasePatch struct {
	UnitID         taahod.Optional[int64]  `json:"unit_id"`
	Channel        taahod.Optional[string] `json:"channel"`
	Subject        taahod.Optional[string] `json:"subject"`
	Category       taahod.Optional[string] `json:"category"`
	OpenedOn       taahod.Optional[string] `json:"opened_on"`
	OpenedOnJalali taahod.Optional[string] `json:"opened_on_jalali"`
	ClosedOn       taahod.Optional[string] `json:"closed_on"`
	ClosedOnJalali taahod.Optional[string] `json:"closed_on_jalali"`
	Outcome        taahod.Optional[string] `json:"outcome"`
	Confidential   taahod.Optional[bool]   `json:"confidential"`
}

// merge applies the patch to the case as it is (read with the unit visible)
// and returns the whole case as a NewCase, which Validate checks with the
// rules of a new one.
func (pt CasePatch) merge(cur Case) (NewCase, taahod.Problems) {
	var p taahod.Problems
	n := NewCase{UnitID: cur.UnitID, Channel: cur.Channel, Subject: cur.Subject, Category: cur.Category,
		OpenedOn: cur.OpenedOn.String(), ClosedOn: cur.ClosedOn.String(), Outcome: cur.Outcome, Confidential: cur.Confidential}
	required := func(name string, o taahod.Optional[string], dst *string) {
		if o.Set {
			if o.Null {
				p.Add(name, "required", name+" cannot be cleared")
			}
			*dst = o.Value
		}
	}
	if pt.UnitID.Set {
		if pt.UnitID.Null {
			p.Add("unit_id", "required", "unit_id cannot be cleared")
		}
		id := pt.UnitID.Value
		n.UnitID = &id
	}
	required("channel", pt.Channel, &n.Channel)
	required("subject", pt.Subject, &n.Subject)
	required("category", pt.Category, &n.Category)
	required("outcome", pt.Outcome, &n.Outcome)
	if pt.OpenedOn.Set || pt.OpenedOnJalali.Set {
		if pt.OpenedOn.Null || pt.OpenedOnJalali.Null {
			p.Add("opened_on", "required", "opened_on cannot be cleared")
		}
		n.OpenedOn, n.OpenedOnJalali = pt.OpenedOn.Value, pt.OpenedOnJalali.Value
	}
	if pt.ClosedOn.Set || pt.ClosedOnJalali.Set {
		n.ClosedOn, n.ClosedOnJalali = pt.ClosedOn.Value, pt.ClosedOnJalali.Value // null clears
	}
	if pt.Confidential.Set {
		if pt.Confidential.Null {
			p.Add("confidential", "required", "confidential is true or false")
		}
		n.Confidential = pt.Confidential.Value
	}
	return n, p
}
