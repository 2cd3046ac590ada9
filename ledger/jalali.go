package ledger

import (
	"time"

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

// jalaliTime is the *_jalali twin of an instant: its Solar Hijri date and
// time of day in Tehran, "1404/09/05 14:30:00"; nil for nil.
func jalaliTime(t *time.Time) *string { return taahod.JalaliTimePtr(t) }
