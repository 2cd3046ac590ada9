package taahod

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text checks a text field of a request: it trims it, makes its line
// breaks LF (a browser sends a textarea's as CR LF), and records a problem
// when it is required and empty, is not UTF-8, holds control characters
// other than newline and tab, or has more than max characters.
func (p *Problems) Text(field string, s *string, required bool, max int) {
	*s = strings.TrimSpace(*s)
	if strings.Contains(*s, "\r\n") {
		*s = strings.ReplaceAll(*s, "\r\n", "\n")
	}
	switch {
	case *s == "" && required:
		p.Add(field, "required", field+" is required")
	case !utf8.ValidString(*s):
		p.Add(field, "invalid_text", field+" is not valid UTF-8")
	case strings.ContainsFunc(*s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		p.Add(field, "invalid_text", field+" has control characters")
	case utf8.RuneCountInString(*s) > max:
		p.Add(field, "too_long", fmt.Sprintf("%s is longer than %d characters", field, max))
	}
}

// OptionalText is Text for an optional field: absent stays absent, and
// blank becomes absent.
func (p *Problems) OptionalText(field string, s **string, max int) {
	if *s == nil {
		return
	}
	p.Text(field, *s, false, max)
	if **s == "" {
		*s = nil
	}
}

// Date reads a date that a request may give in either calendar: field as
// ISO "YYYY-MM-DD", field+"_jalali" as Solar Hijri "1404/09/05". Both may
// be given if they name the same day; "" is absent. It records a problem
// under the field at fault and returns the zero Date for a bad date, and for
// none (a problem too when the date is required). Dates come into requests
// as text so that a bad one is reported under its own field's name.
func (p *Problems) Date(field, iso, jalali string, required bool) Date {
	var fromISO, fromJalali Date
	var err error
	if iso != "" {
		if fromISO, err = ParseDate(iso); err != nil {
			p.AddErr(field, err)
			return Date{}
		}
	}
	if jalali != "" {
		if fromJalali, err = ParseJalali(jalali); err != nil {
			p.AddErr(field+"_jalali", err)
			return Date{}
		}
	}
	switch {
	case fromISO.IsZero() && fromJalali.IsZero():
		if required {
			p.Add(field, "required", field+" (or "+field+"_jalali) is required")
		}
		return Date{}
	case fromJalali.IsZero():
		return fromISO
	case fromISO.IsZero():
		return fromJalali
	case fromISO != fromJalali:
		p.Add(field, "date_mismatch", field+" and "+field+"_jalali name different days ("+
			fromISO.String()+" is "+fromISO.Jalali()+"); give one of them")
		return Date{}
	}
	return fromISO
}
