package registry

import (
	"context"
	"fmt"
	"slices"
)

// TwoYears is a year's figures beside the year before's, with the year's
// resolutions by category and status: what the public home shows.
type TwoYears struct {
	Figures, Previous Figures
	ByCategory        []CategoryCount
}

// TwoYears reads the figures of year and of the year before (the
// computation GET /api/v1/public/registry answers with) and year's
// resolutions by category, in one statement and so in one snapshot: the
// page's numbers agree with each other. It returns EINVALID (field year)
// for a year, or a year before it, outside the calendar.
//
// They are kept until the records move, as Figures keeps its own.
func (s *Store) TwoYears(ctx context.Context, year int) (TwoYears, error) {
	version, err := s.figuresVersion(ctx)
	if err != nil {
		return TwoYears{}, err
	}
	if t, ok := s.cache.twoYearsAt(version, year); ok {
		return t, nil
	}
	st, err := s.prepared(ctx, figuresWithCategoriesQuery)
	if err != nil {
		return TwoYears{}, fmt.Errorf("count the figures of %d and %d: %w", year, year-1, err)
	}
	figs, categories, counted, err := yearFigures(ctx, st, []int{year, year - 1}, true)
	if err != nil {
		return TwoYears{}, err
	}
	t := TwoYears{Figures: figs[0], Previous: figs[1], ByCategory: categories}
	s.cache.putTwoYears(counted, t)
	return t, nil
}

// Equal reports whether t and o show the same figures. Figures are made
// from their year and their counts alone (makeFigures), so comparing those
// is comparing every field, at a fraction of reflect.DeepEqual's cost: the
// public home compares on every request.
func (t TwoYears) Equal(o TwoYears) bool {
	return t.Figures.same(o.Figures) && t.Previous.same(o.Previous) && slices.Equal(t.ByCategory, o.ByCategory)
}

// same reports whether f and o are the figures of the same year with the
// same counts.
func (f Figures) same(o Figures) bool {
	return f.Year == o.Year && slices.Equal(f.counts, o.counts)
}
