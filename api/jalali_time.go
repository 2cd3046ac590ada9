package api

import (
	"time"

	"github.com/taahod/taahod"
)

// tehranJalaliTime is the *_jalali twin of an instant in the answers this
// package builds itself: its Solar Hijri date and time of day in Tehran,
// "1404/09/05 14:30:00", as the domains write theirs.
func tehranJalaliTime(t time.Time) string {
	local := t.In(taahod.Tehran())
	return taahod.DateOf(local).Jalali() + " " + local.Format("15:04:05")
}
