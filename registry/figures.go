package registry

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"
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

	counts []int // every figure, in figureDefs order
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
func (f Figures) Count(name string) int {
	if i, ok := figureIndex[name]; ok && i < len(f.counts) {
		return f.counts[i]
	}
	return 0
}

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
//
// The figures counted are kept until the records move (figuresCache): a
// request then costs one read of the records' version.
func (s *Store) Figures(ctx context.Context, year int) (Figures, error) {
	version, err := s.figuresVersion(ctx)
	if err != nil {
		return Figures{}, err
	}
	if f, ok := s.cache.figures(version, year); ok {
		return f, nil
	}
	st, err := s.prepared(ctx, figuresQuery)
	if err != nil {
		return Figures{}, fmt.Errorf("count the figures of %d: %w", year, err)
	}
	figs, _, counted, err := yearFigures(ctx, st, []int{year}, false)
	if err != nil {
		return Figures{}, err
	}
	s.cache.putFigures(counted, figs[0])
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
	figs, _, _, err := yearFigures(ctx, queryWith{q, figuresQuery}, []int{year}, false)
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
// status. version is the records' version the statement saw (figuresCache).
func yearFigures(ctx context.Context, st figuresStatement, years []int, withCategories bool) (figs []Figures, categories []CategoryCount, version int64, err error) {
	args := make([]any, 0, 3*len(years)) // each year's number, first and last days
	for _, year := range years {
		first, last, err := YearBounds(year)
		if err != nil {
			return nil, nil, 0, err
		}
		args = append(args, year, first.String(), last.String())
	}
	rows, err := st.QueryxContext(ctx, args...)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("count the figures of %v: %w", years, err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			year   int
			counts sql.RawBytes // valid until the next row: read before it
			cats   sql.NullString
		)
		dest := []any{&year, &version, &counts}
		if withCategories {
			dest = append(dest, &cats)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, 0, fmt.Errorf("count the figures of %v: %w", years, err)
		}
		all, err := parseCounts(counts, len(figureDefs))
		if err != nil {
			return nil, nil, 0, fmt.Errorf("count the figures of %v: %w", years, err)
		}
		values := make([]int, len(figureDefs))
		for i, at := range figurePositions {
			values[i] = all[at]
		}
		figs = append(figs, makeFigures(year, values))
		if withCategories && len(figs) == 1 {
			if categories, err = parseCategoryCounts(cats.String); err != nil {
				return nil, nil, 0, fmt.Errorf("count the figures of %v: %w", years, err)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, 0, fmt.Errorf("count the figures of %v: %w", years, err)
	}
	if len(figs) != len(years) {
		return nil, nil, 0, fmt.Errorf("count the figures of %v: %d rows", years, len(figs))
	}
	return figs, categories, version, nil
}

// parseCounts reads the counts' column of figuresQuery, a bigint[] in
// PostgreSQL's text form ("{34,260,230}"), which must hold n counts, none
// of them NULL or negative. It reads the digits in place: the column is
// read on every request of the public home and of the JSON figures, and
// the reflection of a generic array scanner (pq.Array into
// []sql.NullInt64, one array per source) was a tenth of the page's CPU.
func parseCounts(text []byte, n int) ([]int, error) {
	inner, opened := bytes.CutPrefix(text, []byte("{"))
	inner, closed := bytes.CutSuffix(inner, []byte("}"))
	if !opened || !closed {
		return nil, fmt.Errorf("counts %q: not an array", text)
	}
	counts := make([]int, 0, n)
	for more := len(inner) > 0; more; {
		var c []byte
		c, inner, more = bytes.Cut(inner, []byte(","))
		v := 0
		for _, d := range c {
			if d < '0' || d > '9' || v > (math.MaxInt-int(d-'0'))/10 {
				return nil, fmt.Errorf("counts %q: %q is not a count", text, c)
			}
			v = v*10 + int(d-'0')
		}
		if len(c) == 0 {
			return nil, fmt.Errorf("counts %q: an empty count", text)
		}
		counts = append(counts, v)
	}
	if len(counts) != n {
		return nil, fmt.Errorf("counts %q: %d counts, want %d", text, len(counts), n)
	}
	return counts, nil
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
// in that order; the Figures keep values. The counts are a slice rather
// than a map by name: the public home reads two years' on every request.
func makeFigures(year int, values []int) Figures {
	v := func(name string) int { return values[figureIndex[name]] }
	return Figures{
		counts: values,
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

// figuresQuery counts every figure of one year in one statement, and
// figuresWithCategoriesQuery those of two years (the page's year and the
// year before) with the first year's resolutions by category: each year
// takes three parameters, its number and its first and last days
// (taahod.FiscalYearBounds), and gives one row, in that order: the year,
// the records' version (figuresCache), then one array of every count
// (figurePositions places them). Sessions
// and pledges (a few hundred a year) are counted from the records;
// resolutions, cases and revived units from their yearly counts
// (migrations 0016 and 0022: kept by triggers in the same transaction as
// the records, so the statement's snapshot sees counts that are the
// records' counts), read with the same conditions as the rows: a figure's
// cond over r (status) or c (channel, outcome) holds for the counts' key
// columns of the same name. The distinct-unit figures are columns named
// after them (registry_year_units_examined, registry_year_revivals). Each
// source is a scalar subquery rather than a lateral join: subqueries leave
// the planner no join order to search.
//
// The years are a VALUES list of scalar parameters, not arrays unnested:
// PostgreSQL then estimates the generic plan of the prepared statement at
// the rows it will have, as cheap as a plan made for the values, and after
// its first five runs on a connection keeps that plan instead of planning
// again on every run. Over unnested arrays (estimated at 100 rows) it
// chose a custom plan every time (pg_prepared_statements: custom_plans
// only), and planning cost about as much as running: 0.3-0.4 ms of each
// request, and the most variable part of it (BenchmarkPublicHome).
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
			e = "v." + f.name
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
		fromRevivedUnits:  "registry_year_revivals v WHERE v.year = y.year",
		fromSchools:       "pledges p WHERE p.pledged_on BETWEEN y.first_day AND y.last_day",
	}
	// One array of every count, the sources' in figureSources order: one
	// value to read per year. A source with no row (a year with no units
	// examined) counts zeros, so that every count keeps its place.
	var arrays []string
	for _, src := range figureSources {
		arrays = append(arrays, fmt.Sprintf("COALESCE((SELECT ARRAY[%s]::bigint[] FROM %s), array_fill(0::bigint, ARRAY[%d]))",
			strings.Join(exprs[src], ", "), from[src], len(exprs[src])))
	}
	cols := []string{"y.year", figuresVersionColumn, strings.Join(arrays, "\n\t         || ")}
	// years is the FROM clause of n years: ord numbers them from 1.
	years := func(n int) string {
		rows := make([]string, n)
		for i := range rows {
			rows[i] = fmt.Sprintf("(%d, $%d::int, $%d::date, $%d::date)", i+1, 3*i+1, 3*i+2, 3*i+3)
		}
		return `
	  FROM (VALUES ` + strings.Join(rows, ", ") + `) AS y(ord, year, first_day, last_day)
	 ORDER BY y.ord`
	}
	plain := "SELECT " + strings.Join(cols, ",\n\t       ") + years(1)
	// The first year's categories as "category status n,..." (neither
	// holds a space or a comma): one text value is cheaper to read than an
	// array, and the page shows the categories of its own year only.
	categories := `CASE WHEN y.ord = 1 THEN (SELECT string_agg(k.category || ' ' || k.status || ' ' || k.n, ',')
	          FROM registry_year_resolutions k WHERE k.year = y.year AND k.n > 0) END`
	withCategories := "SELECT " + strings.Join(append(cols, categories), ",\n\t       ") + years(2)
	return plain, withCategories
}()

// figureSources are the sources in the order of figuresQuery's array.
var figureSources = []source{fromSessions, fromResolutions, fromExaminedUnits, fromCases, fromRevivedUnits, fromSchools}

// figurePositions places each figure of figureDefs in figuresQuery's array
// of counts: the sources in figureSources order, each source's figures in
// figureDefs order.
var figurePositions = func() []int {
	at := make([]int, len(figureDefs))
	next := 0
	for _, src := range figureSources {
		for i, f := range figureDefs {
			if f.source == src {
				at[i] = next
				next++
			}
		}
	}
	return at
}()
