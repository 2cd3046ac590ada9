package registry

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// FigureRow is one record behind a figure: a Session, a Resolution, an
// ExaminedUnit, a Case, a RevivedUnit or a PledgedSchool, as the figure's
// source is. In JSON it is that record with its RowKind in "row_kind", so a
// client (and the OpenAPI document's discriminator) tells the kinds apart
// without knowing every figure; it is not "kind", which sessions and
// schools already use for their own kinds.
type FigureRow struct {
	id     int64
	kind   RowKind
	record any
}

// RowKind names the kind of record a FigureRow holds.
type RowKind string

// The kinds of rows, one for each source of figures.
const (
	RowSession       RowKind = "session"
	RowResolution    RowKind = "resolution"
	RowExaminedUnit  RowKind = "examined_unit"
	RowCase          RowKind = "case"
	RowRevivedUnit   RowKind = "revived_unit"
	RowPledgedSchool RowKind = "pledged_school"
)

// ID is the id the rows are ordered and paged by: the record's own, or the
// unit's for the figures that count units.
func (r FigureRow) ID() int64 { return r.id }

// Record is the record itself.
func (r FigureRow) Record() any { return r.record }

// Kind is the kind of the record.
func (r FigureRow) Kind() RowKind { return r.kind }

// MarshalJSON writes the record, with "row_kind" first.
func (r FigureRow) MarshalJSON() ([]byte, error) {
	record, err := json.Marshal(r.record)
	if err != nil {
		return nil, err
	}
	kind, err := json.Marshal(struct {
		RowKind RowKind `json:"row_kind"`
	}{r.kind})
	if err != nil {
		return nil, err
	}
	if len(record) < 2 || record[0] != '{' {
		return nil, fmt.Errorf("registry: a %s row is not a JSON object", r.kind)
	}
	if string(record) == "{}" {
		return kind, nil
	}
	// Join the two objects: drop kind's closing brace and record's opening.
	return append(append(kind[:len(kind)-1], ','), record[1:]...), nil
}

// ExaminedUnit is a unit behind units_examined or
// units_examined_in_field_sessions, with the number of the year's
// resolutions that make it count. A unit all of whose counted resolutions
// are confidential is withheld from a viewer who may not see it.
type ExaminedUnit struct {
	UnitID       *int64  `db:"unit_id" json:"unit_id"`
	Name         *string `db:"name" json:"name"`
	NationalID   *string `db:"national_id" json:"national_id,omitempty"`
	County       *string `db:"county" json:"county"`
	Resolutions  int     `db:"resolutions" json:"resolutions"`
	UnitWithheld bool    `db:"-" json:"unit_withheld"`

	Visible bool  `db:"visible" json:"-"`
	Key     int64 `db:"key" json:"-"`
}

// RevivedUnit is a unit behind revived_units: its first revival of the year
// and how many it had then.
type RevivedUnit struct {
	UnitID          int64       `db:"unit_id" json:"unit_id"`
	Name            string      `db:"name" json:"name"`
	NationalID      *string     `db:"national_id" json:"national_id,omitempty"`
	County          string      `db:"county" json:"county"`
	Status          string      `db:"status" json:"status"`
	RevivalID       int64       `db:"revival_id" json:"revival_id"`
	RevivedOn       taahod.Date `db:"revived_on" json:"revived_on"`
	RevivedOnJalali string      `db:"-" json:"revived_on_jalali"`
	Revivals        int         `db:"revivals" json:"revivals"`
}

// FigureRows returns the figure's count and the records behind it, ordered
// by id, after the id afterID and at most limit of them, from one snapshot:
// paging through them all yields exactly count rows. It returns EINVALID for
// an unknown figure or year.
func (s *Store) FigureRows(ctx context.Context, v Viewer, year int, name string, afterID int64, limit int) (int, []FigureRow, error) {
	def, ok := lookUpFigure(name)
	if !ok {
		return 0, nil, unknownFigure(name)
	}
	var (
		count int
		rows  []FigureRow
	)
	err := s.readSnapshot(ctx, func(tx *database.Tx) error {
		f, err := figures(ctx, tx, year)
		if err != nil {
			return err
		}
		count = f.Count(def.name)
		rows, err = figureRows(ctx, tx, v, def, year, afterID, limit, taahod.Today(tx.Now))
		return err
	})
	return count, rows, err
}

// EachFigureRow calls fn with each record behind the figure FigureRows
// pages through, in the same order and finished for v the same way, at
// most limit of them, read by one query row by row, without the figure's
// count: the rows' file (issue 15) is written as they arrive and never
// held whole. It returns EINVALID for an unknown figure or year, as
// FigureRows does; fn's first error ends the query and is returned.
func (s *Store) EachFigureRow(ctx context.Context, v Viewer, year int, name string, limit int, fn func(FigureRow) error) error {
	def, ok := lookUpFigure(name)
	if !ok {
		return unknownFigure(name)
	}
	return eachFigureRow(ctx, s.DB, v, def, year, 0, limit, taahod.Today(s.DB.Now()), fn)
}

// figureRows is the page of the figure's rows after afterID.
func figureRows(ctx context.Context, q sqlx.QueryerContext, v Viewer, def figureDef, year int, afterID int64, limit int, today taahod.Date) ([]FigureRow, error) {
	rows := []FigureRow{}
	err := eachFigureRow(ctx, q, v, def, year, afterID, limit, today, func(r FigureRow) error {
		rows = append(rows, r)
		return nil
	})
	return rows, err
}

