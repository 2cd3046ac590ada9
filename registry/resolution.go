package registry

import (
	"errors"
	"strings"
	"time"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
)

// Resolution is a decision of the working group (مصوبه): its text, the unit
// it concerns (none for a general one), the executive agencies it is
// notified to, a deadline, and where it stands.
//
// It counts in the fiscal year of adopted_on, which is its session's
// held_on, or for a resolution outside any session the day it was adopted.
// status is the latest entry of its history: by date, then by the order the
// entries were recorded; a resolution with no change yet is notified.
type Resolution struct {
	ID              int64          `db:"id" json:"id"`
	SessionID       *int64         `db:"session_id" json:"session_id"`
	SessionKind     *string        `db:"session_kind" json:"session_kind"`
	AdoptedOn       taahod.Date    `db:"adopted_on" json:"adopted_on"`
	AdoptedOnJalali string         `db:"-" json:"adopted_on_jalali"`
	FiscalYear      int            `db:"-" json:"fiscal_year"`
	UnitID          *int64         `db:"unit_id" json:"unit_id"`
	UnitName        *string        `db:"unit_name" json:"unit_name"`
	UnitWithheld    bool           `db:"-" json:"unit_withheld"`
	Text            string         `db:"text" json:"text"`
	Category        string         `db:"category" json:"category"`
	Agencies        pq.StringArray `db:"agencies" json:"agencies"`
	Deadline        taahod.Date    `db:"deadline" json:"deadline"`
	DeadlineJalali  *string        `db:"-" json:"deadline_jalali"`
	Overdue         bool           `db:"-" json:"overdue"`
	Confidential    bool           `db:"confidential" json:"confidential"`
	Status          string         `db:"status" json:"status"`
	StatusOn        taahod.Date    `db:"status_on" json:"status_on"`
	StatusOnJalali  string         `db:"-" json:"status_on_jalali"`
	// CreatedBy is who recorded the resolution, named; absent in public
	// rows and for one the system recorded (an import from the command
	// line). CreatedByName is the user name recorded with it, the by of
	// the history's first entry.
	CreatedBy       *taahod.UserRef `db:"created_by" json:"created_by,omitempty"`
	CreatedByName   string          `db:"created_by_name" json:"-"`
	CreatedAt       time.Time       `db:"created_at" json:"created_at"`
	CreatedAtJalali string          `db:"-" json:"created_at_jalali"`
	// History is given with a single resolution, not in lists.
	History []StatusEntry `db:"-" json:"history,omitempty"`
}

// StatusEntry is one entry of a resolution's status history. The first is
// the notification (dated adopted_on); the entries are in the order that
// decides the current status, so the last one is it.
type StatusEntry struct {
	Status   string      `json:"status"`
	On       taahod.Date `json:"on"`
	OnJalali string      `json:"on_jalali"`
	Note     *string     `json:"note"`
	// By is the user name recorded with the entry; RecordedBy names the
	// user (null for the system).
	By               string          `json:"by"`
	RecordedBy       *taahod.UserRef `json:"recorded_by"`
	RecordedAt       time.Time       `json:"recorded_at"`
	RecordedAtJalali string          `json:"recorded_at_jalali"`
}

// StatusChangeResult answers a status change: the resolution as it now
// stands (its status and status_on are the current status, its history
// holds the new entry) and whether the change became the current status. A
// change dated before the current status's day is recorded in the history
// but does not become it (became_current false), so the client sees at once
// that the status it sent is not the resolution's.
type StatusChangeResult struct {
	Resolution
	BecameCurrent bool `json:"became_current"`
}

// IsOpen reports whether a resolution in this status still awaits action:
// neither implemented nor cancelled.
func IsOpen(status string) bool {
	return status != StatusImplemented && status != StatusCancelled
}

