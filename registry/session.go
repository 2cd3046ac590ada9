package registry

import (
	"time"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
)

// Session is a meeting of the working group (جلسه): a formal session, a
// field session held in a county, or a site visit. Its resolutions count in
// the fiscal year of held_on.
type Session struct {
	ID           int64          `db:"id" json:"id"`
	Kind         string         `db:"kind" json:"kind"`
	HeldOn       taahod.Date    `db:"held_on" json:"held_on"`
	HeldOnJalali string         `db:"-" json:"held_on_jalali"`
	FiscalYear   int            `db:"-" json:"fiscal_year"`
	County       *string        `db:"county" json:"county"`
	Title        *string        `db:"title" json:"title"`
	Chair        *string        `db:"chair" json:"chair"`
	Attendees    pq.StringArray `db:"attendees" json:"attendees"`
	// Minutes are not published: the public view has null.
	Minutes         *string   `db:"minutes" json:"minutes"`
	Resolutions     int       `db:"resolutions" json:"resolutions"`
	CreatedAt       time.Time `db:"created_at" json:"created_at"`
	CreatedAtJalali string    `db:"-" json:"created_at_jalali"`
	UpdatedAt       time.Time `db:"updated_at" json:"updated_at"`
	UpdatedAtJalali string    `db:"-" json:"updated_at_jalali"`
}

// finish fills the derived fields after a read, and hides from v what it
// may not see.
func (s *Session) finish(v Viewer) {
	s.HeldOnJalali = s.HeldOn.Jalali()
	s.CreatedAtJalali, s.UpdatedAtJalali = taahod.JalaliTime(s.CreatedAt), taahod.JalaliTime(s.UpdatedAt)
	s.FiscalYear = s.HeldOn.FiscalYear()
	if s.Attendees == nil {
		s.Attendees = pq.StringArray{}
	}
	if !v.seesInternals() {
		s.Minutes = nil
	}
}

// NewSession is what recording a session takes. The date may be given as
// held_on (Gregorian) or held_on_jalali, or both if they agree.
type NewSession struct {
	Kind         string   `json:"kind"`
	HeldOn       string   `json:"held_on"`
	HeldOnJalali string   `json:"held_on_jalali"`
	County       *string  `json:"county"`
	Title        *string  `json:"title"`
	Chair        *string  `json:"chair"`
	Attendees    []string `json:"attendees"`
	Minutes      *string  `json:"minutes"`

	heldOn    taahod.Date // read by Validate
	attendees []string    // normalised by Validate
}

// Validate checks a new session against today's date (a session is recorded
// once it is held) and normalises its names.
func (n *NewSession) Validate(today taahod.Date) error {
	var p taahod.Problems
	if !SessionKinds.Has(n.Kind) {
		p.Add("kind", "invalid_choice", "kind must be "+SessionKinds.list())
	}
	n.heldOn = p.Date("held_on", n.HeldOn, n.HeldOnJalali, true)
	notFuture(&p, "held_on", n.heldOn, today)
	if n.County != nil {
		c := NormalizeName(*n.County)
		n.County = &c
		p.OptionalText("county", &n.County, 100)
		if c == "" {
			n.County = nil
		}
	}
	// A field session is held in a county, but the contract makes the
	// county optional for every kind: a client that leaves it out is not
	// refused (the registry lists such sessions with no county).
	p.OptionalText("title", &n.Title, 300)
	p.OptionalText("chair", &n.Chair, 200)
	p.OptionalText("minutes", &n.Minutes, 100_000)
	n.attendees = readAgencies(&p, "attendees", n.Attendees, false)
	return p.Err()
}

// SessionPatch is a partial update of a session. Absent fields stay; null
// clears an optional one (county, title, chair, minutes, attendees).
type SessionPatch struct {
	Kind         taahod.Optional[string]   `json:"kind"`
	HeldOn       taahod.Optional[string]   `json:"held_on"`
	HeldOnJalali taahod.Optional[string]   `json:"held_on_jalali"`
	County       taahod.Optional[string]   `json:"county"`
	Title        taahod.Optional[string]   `json:"title"`
	Chair        taahod.Optional[string]   `json:"chair"`
	Attendees    taahod.Optional[[]string] `json:"attendees"`
	Minutes      taahod.Optional[string]   `json:"minutes"`
}

// merge applies the patch to the session as it is and returns the whole
// session as a NewSession, which Validate then checks with the same rules
// as a new one.
func (pt SessionPatch) merge(cur Session) (NewSession, taahod.Problems) {
	var p taahod.Problems
	n := NewSession{Kind: cur.Kind, HeldOn: cur.HeldOn.String(), County: cur.County, Title: cur.Title,
		Chair: cur.Chair, Attendees: cur.Attendees, Minutes: cur.Minutes}
	if pt.Kind.Set {
		if pt.Kind.Null {
			p.Add("kind", "required", "kind cannot be cleared")
		}
		n.Kind = pt.Kind.Value
	}
	if pt.HeldOn.Set || pt.HeldOnJalali.Set {
		if pt.HeldOn.Null || pt.HeldOnJalali.Null {
			p.Add("held_on", "required", "held_on cannot be cleared")
		}
		n.HeldOn, n.HeldOnJalali = pt.HeldOn.Value, pt.HeldOnJalali.Value
	}
	optional := func(o taahod.Optional[string], dst **string) {
		if o.Set {
			*dst = nil
			if !o.Null {
				v := o.Value
				*dst = &v
			}
		}
	}
	optional(pt.County, &n.County)
	optional(pt.Title, &n.Title)
	optional(pt.Chair, &n.Chair)
	optional(pt.Minutes, &n.Minutes)
	if pt.Attendees.Set {
		n.Attendees = pt.Attendees.Value // nil when null: no attendees
	}
	return n, p
}
