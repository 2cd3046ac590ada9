package registry

import (
	"context"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

const unitColumns = `id, name, national_id, county, economic_code, tax_file_no, activity, status, created_at, updated_at`

// CreateUnit registers a unit. It returns EINVALID for bad fields and
// ECONFLICT when a unit with the same national id exists.
func (s *Store) CreateUnit(ctx context.Context, actor taahod.Actor, in NewUnit) (Unit, error) {
	if err := in.Validate(); err != nil {
		return Unit{}, err
	}
	var u Unit
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		err := tx.GetContext(ctx, &u, `
			INSERT INTO units (name, national_id, county, economic_code, tax_file_no, activity, status, created_at, updated_at)
			VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), NULLIF($6, ''), $7, $8, $8)
			RETURNING `+unitColumns,
			in.Name, in.NationalID, in.County, in.EconomicCode, in.TaxFileNo, in.Activity, in.Status, tx.Now)
		if err != nil {
			return conflictOnNationalID(err, in.NationalID)
		}
		tx.Audit(ctx, actor, "unit.create", "unit", u.ID, u)
		return nil
	})
	return u, err
}

func conflictOnNationalID(err error, nationalID string) error {
	if taahod.ErrorCode(database.MapError(err)) == taahod.ECONFLICT {
		return &taahod.Error{Code: taahod.ECONFLICT, Message: "a unit with national_id " + nationalID + " is already registered",
			Fields: []taahod.FieldError{{Field: "national_id", Code: "duplicate", Message: "already registered"}}}
	}
	return err
}

// FindUnit returns the unit with id. It returns ENOTFOUND if there is none or
// if it is outside the actor's units.
func (s *Store) FindUnit(ctx context.Context, actor taahod.Actor, id int64) (Unit, error) {
	if !actor.CanSeeUnit(id) {
		return Unit{}, taahod.Errorf(taahod.ENOTFOUND, "unit %d not found", id)
	}
	return findUnit(ctx, s.DB, id, false)
}

func findUnit(ctx context.Context, q sqlx.QueryerContext, id int64, forUpdate bool) (Unit, error) {
	query := `SELECT ` + unitColumns + ` FROM units WHERE id = $1`
	if forUpdate {
		query += ` FOR UPDATE`
	}
	var u Unit
	err := sqlx.GetContext(ctx, q, &u, query, id)
	return u, database.NotFound(err, "unit", id)
}

// SharedUnit reads unit id in q's transaction and locks its row against
// changes (FOR SHARE) until the transaction ends, for a writer that records
// what the unit is, such as a certificate printing its name and codes. It
// returns ENOTFOUND if there is none.
func SharedUnit(ctx context.Context, q sqlx.QueryerContext, id int64) (Unit, error) {
	var u Unit
	err := sqlx.GetContext(ctx, q, &u, `SELECT `+unitColumns+` FROM units WHERE id = $1 FOR SHARE`, id)
	return u, database.NotFound(err, "unit", id)
}

// UnitFilter narrows a list of units.
type UnitFilter struct {
	County  string
	Query   string // words each part of the name, or the start of the national id (database.SearchClause)
	Status  string
	AfterID int64
	Limit   int
}

// ListUnits returns the units the actor may see that match f, by id, at most
// f.Limit of them.
func (s *Store) ListUnits(ctx context.Context, actor taahod.Actor, f UnitFilter) ([]Unit, error) {
	var (
		where []string
		args  database.Args
	)
	arg := args.Add
	where = append(where, "id > "+arg(f.AfterID))
	if !actor.SeesAllUnits() {
		where = append(where, "id = ANY("+arg(pq.Array(actor.UnitIDs))+")")
	}
	if f.County != "" {
		where = append(where, "taahod_fold(county) = "+arg(taahod.FoldText(f.County)))
	}
	if f.Status != "" {
		where = append(where, "status = "+arg(f.Status))
	}
	if cond := database.SearchClause(&args, f.Query, database.Contains("taahod_fold(name)")); cond != "" {
		// A national id is typed whole or from its start, in any digits.
		if id := taahod.ASCIIDigits(strings.TrimSpace(f.Query)); nationalIDStart(id) {
			cond = "(" + cond + " OR national_id LIKE " + arg(id) + " || '%')"
		}
		where = append(where, cond)
	}
	units := []Unit{}
	err := s.DB.SelectContext(ctx, &units, `SELECT `+unitColumns+` FROM units WHERE `+
		strings.Join(where, " AND ")+` ORDER BY id LIMIT `+arg(f.Limit), args...)
	return units, database.MapError(err)
}

// UpdateUnit applies a partial update. It returns ENOTFOUND for an unknown
// unit, EINVALID for bad fields and ECONFLICT for a national id in use.
func (s *Store) UpdateUnit(ctx context.Context, actor taahod.Actor, id int64, patch UnitPatch) (Unit, error) {
	if !actor.CanSeeUnit(id) {
		return Unit{}, taahod.Errorf(taahod.ENOTFOUND, "unit %d not found", id)
	}
	if err := patch.Validate(); err != nil {
		return Unit{}, err
	}
	var u Unit
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		before, err := findUnit(ctx, tx, id, true)
		if err != nil {
			return err
		}
		u = before
		changes := taahod.Changes{}
		taahod.Apply(changes, "name", patch.Name, &u.Name)
		taahod.Apply(changes, "national_id", patch.NationalID, &u.NationalID)
		taahod.Apply(changes, "county", patch.County, &u.County)
		taahod.Apply(changes, "status", patch.Status, &u.Status)
		taahod.ApplyNullable(changes, "economic_code", blankIsNull(patch.EconomicCode), &u.EconomicCode)
		taahod.ApplyNullable(changes, "tax_file_no", blankIsNull(patch.TaxFileNo), &u.TaxFileNo)
		taahod.ApplyNullable(changes, "activity", blankIsNull(patch.Activity), &u.Activity)
		if len(changes) == 0 {
			return nil
		}
		err = tx.GetContext(ctx, &u, `
			UPDATE units SET name = $2, national_id = $3, county = $4, economic_code = $5,
			       tax_file_no = $6, activity = $7, status = $8, updated_at = $9
			 WHERE id = $1 RETURNING `+unitColumns,
			id, u.Name, u.NationalID, u.County, u.EconomicCode, u.TaxFileNo, u.Activity, u.Status, tx.Now)
		if err != nil {
			return conflictOnNationalID(err, u.NationalID)
		}
		tx.Audit(ctx, actor, "unit.update", "unit", id, changes)
		return nil
	})
	return u, err
}

// blankIsNull reads an empty text as null: a unit's optional codes are
// either recorded or absent, never blank.
func blankIsNull(o taahod.Optional[string]) taahod.Optional[string] {
	if o.Set && o.Value == "" {
		o.Null = true
	}
	return o
}

// nationalIDStart reports whether s may be the start of a national id: 1 to
// 11 ASCII digits.
func nationalIDStart(s string) bool {
	if s == "" || len(s) > 11 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
