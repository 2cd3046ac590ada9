package registry

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// OverdueList is the resolutions past their deadline and still open (neither
// implemented nor cancelled) on AsOf, grouped by the agency each was
// notified to; a resolution notified to two agencies is under both.
type OverdueList struct {
	AsOf       taahod.Date `json:"as_of"`
	AsOfJalali string      `json:"as_of_jalali"`
	// Year is the fiscal year of adoption the list is limited to, if any.
	Year        *int            `json:"year"`
	Resolutions int             `json:"resolutions"` // distinct resolutions
	Agencies    []AgencyOverdue `json:"agencies"`
}

// AgencyOverdue is one agency's overdue resolutions, by deadline.
type AgencyOverdue struct {
	AgencyID    int64               `json:"agency_id"`
	Agency      string              `json:"agency"`
	Count       int                 `json:"count"`
	Resolutions []OverdueResolution `json:"resolutions"`
}

// OverdueResolution is a resolution in the overdue list: what the agency
// must do, by when, and for which unit (withheld when confidential and
// the viewer may not see it).
type OverdueResolution struct {
	ID              int64       `db:"id" json:"id"`
	Text            string      `db:"text" json:"text"`
	Category        string      `db:"category" json:"category"`
	Status          string      `db:"status" json:"status"`
	SessionID       *int64      `db:"session_id" json:"session_id"`
	AdoptedOn       taahod.Date `db:"adopted_on" json:"adopted_on"`
	AdoptedOnJalali string      `db:"-" json:"adopted_on_jalali"`
	Deadline        taahod.Date `db:"deadline" json:"deadline"`
	DeadlineJalali  string      `db:"-" json:"deadline_jalali"`
	DaysOverdue     int         `db:"-" json:"days_overdue"`
	UnitID          *int64      `db:"unit_id" json:"unit_id"`
	UnitName        *string     `db:"unit_name" json:"unit_name"`
	UnitWithheld    bool        `db:"-" json:"unit_withheld"`
	Confidential    bool        `db:"confidential" json:"confidential"`
}

// Overdue lists the overdue resolutions by agency as of today in Tehran:
// agencies with the most first, then by name. year, when not 0, keeps the
// resolutions adopted in that fiscal year; agencyID, when not 0, one agency.
// It returns EINVALID for a year that does not exist.
func (s *Store) Overdue(ctx context.Context, v Viewer, year int, agencyID int64) (OverdueList, error) {
	return overdue(ctx, s.DB, v, taahod.Today(s.DB.Now()), year, agencyID)
}

func overdue(ctx context.Context, q sqlx.QueryerContext, v Viewer, today taahod.Date, year int, agencyID int64) (OverdueList, error) {
	list := OverdueList{AsOf: today, AsOfJalali: today.Jalali(), Agencies: []AgencyOverdue{}}
	var args database.Args
	where := []string{"r.deadline < " + args.Add(today), "r.status NOT IN ('implemented', 'cancelled')"}
	if year != 0 {
		first, last, err := YearBounds(year)
		if err != nil {
			return list, err
		}
		list.Year = &year
		where = append(where, "r.adopted_on BETWEEN "+args.Add(first)+" AND "+args.Add(last))
	}
	if agencyID != 0 {
		where = append(where, "a.id = "+args.Add(agencyID))
	}
	var rows []struct {
		AgencyID int64  `db:"agency_id"`
		Agency   string `db:"agency"`
		OverdueResolution
	}
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT a.id AS agency_id, a.name AS agency, r.id, r.text, r.category, r.status, r.session_id, r.adopted_on,
		       r.deadline, r.unit_id, u.name AS unit_name, r.confidential
		  FROM resolutions r
		  JOIN resolution_agencies ra ON ra.resolution_id = r.id
		  JOIN agencies a ON a.id = ra.agency_id
		  LEFT JOIN units u ON u.id = r.unit_id
		 WHERE `+strings.Join(where, " AND ")+`
		 ORDER BY a.id, r.deadline, r.id`, args...)
	if err != nil {
		return list, database.MapError(err)
	}
	distinct := map[int64]bool{}
	for _, row := range rows {
		o := row.OverdueResolution
		o.AdoptedOnJalali, o.DeadlineJalali = o.AdoptedOn.Jalali(), o.Deadline.Jalali()
		o.DaysOverdue = daysBetween(o.Deadline, today)
		if o.UnitID != nil && !v.seesUnitOf(*o.UnitID, o.Confidential) {
			o.UnitID, o.UnitName, o.UnitWithheld = nil, nil, true
		}
		distinct[o.ID] = true
		if n := len(list.Agencies); n == 0 || list.Agencies[n-1].AgencyID != row.AgencyID {
			list.Agencies = append(list.Agencies, AgencyOverdue{AgencyID: row.AgencyID, Agency: row.Agency})
		}
		g := &list.Agencies[len(list.Agencies)-1]
		g.Resolutions = append(g.Resolutions, o)
		g.Count++
	}
	list.Resolutions = len(distinct)
	slices.SortStableFunc(list.Agencies, func(a, b AgencyOverdue) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Agency, b.Agency))
	})
	return list, nil
}

// daysBetween returns the number of days from a to b.
func daysBetween(a, b taahod.Date) int {
	return int(b.Time().Sub(a.Time()).Hours() / 24)
}

// CountOverdue counts the resolutions Overdue(ctx, v, 0, 0) lists, without
// reading them: the count a home page shows.
func (s *Store) CountOverdue(ctx context.Context) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, s.DB, &n, `
		SELECT count(*) FROM resolutions r
		 WHERE r.deadline < $1 AND r.status NOT IN ('implemented', 'cancelled')
		   AND EXISTS (SELECT 1 FROM resolution_agencies ra WHERE ra.resolution_id = r.id)`, taahod.Today(s.DB.Now()))
	if err != nil {
		return 0, database.MapError(err)
	}
	return n, nil
}
