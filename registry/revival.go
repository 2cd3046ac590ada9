package registry

import (
	"context"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// EUNITNOTSTAGNANT is the code of a revival refused because the unit is not
// stagnant (409).
var EUNITNOTSTAGNANT = taahod.RegisterCode("unit_not_stagnant")

// Revival records that a stagnant unit (واحد راکد) was revived (احیا) on a
// day. It counts in the fiscal year of revived_on. Revivals are never
// changed; a unit that stagnates again may be revived again.
type Revival struct {
	ID              int64       `db:"id" json:"id"`
	UnitID          int64       `db:"unit_id" json:"unit_id"`
	UnitName        string      `db:"unit_name" json:"unit_name"`
	RevivedOn       taahod.Date `db:"revived_on" json:"revived_on"`
	RevivedOnJalali string      `db:"-" json:"revived_on_jalali"`
	FiscalYear      int         `db:"-" json:"fiscal_year"`
	Note            *string     `db:"note" json:"note"`
	// By is the user name recorded with the revival; RecordedBy names the
	// user (null for the system).
	By              string          `db:"actor_name" json:"by"`
	RecordedBy      *taahod.UserRef `db:"recorded_by" json:"recorded_by"`
	CreatedAt       time.Time       `db:"created_at" json:"created_at"`
	CreatedAtJalali string          `db:"-" json:"created_at_jalali"`
	// Unit is the unit as the revival left it, in the answer to a revival.
	Unit *Unit `db:"-" json:"unit,omitempty"`
}

func (r *Revival) finish() {
	r.RevivedOnJalali = r.RevivedOn.Jalali()
	r.CreatedAtJalali = taahod.JalaliTime(r.CreatedAt)
	r.FiscalYear = r.RevivedOn.FiscalYear()
}

// NewRevival is what reviving a unit takes: the day (revived_on or
// revived_on_jalali) and an optional note.
type NewRevival struct {
	RevivedOn       string  `json:"revived_on"`
	RevivedOnJalali string  `json:"revived_on_jalali"`
	Note            *string `json:"note"`

	revivedOn taahod.Date // read by Validate
}

// Validate checks the revival against today: it may not be dated later.
func (n *NewRevival) Validate(today taahod.Date) error {
	var p taahod.Problems
	n.revivedOn = p.Date("revived_on", n.RevivedOn, n.RevivedOnJalali, true)
	notFuture(&p, "revived_on", n.revivedOn, today)
	p.OptionalText("note", &n.Note, 2000)
	return p.Err()
}

var revivalSelect = `
	SELECT v.id, v.unit_id, u.name AS unit_name, v.revived_on, v.note, v.actor_name,
	       ` + taahod.UserRefSQL("v.actor_id") + ` AS recorded_by, v.created_at
	  FROM revivals v JOIN units u ON u.id = v.unit_id`

// ReviveUnit records the revival of a stagnant unit and makes the unit
// revived, in one transaction with one audit entry. It returns ENOTFOUND for
// an unknown unit (or one outside the actor's units), EINVALID for bad
// fields, and EUNITNOTSTAGNANT (409) when the unit is not stagnant.
func (s *Store) ReviveUnit(ctx context.Context, actor taahod.Actor, unitID int64, in NewRevival) (Revival, error) {
	if !actor.CanSeeUnit(unitID) {
		return Revival{}, taahod.Errorf(taahod.ENOTFOUND, "unit %d not found", unitID)
	}
	var out Revival
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := in.Validate(taahod.Today(tx.Now)); err != nil {
			return err
		}
		unit, err := findUnit(ctx, tx, unitID, true)
		if err != nil {
			return err
		}
		if unit.Status != UnitStagnant {
			return taahod.Errorf(EUNITNOTSTAGNANT, "unit %d is %s, not stagnant: only a stagnant unit can be revived", unitID, unit.Status)
		}
		var id int64
		err = tx.GetContext(ctx, &id, `
			INSERT INTO revivals (unit_id, revived_on, note, actor_id, actor_name, created_at)
			VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6) RETURNING id`,
			unitID, in.revivedOn, in.Note, actor.UserKey(), actor.Username, tx.Now)
		if err != nil {
			return err
		}
		err = tx.GetContext(ctx, &unit, `UPDATE units SET status = $2, updated_at = $3 WHERE id = $1 RETURNING `+unitColumns,
			unitID, UnitRevived, tx.Now)
		if err != nil {
			return err
		}
		if err := tx.GetContext(ctx, &out, revivalSelect+` WHERE v.id = $1`, id); err != nil {
			return err
		}
		out.finish()
		out.Unit = &unit
		tx.Audit(ctx, actor, "unit.revive", "unit", unitID, map[string]any{
			"revival_id": id, "revived_on": in.revivedOn, "note": in.Note,
			"status": map[string]any{"from": UnitStagnant, "to": UnitRevived},
		})
		return nil
	})
	return out, err
}

// RevivalFilter narrows a list of revivals.
type RevivalFilter struct {
	UnitID  int64
	Year    int // fiscal year of revived_on; 0 for all
	AfterID int64
	Limit   int
}

// ListRevivals returns the revivals that match f, by id, at most f.Limit of
// them. It returns EINVALID for a year that does not exist.
func (s *Store) ListRevivals(ctx context.Context, f RevivalFilter) ([]Revival, error) {
	var args database.Args
	where := []string{"v.id > " + args.Add(f.AfterID)}
	if f.UnitID != 0 {
		where = append(where, "v.unit_id = "+args.Add(f.UnitID))
	}
	if f.Year != 0 {
		first, last, err := YearBounds(f.Year)
		if err != nil {
			return nil, err
		}
		where = append(where, "v.revived_on BETWEEN "+args.Add(first)+" AND "+args.Add(last))
	}
	out := []Revival{}
	err := sqlx.SelectContext(ctx, s.DB, &out, revivalSelect+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY v.id LIMIT `+args.Add(f.Limit), args...)
	if err != nil {
		return nil, database.MapError(err)
	}
	for i := range out {
		out[i].finish()
	}
	return out, nil
}
