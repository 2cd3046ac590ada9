package registry

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// Figures are the registry's yearly figures, as the contract fixes them
// ("Registry figures"), plus the implementation rate with its denominator
// stated. Each count is a figure of figureDefs: GET
// /reports/registry/rows?figure=NAME lists its records.
type Figures struct {
	Year                         int                `json:"year"`
	Sessions                     SessionCounts      `json:"sessions"`
	Resolutions                  StatusCounts       `json:"resolutions"`
	UnitsExamined                int                `json:"units_examined"`
	UnitsExaminedInFieldSessions int                `json:"units_examined_in_field_sessions"`
	CasesResolvedWithoutSession  int                `json:"cases_resolved_without_session"`
	Referrals                    int                `json:"referrals"`
	RevivedUnits                 int                `json:"revived_units"`
	SchoolsPledged               int                `json:"schools_pledged"`
	ImplementationRate           ImplementationRate `json:"implementation_rate"`

	counts map[string]int // every figure by name
}

// SessionCounts counts the year's sessions by kind.
type SessionCounts struct {
	Formal    int `json:"formal"`
	Field     int `json:"field"`
	SiteVisit int `json:"site_visit"`
	Total     int `json:"total"`
}

// StatusCounts counts resolutions by their latest status.
type StatusCounts struct {
	Total          int `json:"total"`
	Implemented    int `json:"implemented"`
	InFollowUp     int `json:"in_follow_up"`
	NotImplemented int `json:"not_implemented"`
	Notified       int `json:"notified"`
	Cancelled      int `json:"cancelled"`
}

// ImplementationRate is implemented ÷ (total − cancelled): a cancelled
// resolution is no longer expected to be implemented, so it leaves the
// denominator. Value is exact to 4 decimal places (rounded half up) as a
// decimal string, and null when the denominator is 0.
type ImplementationRate struct {
	Value             *decimal.Decimal `json:"value"`
	Numerator         int              `json:"numerator"`
	Denominator       int              `json:"denominator"`
	Formula           string           `json:"formula"`
	Excludes          []string         `json:"excludes"`
	NumeratorFigure   string           `json:"numerator_figure"`
	DenominatorFigure string           `json:"denominator_figure"`
}

// Count is the figure of figureDefs called name (as GET
// /reports/registry/rows takes it: "resolutions.implemented",
// "implementation_rate.denominator"), 0 for an unknown name.
func (f Figures) Count(name string) int { return f.counts[name] }

// ratePlaces is the precision of the implementation rate.
const ratePlaces = 4

func implementationRate(implemented, denominator int) ImplementationRate {
	r := ImplementationRate{
		Numerator: implemented, Denominator: denominator,
		Formula: "implemented / (total − cancelled)", Excludes: []string{StatusCancelled},
		NumeratorFigure: "resolutions.implemented", DenominatorFigure: "implementation_rate.denominator",
	}
	if denominator > 0 {
		v := decimal.NewFromInt(int64(implemented)).DivRound(decimal.NewFromInt(int64(denominator)), ratePlaces)
		r.Value = &v
	}
	return r
}

// Figures computes the year's figures from the records, in one read-only
// snapshot. It returns EINVALID (field year) for a year outside the
// calendar.
func (s *Store) Figures(ctx context.Context, year int) (Figures, error) {
	var f Figures
	err := s.readSnapshot(ctx, func(tx *database.Tx) error {
		var err error
		f, err = figures(ctx, tx, year)
		return err
	})
	return f, err
}

