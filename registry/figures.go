package registry

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
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

// Figures computes the year's figures from the records (sessions,
// revivals and pledges directly, resolutions and cases through their yearly
// counts, kept with them), in one statement and so in one snapshot. It
// returns EINVALID (field year) for a year outside the calendar.
func (s *Store) Figures(ctx context.Context, year int) (Figures, error) {
	st, err := s.prepared(ctx, figuresQuery)
	if err != nil {
		return Figures{}, fmt.Errorf("count the figures of %d: %w", year, err)
	}
	figs, _, err := yearFigures(ctx, st, []int{year}, false)
	if err != nil {
		return Figures{}, err
	}
	return figs[0], nil
}

// readSnapshot runs fn in a read-only REPEATABLE READ transaction, so that
// the several statements of a report see the same records.
func (s *Store) readSnapshot(ctx context.Context, fn func(tx *database.Tx) error) error {
	return s.DB.TransactWith(ctx, database.Options{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, fn)
}

// figures is the figures of one year, read with q (in the caller's
// transaction when q is one).
func figures(ctx context.Context, q sqlx.QueryerContext, year int) (Figures, error) {
	figs, _, err := yearFigures(ctx, queryWith{q, figuresQuery}, []int{year}, false)
	if err != nil {
		return Figures{}, err
	}
	return figs[0], nil
}

// figuresStatement runs figuresQuery or figuresWithCategoriesQuery: a
// prepared statement, or queryWith.
type figuresStatement interface {
	QueryxContext(ctx context.Context, args ...any) (*sqlx.Rows, error)
}

// queryWith runs query with q, unprepared.
type queryWith struct {
	q     sqlx.QueryerContext
	query string
}

func (w queryWith) QueryxContext(ctx context.Context, args ...any) (*sqlx.Rows, error) {
	return w.q.QueryxContext(ctx, w.query, args...)
}

// yearFigures computes the figures of each of years, in that order, in one
// statement: st runs figuresQuery, or figuresWithCategoriesQuery when
// withCategories, which adds the first year's resolutions by category and
// status.
func yearFigures(ctx context.Context, st figuresStatement, years []int, withCategories bool) ([]Figures, []CategoryCount, error) {
	firsts, lasts := make([]string, len(years)), make([]string, len(years))
	for i, year := range years {
		first, last, err := YearBounds(year)
		if err != nil {
			return nil, nil, err
		}
		firsts[i], lasts[i] = first.String(), last.String()
	}
	rows, err := st.QueryxContext(ctx, pq.Array(years), pq.Array(firsts), pq.Array(lasts))
	if err != nil {
		return nil, nil, fmt.Errorf("count the figures of %v: %w", years, err)
	}
	defer rows.Close()
	var (
		figs       []Figures
		categories []CategoryCount
	)
	for rows.Next() {
		var year int
		arrays := make([][]sql.NullInt64, len(figureSources))
		dest := []any{&year}
		for i := range arrays {
			dest = append(dest, pq.Array(&arrays[i]))
		}
		var cats sql.NullString
		if withCategories {
			dest = append(dest, &cats)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, fmt.Errorf("count the figures of %v: %w", years, err)
		}
		values := make([]int, len(figureDefs))
		next := make([]int, len(figureSources)) // the next count of each source's array
		for i, f := range figureDefs {
			k := slices.Index(figureSources, f.source)
			// A year with no units examined has no row: its array is NULL.
			if a := arrays[k]; next[k] < len(a) {
				values[i] = int(a[next[k]].Int64)
			}
			next[k]++
		}
		figs = append(figs, makeFigures(year, values))
		if withCategories && len(figs) == 1 {
			if categories, err = parseCategoryCounts(cats.String); err != nil {
				return nil, nil, fmt.Errorf("count the figures of %v: %w", years, err)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("count the figures of %v: %w", years, err)
	}
	if len(figs) != len(years) {
		return nil, nil, fmt.Errorf("count the figures of %v: %d rows", years, len(figs))
	}
	return figs, categories, nil
}

// parseCategoryCounts reads the categories' column of
// figuresWithCategoriesQuery: "category status n" each, separated by
// commas (NULL, read as "", for a year with none or for a year other than
// the first). It cuts the text in place rather than splitting it into
// slices: the public home reads it on every request.
func parseCategoryCounts(counts string) (categoryList, error) {
	byCategory := newCategoryCounts()
	for more := counts != ""; more; {
		var c string
		c, counts, more = strings.Cut(counts, ",")
		category, rest, _ := strings.Cut(c, " ")
		status, count, _ := strings.Cut(rest, " ")
		n, err := strconv.Atoi(count)
		if category == "" || status == "" || err != nil {
			return nil, fmt.Errorf("category count %q", c)
		}
		byCategory.add(category, status, n)
	}
	return byCategory, nil
}

// makeFigures assembles the year's Figures from the counts of figureDefs,
// in that order.
func makeFigures(year int, values []int) Figures {
	counts := make(map[string]int, len(figureDefs))
	for i, f := range figureDefs {
		counts[f.name] = values[i]
	}
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
		SchoolsPledged:               v("schools_pledged"),
		ImplementationRate:           implementationRate(v("resolutions.implemented"), v("implementation_rate.denominator")),
	}
}

// figuresQuery counts every figure of each year in one statement: $1 the
// years, $2 and $3 their first and last days (taahod.FiscalYearBounds),
// one row per year in that order: the year, then one array of counts per
// source (figureSources, each in figureDefs order). Sessions, revivals and
// pledges (a few hundred a year) are counted from the records; resolutions
// and cases from their yearly counts (migration 0016: kept by triggers in
// the same transaction as the records, so the statement's snapshot sees
// counts that are the records' counts), read with the same conditions as
// the rows: a figure's cond over r (status) or c (channel, outcome) holds
// for the counts' key columns of the same name. The distinct-unit figures
// are columns of registry_year_units_examined named after them. Each source
// is a scalar subquery rather than a lateral join: the statement is planned
// on every request, and subqueries leave the planner no join order to
// search (about half the planning time).
var figuresQuery, figuresWithCategoriesQuery = func() (string, string) {
	exprs := map[source][]string{}
	for _, f := range figureDefs {
		var e string
		switch f.source {
		case fromSessions:
			e = fmt.Sprintf("count(*) FILTER (WHERE %s)", f.cond)
		case fromResolutions:
			e = fmt.Sprintf("COALESCE(sum(r.n) FILTER (WHERE %s), 0)", f.cond)
		case fromExaminedUnits:
			e = "u." + f.name
		case fromCases:
			e = fmt.Sprintf("COALESCE(sum(c.n) FILTER (WHERE %s), 0)", f.cond)
		case fromRevivedUnits:
			e = fmt.Sprintf("count(DISTINCT v.unit_id) FILTER (WHERE %s)", f.cond)
		case fromSchools:
			// A cancelled pledge still counts: it was made in the year.
			e = "count(DISTINCT p.school_id)"
		}
		exprs[f.source] = append(exprs[f.source], e)
	}
	from := map[source]string{
		fromSessions:      "sessions s WHERE s.held_on BETWEEN y.first_day AND y.last_day",
		fromResolutions:   "registry_year_resolutions r WHERE r.year = y.year",
		fromExaminedUnits: "registry_year_units_examined u WHERE u.year = y.year",
		fromCases:         "registry_year_cases c WHERE c.year = y.year",
		fromRevivedUnits:  "revivals v WHERE v.revived_on BETWEEN y.first_day AND y.last_day",
		fromSchools:       "pledges p WHERE p.pledged_on BETWEEN y.first_day AND y.last_day",
	}
	cols := []string{"y.year"}
	for _, src := range figureSources {
		cols = append(cols, "(SELECT ARRAY["+strings.Join(exprs[src], ", ")+"]::bigint[] FROM "+from[src]+")")
	}
	years := `
	  FROM unnest($1::int[], $2::date[], $3::date[]) WITH ORDINALITY AS y(year, first_day, last_day, ord)
	 ORDER BY y.ord`
	plain := "SELECT " + strings.Join(cols, ",\n\t       ") + years
	// The first year's categories as "category status n,..." (neither
	// holds a space or a comma): one text value is cheaper to read than an
	// array, and the page shows the categories of its own year only.
	categories := `CASE WHEN y.ord = 1 THEN (SELECT string_agg(k.category || ' ' || k.status || ' ' || k.n, ',')
	          FROM registry_year_resolutions k WHERE k.year = y.year AND k.n > 0) END`
	withCategories := "SELECT " + strings.Join(append(cols, categories), ",\n\t       ") + years
	return plain, withCategories
}()

// figureSources are the sources in the order of figuresQuery's arrays.
var figureSources = []source{fromSessions, fromResolutions, fromExaminedUnits, fromCases, fromRevivedUnits, fromSchools}
