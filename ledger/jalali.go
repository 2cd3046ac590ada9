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