// readSnapshot runs fn in a read-only REPEATABLE READ transaction, so that
// the several statements of a report see the same records.
func (s *Store) readSnapshot(ctx context.Context, fn func(tx *database.Tx) error) error {
	return s.DB.TransactWith(ctx, database.Options{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, fn)
}

func figures(ctx context.Context, q sqlx.QueryerContext, year int) (Figures, error) {
	first, last, err := YearBounds(year)
	if err != nil {
		return Figures{}, err
	}
	values := make([]int, len(figureDefs))
	dest := make([]any, 0, len(figureDefs))
	for i, f := range figureDefs {
		if f.source != fromSchools {
			dest = append(dest, &values[i])
		}
	}
	if err := q.QueryRowxContext(ctx, figuresQuery, first, last, year).Scan(dest...); err != nil {
		return Figures{}, fmt.Errorf("count the figures of %d: %w", year, err)
	}
	schools, err := schoolsPledged(ctx, q, first, last)
	if err != nil {
		return Figures{}, fmt.Errorf("count schools pledged in %d: %w", year, err)
	}
	counts := make(map[string]int, len(figureDefs))
	for i, f := range figureDefs {
		counts[f.name] = values[i]
	}
	counts["schools_pledged"] = schools
	v := func(name string) int { return counts[name] }
	return Figures{
		counts: counts,
		Year:   year,
		Sessions: SessionCounts{Formal: v("sessions.formal"), Field: v("sessions.field"),
			SiteVisit: v("sessions.site_visit"), Total: v("sessions.total")},
		Resolutions: StatusCounts{Total: v("resolutions.total"), Implemented: v("resolutions.implemented"),
			InFollowUp: v("resolutions.in_follow_up"), NotImplemented: v("resolutions.not_implemented"),
			Notified: v("resolutions.notified"), Cancelled: v("resolutions.cancelled")},
		UnitsExamined:                v("units_examined"),
		UnitsExaminedInFieldSessions: v("units_examined_in_field_sessions"),
		CasesResolvedWithoutSession:  v("cases_resolved_without_session"),
		Referrals:                    v("referrals"),
		RevivedUnits:                 v("revived_units"),
		SchoolsPledged:               schools,
		ImplementationRate:           implementationRate(v("resolutions.implemented"), v("implementation_rate.denominator")),
	}, nil
}

// figuresQuery counts every figure but schools_pledged in one statement with
// $1 and $2 the year's first and last days and $3 the year. Sessions and
// revivals (a few hundred a year) are counted from the records; resolutions
// and cases from their yearly counts (migration 0014: kept by triggers in
// the same transaction as the records, so the snapshot's counts are the
// records' counts), read with the same conditions as the rows: a figure's
// cond over r (status) or c (channel, outcome) holds for the counts' key
// columns of the same name. The distinct-unit figures are columns of
// registry_year_units_examined named after them. Its columns are the
// figures in figureDefs order.
var figuresQuery = func() string {
	var cols, sess, res, units, cases, revived []string
	for i, f := range figureDefs {
		col := fmt.Sprintf("f%d", i)
		switch f.source {
		case fromSessions:
			sess = append(sess, fmt.Sprintf("count(*) FILTER (WHERE %s) AS %s", f.cond, col))
		case fromResolutions:
			res = append(res, fmt.Sprintf("COALESCE(sum(r.n) FILTER (WHERE %s), 0)::bigint AS %s", f.cond, col))
		case fromExaminedUnits:
			units = append(units, fmt.Sprintf("COALESCE(max(u.%s), 0)::bigint AS %s", f.name, col))
		case fromCases:
			cases = append(cases, fmt.Sprintf("COALESCE(sum(c.n) FILTER (WHERE %s), 0)::bigint AS %s", f.cond, col))
		case fromRevivedUnits:
			revived = append(revived, fmt.Sprintf("count(DISTINCT v.unit_id) FILTER (WHERE %s) AS %s", f.cond, col))
		case fromSchools:
			continue // schoolsPledged
		}
		cols = append(cols, col)
	}
	j := func(s []string) string { return strings.Join(s, ", ") }
	return `
	SELECT ` + j(cols) + `
	  FROM (SELECT ` + j(sess) + ` FROM sessions s WHERE s.held_on BETWEEN $1 AND $2) s,
	       (SELECT ` + j(res) + ` FROM registry_year_resolutions r WHERE r.year = $3) r,
	       (SELECT ` + j(units) + ` FROM registry_year_units_examined u WHERE u.year = $3) u,
	       (SELECT ` + j(cases) + ` FROM registry_year_cases c WHERE c.year = $3) c,
	       (SELECT ` + j(revived) + ` FROM revivals v WHERE v.revived_on BETWEEN $1 AND $2) v`
}()

// schoolsPledged counts the figure schools_pledged: distinct school projects
// with at least one pledge dated in the year (first to last). A cancelled
// pledge still counts: it was made in the year.
func schoolsPledged(ctx context.Context, q sqlx.QueryerContext, first, last taahod.Date) (int, error) {
	var n int
	err := sqlx.GetContext(ctx, q, &n, `SELECT count(DISTINCT school_id) FROM pledges WHERE pledged_on BETWEEN $1 AND $2`, first, last)
	return n, err
}
