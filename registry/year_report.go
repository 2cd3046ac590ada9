package registry

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// YearReport is everything the yearly report prints, read in one snapshot:
// the figures (with the implementation rate and its stated denominator), the
// year's resolutions by category and status, and the overdue list by
// agency.
type YearReport struct {
	Figures Figures
	// ByCategory has every category of Categories, in that order, even
	// those with no resolution; Title is its Persian name.
	ByCategory []CategoryCount
	// Overdue lists the year's resolutions past their deadline and still
	// open on Overdue.AsOf, by agency.
	Overdue OverdueList
}

// CategoryCount is the year's resolutions of one category by latest status.
type CategoryCount struct {
	Category string
	Title    string
	Statuses StatusCounts
}

// YearReport gathers the yearly report of year for v: a published report is
// drawn for Public(), which withholds the units of confidential resolutions
// in the overdue list. It returns EINVALID (field year) for a year outside
// the calendar.
func (s *Store) YearReport(ctx context.Context, v Viewer, year int) (YearReport, error) {
	var rep YearReport
	err := s.readSnapshot(ctx, func(tx *database.Tx) error {
		f, err := figures(ctx, tx, year)
		if err != nil {
			return err
		}
		byCategory, err := categoryCounts(ctx, tx, year)
		if err != nil {
			return err
		}
		od, err := overdue(ctx, tx, v, taahod.Today(tx.Now), year, 0)
		if err != nil {
			return err
		}
		rep = YearReport{Figures: f, ByCategory: byCategory, Overdue: od}
		return nil
	})
	return rep, err
}

// ResolutionsByCategory counts the year's resolutions of each category of
// Categories (in that order, those with none too) by latest status, as the
// yearly report does, without the rest of the report. It returns EINVALID
// (field year) for a year outside the calendar.
func (s *Store) ResolutionsByCategory(ctx context.Context, year int) ([]CategoryCount, error) {
	var out []CategoryCount
	err := s.readSnapshot(ctx, func(tx *database.Tx) error {
		var err error
		out, err = categoryCounts(ctx, tx, year)
		return err
	})
	return out, err
}

func categoryCounts(ctx context.Context, q sqlx.QueryerContext, year int) ([]CategoryCount, error) {
	if _, _, err := YearBounds(year); err != nil {
		return nil, err
	}
	var rows []struct {
		Category string `db:"category"`
		Status   string `db:"status"`
		N        int    `db:"n"`
	}
	// The yearly counts (migration 0016) hold the year's resolutions by
	// category and latest status, kept with the records.
	err := sqlx.SelectContext(ctx, q, &rows, `
		SELECT category, status, n FROM registry_year_resolutions WHERE year = $1 AND n > 0`, year)
	if err != nil {
		return nil, fmt.Errorf("count the resolutions of %d by category: %w", year, err)
	}
	byCategory := newCategoryCounts()
	for _, r := range rows {
		byCategory.add(r.Category, r.Status, r.N)
	}
	return byCategory, nil
}

// categoryList is every category of Categories, in that order, with its
// resolutions by status.
type categoryList []CategoryCount

// newCategoryCounts is every category of Categories with no resolution.
func newCategoryCounts() categoryList {
	byCategory := make(categoryList, len(Categories))
	for i, c := range Categories {
		byCategory[i] = CategoryCount{Category: c.Value, Title: c.Title}
	}
	return byCategory
}

// add counts n resolutions of category with status.
func (l categoryList) add(category, status string, n int) {
	for i := range l {
		if l[i].Category == category {
			l[i].Statuses.add(status, n)
		}
	}
}

func (c *StatusCounts) add(status string, n int) {
	c.Total += n
	switch status {
	case StatusImplemented:
		c.Implemented += n
	case StatusInFollowUp:
		c.InFollowUp += n
	case StatusNotImplemented:
		c.NotImplemented += n
	case StatusNotified:
		c.Notified += n
	case StatusCancelled:
		c.Cancelled += n
	}
}