// finish fills the derived fields after a read and withholds from v what it
// may not see. today decides overdue.
func (r *Resolution) finish(v Viewer, today taahod.Date) {
	r.AdoptedOnJalali = r.AdoptedOn.Jalali()
	r.CreatedAtJalali = taahod.JalaliTime(r.CreatedAt)
	r.FiscalYear = r.AdoptedOn.FiscalYear()
	r.StatusOnJalali = r.StatusOn.Jalali()
	if !r.Deadline.IsZero() {
		j := r.Deadline.Jalali()
		r.DeadlineJalali = &j
		r.Overdue = r.Deadline.Before(today) && IsOpen(r.Status)
	}
	if r.Agencies == nil {
		r.Agencies = pq.StringArray{}
	}
	if r.UnitID != nil && !v.seesUnitOf(*r.UnitID, r.Confidential) {
		r.UnitID, r.UnitName, r.UnitWithheld = nil, nil, true
	}
	if !v.seesInternals() {
		r.CreatedBy = nil
		r.History = nil
	}
}

// NewResolution is what recording a resolution takes. Dates may be given in
// either calendar (deadline or deadline_jalali, adopted_on or
// adopted_on_jalali). With a session, adopted_on is the session's date and
// may be left out; without one it defaults to today.
type NewResolution struct {
	SessionID       *int64   `json:"session_id"`
	UnitID          *int64   `json:"unit_id"`
	Text            string   `json:"text"`
	Category        string   `json:"category"`
	Agencies        []string `json:"agencies"`
	Deadline        string   `json:"deadline"`
	DeadlineJalali  string   `json:"deadline_jalali"`
	AdoptedOn       string   `json:"adopted_on"`
	AdoptedOnJalali string   `json:"adopted_on_jalali"`
	Confidential    bool     `json:"confidential"`

	deadline, adoptedOn taahod.Date // read by Validate
	agencies            []string    // normalised by Validate
}

// Validate checks the resolution's own fields and normalises them. Whether
// the session and unit exist, and how the dates relate to the session's, the
// store checks.
func (n *NewResolution) Validate() error {
	var p taahod.Problems
	if n.SessionID != nil && *n.SessionID <= 0 {
		p.Add("session_id", "not_found", "no session has this id")
	}
	if n.UnitID != nil && *n.UnitID <= 0 {
		p.Add("unit_id", "not_found", "no unit has this id")
	}
	n.Text = strings.TrimSpace(n.Text)
	p.Text("text", &n.Text, true, 10_000)
	if !Categories.Has(n.Category) {
		p.Add("category", "invalid_choice", "category must be "+Categories.list())
	}
	n.agencies = readAgencies(&p, "agencies", n.Agencies, true)
	n.deadline = p.Date("deadline", n.Deadline, n.DeadlineJalali, false)
	n.adoptedOn = p.Date("adopted_on", n.AdoptedOn, n.AdoptedOnJalali, false)
	return p.Err()
}

// StatusChange is what changing a resolution's status takes: the new
// status, an optional note, and the day it happened (on or on_jalali;
// today in Tehran when left out).
type StatusChange struct {
	Status   string  `json:"status"`
	Note     *string `json:"note"`
	On       string  `json:"on"`
	OnJalali string  `json:"on_jalali"`

	on taahod.Date // read by Validate
}

// Validate checks the change against today: it may not be dated later.
func (c *StatusChange) Validate(today taahod.Date) error {
	var p taahod.Problems
	if !changeStatuses.Has(c.Status) {
		p.Add("status", "invalid_choice", "status must be "+changeStatuses.list())
	}
	p.OptionalText("note", &c.Note, 2000)
	c.on = p.Date("on", c.On, c.OnJalali, false)
	if c.on.IsZero() && len(p.Fields) == 0 {
		c.on = today
	}
	notFuture(&p, "on", c.on, today)
	return p.Err()
}

// fieldsOf returns the field errors of an EINVALID error, or nil.
func fieldsOf(err error) []taahod.FieldError {
	var e *taahod.Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
