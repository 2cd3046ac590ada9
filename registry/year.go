package registry

import (
	"fmt"

	"github.com/taahod/taahod"
)

// YearBounds returns the first (1 Farvardin) and last (29 or 30 Esfand) days
// of a Solar Hijri fiscal year. It returns EINVALID naming the field "year"
// for a year outside the supported calendar.
func YearBounds(year int) (first, last taahod.Date, err error) {
	first, last = taahod.FiscalYearBounds(year)
	if !taahod.ValidFiscalYear(year) || first.IsZero() {
		return first, last, taahod.Invalid("year", "out_of_range",
			fmt.Sprintf("year %d is not a Solar Hijri year this service keeps (such as 1404)", year))
	}
	return first, last, nil
}
