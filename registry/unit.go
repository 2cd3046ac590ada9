package registry

import (
	"encoding/json"
	"time"

	"github.com/taahod/taahod"
)

// Unit statuses: a stagnant unit (واحد راکد) may be revived.
const (
	UnitActive   = "active"
	UnitStagnant = "stagnant"
	UnitRevived  = "revived"
)

// Unit is a production unit (واحد تولیدی).
type Unit struct {
	ID           int64     `db:"id" json:"id"`
	Name         string    `db:"name" json:"name"`
	NationalID   string    `db:"national_id" json:"national_id"`
	County       string    `db:"county" json:"county"`
	EconomicCode *string   `db:"economic_code" json:"economic_code"`
	TaxFileNo    *string   `db:"tax_file_no" json:"tax_file_no"`
	Activity     *string   `db:"activity" json:"activity"`
	Status       string    `db:"status" json:"status"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
	UpdatedAt    time.Time `db:"updated_at" json:"updated_at"`
}

// MarshalJSON adds the Solar Hijri twins of the timestamps
// (created_at_jalali, updated_at_jalali).
func (u Unit) MarshalJSON() ([]byte, error) {
	type plain Unit
	return json.Marshal(struct {
		plain
		CreatedAtJalali string `json:"created_at_jalali"`
		UpdatedAtJalali string `json:"updated_at_jalali"`
	}{plain(u), taahod.JalaliTime(u.CreatedAt), taahod.JalaliTime(u.UpdatedAt)})
}

// NewUnit is what registering a unit takes.
type NewUnit struct {
	Name         string  `json:"name"`
	NationalID   string  `json:"national_id"`
	County       string  `json:"county"`
	EconomicCode *string `json:"economic_code"`
	TaxFileNo    *string `json:"tax_file_no"`
	Activity     *string `json:"activity"`
	Status       string  `json:"status"`
}

// Validate checks a new unit and fills the default status.
func (u *NewUnit) Validate() error {
	var p taahod.Problems
	p.Text("name", &u.Name, true, 200)
	checkNationalID(&p, u.NationalID)
	p.Text("county", &u.County, true, 100)
	p.OptionalText("economic_code", &u.EconomicCode, 32)
	p.OptionalText("tax_file_no", &u.TaxFileNo, 32)
	p.OptionalText("activity", &u.Activity, 500)
	if u.Status == "" {
		u.Status = UnitActive
	}
	if u.Status != UnitActive && u.Status != UnitStagnant && u.Status != UnitRevived {
		p.Add("status", "invalid_choice", "status must be active, stagnant or revived")
	}
	return p.Err()
}

// UnitPatch is a partial update of a unit. The status may move between
// active and stagnant here; a revival has its own record.
type UnitPatch struct {
	Name         taahod.Optional[string] `json:"name"`
	NationalID   taahod.Optional[string] `json:"national_id"`
	County       taahod.Optional[string] `json:"county"`
	EconomicCode taahod.Optional[string] `json:"economic_code"`
	TaxFileNo    taahod.Optional[string] `json:"tax_file_no"`
	Activity     taahod.Optional[string] `json:"activity"`
	Status       taahod.Optional[string] `json:"status"`
}

// Validate checks the fields present in the patch.
func (u *UnitPatch) Validate() error {
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
	optional := func(field string, o *taahod.Optional[string], max int) {
		if o.Set && !o.Null {
			p.Text(field, &o.Value, false, max)
		}
	}
	required("name", &u.Name, 200)
	required("county", &u.County, 100)
	if u.NationalID.Set {
		if u.NationalID.Null {
			p.Add("national_id", "required", "national_id cannot be cleared")
		} else {
			checkNationalID(&p, u.NationalID.Value)
		}
	}
	optional("economic_code", &u.EconomicCode, 32)
	optional("tax_file_no", &u.TaxFileNo, 32)
	optional("activity", &u.Activity, 500)
	if u.Status.Set {
		if u.Status.Null || (u.Status.Value != UnitActive && u.Status.Value != UnitStagnant) {
			p.Add("status", "invalid_choice", "status may be set to active or stagnant; a revival is recorded with POST /units/{id}/revival")
		}
	}
	return p.Err()
}

func checkNationalID(p *taahod.Problems, id string) {
	if id == "" {
		p.Add("national_id", "required", "national_id is required")
		return
	}
	if _, err := taahod.ValidateNationalID(id); err != nil {
		p.AddErr("national_id", err)
	}
}
