package ledger

import (
	"encoding/json"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// Kinds of school project.
const (
	KindSchool            = "school"
	KindEducationalCenter = "educational_center"
)

// School statuses. A school starts planned; under_construction and equipping
// may be set by hand or follow the first progress report; completed follows
// a report of 100%, and handed_over a hand-over report.
const (
	SchoolPlanned           = "planned"
	SchoolUnderConstruction = "under_construction"
	SchoolEquipping         = "equipping"
	SchoolCompleted         = "completed"
	SchoolHandedOver        = "handed_over"
)

// School is a school project (پروژه مدرسه / مرکز آموزشی) with what it has been
// pledged and spent. The totals are read with the project: pledged_total sums
// the pledges not cancelled, submitted_total the amounts of the standing
// expenditures (submitted, approved or partially approved), approved_total
// the approved amounts. An accountant's view counts only their own units'
// pledges and expenditures, for they may see nothing of another unit.
type School struct {
	ID              int64               `db:"id" json:"id"`
	Name            string              `db:"name" json:"name"`
	Kind            string              `db:"kind" json:"kind"`
	County          string              `db:"county" json:"county"`
	Address         *string             `db:"address" json:"address"`
	Classrooms      *int                `db:"classrooms" json:"classrooms"`
	EstimatedCost   decimal.NullDecimal `db:"estimated_cost" json:"estimated_cost"`
	Status          string              `db:"status" json:"status"`
	ProgressPercent int                 `db:"progress_percent" json:"progress_percent"`
	PledgedTotal    decimal.Decimal     `db:"pledged_total" json:"pledged_total"`
	SubmittedTotal  decimal.Decimal     `db:"submitted_total" json:"submitted_total"`
	ApprovedTotal   decimal.Decimal     `db:"approved_total" json:"approved_total"`
	PledgingUnits   []PledgingUnit      `db:"-" json:"pledging_units"`
	CreatedAt       time.Time           `db:"created_at" json:"created_at"`
	UpdatedAt       time.Time           `db:"updated_at" json:"updated_at"`
}

// MarshalJSON adds the Solar Hijri twins of the timestamps.
func (s School) MarshalJSON() ([]byte, error) {
	type plain School
	if s.PledgingUnits == nil {
		s.PledgingUnits = []PledgingUnit{}
	}
	return json.Marshal(struct {
		plain
		CreatedAtJalali *string `json:"created_at_jalali"`
		UpdatedAtJalali *string `json:"updated_at_jalali"`
	}{plain(s), taahod.JalaliTimePtr(&s.CreatedAt), taahod.JalaliTimePtr(&s.UpdatedAt)})
}

// PledgingUnit is a unit that pledged to a school, with the sum of its
// pledges there that are not cancelled.
type PledgingUnit struct {
	SchoolID int64           `db:"school_id" json:"-"`
	UnitID   int64           `db:"unit_id" json:"unit_id"`
	UnitName string          `db:"unit_name" json:"unit_name"`
	Pledged  decimal.Decimal `db:"pledged" json:"pledged"`
}

// NewSchool is what registering a school project takes.
type NewSchool struct {
	Name          string          `json:"name"`
	Kind          string          `json:"kind"`
	County        string          `json:"county"`
	Address       *string         `json:"address"`
	Classrooms    *int            `json:"classrooms"`
	EstimatedCost json.RawMessage `json:"estimated_cost"`

	estimatedCost decimal.NullDecimal
}

// Validate checks a new school and reads its estimated cost.
func (n *NewSchool) Validate() error {
	var p taahod.Problems
	p.Text("name", &n.Name, true, 200)
	p.Text("county", &n.County, true, 100)
	p.OptionalText("address", &n.Address, 500)
	checkKind(&p, n.Kind)
	checkClassrooms(&p, n.Classrooms)
	n.estimatedCost = optionalAmount(&p, "estimated_cost", n.EstimatedCost)
	return p.Err()
}

// SchoolPatch is a partial update of a school project. The status may be set
// to planned (before any progress), under_construction or equipping;
// completed and handed_over follow the progress reports.
type SchoolPatch struct {
	Name          taahod.Optional[string]          `json:"name"`
	Kind          taahod.Optional[string]          `json:"kind"`
	County        taahod.Optional[string]          `json:"county"`
	Address       taahod.Optional[string]          `json:"address"`
	Classrooms    taahod.Optional[int]             `json:"classrooms"`
	EstimatedCost taahod.Optional[json.RawMessage] `json:"estimated_cost"`
	Status        taahod.Optional[string]          `json:"status"`

	estimatedCost decimal.NullDecimal
}

// Validate checks the fields present in the patch.
func (u *SchoolPatch) Validate() error {
	var p taahod.Problems
	required := func(field string, o *taahod.Optional[string], max int) {
		if !o.Set {
			return
		}
		if o.Null {
			p.Add(field, "required", field+" cannot be cleared")
			return
		}
		p.Text(field, &o.Value, true, max)
	}
	required("name", &u.Name, 200)
	required("county", &u.County, 100)
	if u.Kind.Set {
		checkKind(&p, u.Kind.Value)
	}
	if u.Address.Set && !u.Address.Null {
		p.Text("address", &u.Address.Value, false, 500)
		u.Address.Null = u.Address.Value == ""
	}
	if u.Classrooms.Set && !u.Classrooms.Null {
		checkClassrooms(&p, &u.Classrooms.Value)
	}
	if u.EstimatedCost.Set && !u.EstimatedCost.Null {
		u.estimatedCost = optionalAmount(&p, "estimated_cost", u.EstimatedCost.Value)
	}
	if u.Status.Set {
		switch u.Status.Value {
		case SchoolPlanned, SchoolUnderConstruction, SchoolEquipping:
		default:
			p.Add("status", "invalid_choice", "status may be set to planned, under_construction or equipping; completed and handed_over follow the progress reports")
		}
	}
	return p.Err()
}

func checkKind(p *taahod.Problems, kind string) {
	if kind != KindSchool && kind != KindEducationalCenter {
		p.Add("kind", "invalid_choice", "kind must be school or educational_center")
	}
}

func checkClassrooms(p *taahod.Problems, n *int) {
	if n != nil && (*n < 1 || *n > 1000) {
		p.Add("classrooms", "out_of_range", "classrooms must be a whole number from 1 to 1000")
	}
}

// optionalAmount reads an optional positive amount; absent or null is NULL.
func optionalAmount(p *taahod.Problems, field string, raw json.RawMessage) decimal.NullDecimal {
	if len(raw) == 0 || string(raw) == "null" {
		return decimal.NullDecimal{}
	}
	d, err := taahod.ParseAmountJSON(raw)
	if err != nil {
		p.AddErr(field, err)
		return decimal.NullDecimal{}
	}
	return decimal.NullDecimal{Decimal: d, Valid: true}
}

// SchoolFilter narrows a list of schools.
type SchoolFilter struct {
	County  string // compared folded (taahod.FoldText)
	Query   string // words each part of the name, folded
	Status  string
	Kind    string
	AfterID int64
	Limit   int
}

// Kinds of progress report: a report of progress, an inspection, and the
// hand-over of the finished school.
const (
	ProgressReport     = "progress"
	ProgressInspection = "inspection"
	ProgressHandover   = "handover"
)

// Progress is one dated report on a school's timeline.
type Progress struct {
	ID         int64       `db:"id" json:"id"`
	SchoolID   int64       `db:"school_id" json:"school_id"`
	Kind       string      `db:"kind" json:"kind"`
	Milestone  string      `db:"milestone" json:"milestone"`
	Percent    int         `db:"percent" json:"percent"`
	ReportedOn taahod.Date `db:"reported_on" json:"reported_on"`
	Note       *string     `db:"note" json:"note"`
	ReportedBy *UserRef    `db:"reported_by" json:"reported_by"`
	CreatedAt  time.Time   `db:"created_at" json:"created_at"`
	Documents  []Document  `db:"-" json:"documents"`
	// SchoolStatus is the school's status after the report; given in the
	// answer to a new report and on the timeline's last one.
	SchoolStatus string `db:"-" json:"school_status,omitempty"`
}

// MarshalJSON adds the Solar Hijri twins of the dates.
func (r Progress) MarshalJSON() ([]byte, error) {
	type plain Progress
	if r.Documents == nil {
		r.Documents = []Document{}
	}
	return json.Marshal(struct {
		plain
		ReportedOnJalali string  `json:"reported_on_jalali"`
		CreatedAtJalali  *string `json:"created_at_jalali"`
	}{plain(r), r.ReportedOn.Jalali(), taahod.JalaliTimePtr(&r.CreatedAt)})
}

// NewProgress is a progress report. Percent is the whole percent complete;
// a hand-over report is 100 and may leave it out.
type NewProgress struct {
	Kind             string  `json:"kind"`
	Milestone        string  `json:"milestone"`
	Percent          *int    `json:"percent"`
	ReportedOn       *string `json:"reported_on"`
	ReportedOnJalali *string `json:"reported_on_jalali"`
	Note             *string `json:"note"`

	reportedOn taahod.Date
}

// Validate checks the report on its own; the store checks it against the
// school's timeline.
func (n *NewProgress) Validate(today taahod.Date) error {
	var p taahod.Problems
	if n.Kind == "" {
		n.Kind = ProgressReport
	}
	if n.Kind != ProgressReport && n.Kind != ProgressInspection && n.Kind != ProgressHandover {
		p.Add("kind", "invalid_choice", "kind must be progress, inspection or handover")
	}
	p.Text("milestone", &n.Milestone, true, 200)
	p.OptionalText("note", &n.Note, 2000)
	switch {
	case n.Percent == nil && n.Kind == ProgressHandover:
		full := 100
		n.Percent = &full
	case n.Percent == nil:
		p.Add("percent", "required", "percent is required")
	case *n.Percent < 0 || *n.Percent > 100:
		p.Add("percent", "out_of_range", "percent must be a whole number from 0 to 100")
	case n.Kind == ProgressHandover && *n.Percent != 100:
		p.Add("percent", "handover_not_complete", "a hand-over report is at 100%")
	}
	n.reportedOn = p.Date("reported_on", text(n.ReportedOn), text(n.ReportedOnJalali), true)
	if !n.reportedOn.IsZero() && n.reportedOn.After(today) {
		p.Add("reported_on", "in_future", "reported_on is after today ("+today.String()+" in Tehran)")
	}
	return p.Err()
}
