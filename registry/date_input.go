package registry

import (
	"strconv"
	"strings"
	"time"

	"github.com/taahod/taahod"
)

// notFuture records a problem when d is after today: the registry records
// what has happened.
func notFuture(p *taahod.Problems, field string, d, today taahod.Date) {
	if !d.IsZero() && d.After(today) {
		p.Add(field, "future_date", field+" ("+d.Jalali()+") is after today ("+today.Jalali()+")")
	}
}

// errDateCell is what a CSV date cell that cannot be read answers.
var errDateCell = taahod.Invalid("", "invalid_date",
	"must be a date: Solar Hijri as 1404/09/05 or Gregorian as 2025-11-26")

// ParseDateCell reads a date as spreadsheets write it: Solar Hijri
// ("1404/09/05", "1404-9-5") or Gregorian ("2025-11-26", "2025/11/26"),
// with ASCII, Persian or Arabic-Indic digits and space around it. The year's
// four digits tell the calendars apart (the supported Solar Hijri years end
// at 1578 and the Gregorian ones start at 1900). An empty cell is the zero
// Date. Any other text is an EINVALID *Error with code invalid_date.
func ParseDateCell(s string) (taahod.Date, error) {
	s = strings.TrimSpace(taahod.ASCIIDigits(s))
	if s == "" {
		return taahod.Date{}, nil
	}
	if len(s) < 8 || len(s) > 10 || (s[4] != '/' && s[4] != '-') {
		return taahod.Date{}, errDateCell
	}
	parts := strings.Split(s, s[4:5])
	if len(parts) != 3 || len(parts[1]) < 1 || len(parts[1]) > 2 || len(parts[2]) < 1 || len(parts[2]) > 2 {
		return taahod.Date{}, errDateCell
	}
	var n [3]int
	for i, part := range parts {
		for _, c := range part {
			if c < '0' || c > '9' {
				return taahod.Date{}, errDateCell
			}
		}
		n[i], _ = strconv.Atoi(part) // all digits, at most four
	}
	var (
		d   taahod.Date
		err error
	)
	if n[0] < 1700 {
		d, err = taahod.FromJalali(n[0], n[1], n[2])
	} else {
		d, err = taahod.NewDate(n[0], time.Month(n[1]), n[2])
	}
	if err != nil {
		return taahod.Date{}, errDateCell
	}
	return d, nil
}
