package ledger

import (
	"github.com/taahod/taahod"
)

// jalaliDate is the *_jalali twin of an optional date: nil for the zero Date.
func jalaliDate(d taahod.Date) *string {
	if d.IsZero() {
		return nil
	}
	s := d.Jalali()
	return &s
}

// jalaliDates converts dates to their Jalali form once each: a statement
// of a run that used 10,000 expenditures shows 10,000 dates, most of them
// repeated (a year has 366 days at most), and each conversion formats a
// string.
type jalaliDates map[taahod.Date]string

// of returns d.Jalali(), converting d the first time only.
func (j jalaliDates) of(d taahod.Date) string {
	s, ok := j[d]
	if !ok {
		s = d.Jalali()
		j[d] = s
	}
	return s
}