// eachFigureRow calls fn with each record behind the figure def of year
// after the id afterID, at most limit of them, by id, finished for v: the
// one query and finish of each source that the pages (figureRows) and the
// file (EachFigureRow) share.
func eachFigureRow(ctx context.Context, q sqlx.QueryerContext, v Viewer, def figureDef, year int, afterID int64, limit int, today taahod.Date, fn func(FigureRow) error) error {
	first, last, err := YearBounds(year)
	if err != nil {
		return err
	}
	var args database.Args
	inYear := func(column string) string {
		return column + " BETWEEN " + args.Add(first) + " AND " + args.Add(last)
	}
	switch def.source {
	case fromSessions:
		query := sessionSelect + ` WHERE ` + inYear("s.held_on") + ` AND ` + def.cond +
			` AND s.id > ` + args.Add(afterID) + ` ORDER BY s.id LIMIT ` + args.Add(limit)
		return database.EachRow(ctx, q, query, args, func(s *Session) error {
			s.finish(v)
			return fn(FigureRow{s.ID, RowSession, *s})
		})
	case fromResolutions:
		query := resolutionSelect + ` WHERE ` + inYear("r.adopted_on") + ` AND ` + def.cond +
			` AND r.id > ` + args.Add(afterID) + ` ORDER BY r.id LIMIT ` + args.Add(limit)
		return database.EachRow(ctx, q, query, args, func(r *Resolution) error {
			r.finish(v, today)
			return fn(FigureRow{r.ID, RowResolution, *r})
		})
	case fromExaminedUnits:
		query := `
			SELECT u.id AS key, u.id AS unit_id, u.name, u.national_id, u.county, x.resolutions, x.visible
			  FROM (SELECT r.unit_id, count(*) FILTER (WHERE ` + def.cond + `) AS resolutions,
			               bool_or(` + def.cond + ` AND ` + v.confidentialFilter("r", args.Add) + `) AS visible
			          FROM resolutions r
			         WHERE ` + inYear("r.adopted_on") + ` AND r.unit_id > ` + args.Add(afterID) + `
			         GROUP BY r.unit_id
			        HAVING bool_or(` + def.cond + `)) x
			  JOIN units u ON u.id = x.unit_id
			 ORDER BY u.id LIMIT ` + args.Add(limit)
		return database.EachRow(ctx, q, query, args, func(u *ExaminedUnit) error {
			if !u.Visible {
				u.UnitID, u.Name, u.County, u.UnitWithheld = nil, nil, nil, true
			}
			if !v.seesInternals() || u.UnitWithheld {
				u.NationalID = nil
			}
			return fn(FigureRow{u.Key, RowExaminedUnit, *u})
		})
	case fromCases:
		query := caseSelect + ` WHERE ` + inYear("c.opened_on") + ` AND ` + def.cond +
			` AND c.id > ` + args.Add(afterID) + ` ORDER BY c.id LIMIT ` + args.Add(limit)
		return database.EachRow(ctx, q, query, args, func(c *Case) error {
			c.finish(v)
			return fn(FigureRow{c.ID, RowCase, *c})
		})
	case fromRevivedUnits:
		query := `
			SELECT u.id AS unit_id, u.name, u.national_id, u.county, u.status, x.revival_id, x.revived_on, x.revivals
			  FROM (SELECT DISTINCT ON (v.unit_id) v.unit_id, v.id AS revival_id, v.revived_on,
			               count(*) OVER (PARTITION BY v.unit_id) AS revivals
			          FROM revivals v
			         WHERE ` + inYear("v.revived_on") + ` AND ` + def.cond + ` AND v.unit_id > ` + args.Add(afterID) + `
			         ORDER BY v.unit_id, v.revived_on, v.id) x
			  JOIN units u ON u.id = x.unit_id
			 ORDER BY u.id LIMIT ` + args.Add(limit)
		return database.EachRow(ctx, q, query, args, func(u *RevivedUnit) error {
			u.RevivedOnJalali = u.RevivedOn.Jalali()
			if !v.seesInternals() {
				u.NationalID = nil
			}
			return fn(FigureRow{u.UnitID, RowRevivedUnit, *u})
		})
	case fromSchools:
		// What a unit pledged is not public, so only the schools are
		// listed, for every viewer.
		query := `
			SELECT s.id AS school_id, s.name, s.kind, s.county, x.pledges, x.first_pledged_on
			  FROM (SELECT school_id, count(*) AS pledges, min(pledged_on) AS first_pledged_on
			          FROM pledges WHERE pledged_on BETWEEN $1 AND $2 AND school_id > $3
			         GROUP BY school_id) x
			  JOIN schools s ON s.id = x.school_id
			 ORDER BY s.id LIMIT $4`
		return database.EachRow(ctx, q, query, []any{first, last, afterID, limit}, func(f *PledgedSchool) error {
			f.FirstPledgedOnJalali = f.FirstPledgedOn.Jalali()
			return fn(FigureRow{f.SchoolID, RowPledgedSchool, *f})
		})
	}
	return fmt.Errorf("registry: figure %s has no rows", def.name)
}

// PledgedSchool is a school project behind schools_pledged: the year's
// pledges to it and the first of their dates.
type PledgedSchool struct {
	SchoolID             int64       `db:"school_id" json:"school_id"`
	Name                 string      `db:"name" json:"name"`
	Kind                 string      `db:"kind" json:"kind"`
	County               string      `db:"county" json:"county"`
	Pledges              int         `db:"pledges" json:"pledges"`
	FirstPledgedOn       taahod.Date `db:"first_pledged_on" json:"first_pledged_on"`
	FirstPledgedOnJalali string      `db:"-" json:"first_pledged_on_jalali"`
}
