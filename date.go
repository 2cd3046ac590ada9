package taahod

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"time"

	// Embed the zone database so that Today works on a host without
	// /usr/share/zoneinfo (a scratch container). Where the host has one,
	// time.LoadLocation prefers it, so keep the host's tzdata current.
	_ "time/tzdata"

	jalaali "github.com/jalaali/go-jalaali"
)

// Date is a civil calendar date: no time of day, no zone. The zero Date means
// "unset"; every other Date lies in the supported years 1900 to 2199 of the
// Gregorian calendar (Solar Hijri 1278 to 1578), which the parsers, Scan and
// the constructors enforce. The two ranges do not overlap, so a Gregorian
// date sent as Jalali ("2025/11/26") or the other way round ("1404-09-05")
// is refused instead of read as a day centuries away. Dates compare with == and order with Before,
// After and Compare.
//
// In JSON a Date is "YYYY-MM-DD" and the zero Date is null; tag optional
// fields `json:",omitzero"` to leave them out instead.
type Date struct {
	y int
	m time.Month
	d int
}

const (
	minDateYear = 1900
	maxDateYear = 2199
)

// NewDate returns the Gregorian date y-m-d. It returns an EINVALID *Error
// (field "", code invalid_date) when that day does not exist or lies outside
// the supported years.
func NewDate(y int, m time.Month, d int) (Date, error) {
	if !validGregorian(y, m, d) {
		return Date{}, Invalid("", "invalid_date", "is not a calendar date between the years 1900 and 2199")
	}
	return Date{y, m, d}, nil
}

// DateOf returns the calendar date of t as read in t's own location; convert
// t with In first to read it elsewhere. It panics when that date lies outside
// the supported years, which no clock or database timestamp reaches.
func DateOf(t time.Time) Date {
	d, ok := dateFromTime(t)
	if !ok {
		panic(fmt.Sprintf("taahod: DateOf(%s): outside the supported years", t))
	}
	return d
}

// Today returns the civil date in Tehran at the instant now: the date the
// province's offices see on their calendars.
func Today(now time.Time) Date {
	return DateOf(now.In(tehran))
}

// Tehran returns the Asia/Tehran location, loaded once: from the host's zone
// database, or from the copy embedded in the binary when the host has none.
func Tehran() *time.Location { return tehran }

var tehran = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tehran")
	if err != nil {
		// time/tzdata is linked in, so this cannot happen.
		panic("taahod: load Asia/Tehran: " + err.Error())
	}
	return loc
}()

// ParseDate reads a strict ISO date "YYYY-MM-DD" in ASCII digits that names
// a real day of the Gregorian calendar (2025-02-29 does not exist). On
// failure it returns an EINVALID *Error with one FieldError: Field "", code
// invalid_date.
func ParseDate(s string) (Date, error) {
	bad := func(msg string) (Date, error) {
		return Date{}, Invalid("", "invalid_date", msg)
	}
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return bad("must be a date as YYYY-MM-DD")
	}
	y, ok1 := atoiASCII(s[0:4])
	m, ok2 := atoiASCII(s[5:7])
	d, ok3 := atoiASCII(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return bad("must be a date as YYYY-MM-DD")
	}
	if !validGregorian(y, time.Month(m), d) {
		return bad("is not a calendar date between the years 1900 and 2199")
	}
	return Date{y, time.Month(m), d}, nil
}

// MustParseDate is ParseDate for constants and tests; it panics on a bad
// date.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(fmt.Sprintf("taahod: MustParseDate(%q): %v", s, err))
	}
	return d
}

// ParseJalali reads a Solar Hijri date "1404/09/05". It also accepts '-' as
// the separator ("1404-09-05", the same one twice) and a month or day of one
// digit ("1404/9/5"); the year has four digits. The digits may be ASCII,
// Persian (۱۴۰۴/۰۹/۰۵) or Arabic-Indic, as people type them (ASCIIDigits).
// The day must exist: 1403/12/30 does (1403 is a leap year), 1404/12/30 does
// not. On failure it returns an EINVALID *Error with one FieldError: Field
// "", code invalid_jalali_date.
func ParseJalali(s string) (Date, error) {
	bad := func() (Date, error) {
		return Date{}, Invalid("", "invalid_jalali_date", "must be a Solar Hijri date as YYYY/MM/DD, such as 1404/09/05")
	}
	s = ASCIIDigits(s)
	if len(s) < 8 || len(s) > 10 || (s[4] != '/' && s[4] != '-') {
		return bad()
	}
	sep := s[4]
	y, ok := atoiASCII(s[:4])
	if !ok {
		return bad()
	}
	rest := s[5:]
	i := 0
	for i < len(rest) && rest[i] != sep {
		i++
	}
	if i == len(rest) {
		return bad()
	}
	ms, ds := rest[:i], rest[i+1:]
	if len(ms) < 1 || len(ms) > 2 || len(ds) < 1 || len(ds) > 2 {
		return bad()
	}
	m, ok1 := atoiASCII(ms)
	d, ok2 := atoiASCII(ds)
	if !ok1 || !ok2 {
		return bad()
	}
	return FromJalali(y, m, d)
}

// FromJalali returns the date of the Solar Hijri day y/m/d. It returns an
// EINVALID *Error (field "", code invalid_jalali_date) when that day does not
// exist, such as 1404/12/30, or lies outside the supported years.
func FromJalali(y, m, d int) (Date, error) {
	bad := func() (Date, error) {
		return Date{}, Invalid("", "invalid_jalali_date", "is not a day of the Solar Hijri calendar")
	}
	// IsValidDate checks the year's range before the library computes with
	// it, and the month length with the leap-year rule.
	if !jalaali.IsValidDate(y, m, d) {
		return bad()
	}
	gy, gm, gd, err := jalaali.ToGregorian(y, jalaali.Month(m), d)
	if err != nil || !validGregorian(gy, gm, gd) {
		return bad()
	}
	return Date{gy, gm, gd}, nil
}

// The fiscal years this service keeps, the one range every check uses: wide
// enough for any record of the working group, and every day of them is a
// Date.
const (
	FirstFiscalYear = 1300
	LastFiscalYear  = 1500
)

// ValidFiscalYear reports whether year is a fiscal year this service keeps.
func ValidFiscalYear(year int) bool {
	return year >= FirstFiscalYear && year <= LastFiscalYear
}

// FiscalYearBounds returns the first (1 Farvardin) and last (29 or 30
// Esfand) days of the Solar Hijri fiscal year: a calendar fact, known for
// every year whose days are Dates (both are zero outside them). Whether a
// year given from outside is one the service keeps is ValidFiscalYear.
func FiscalYearBounds(year int) (first, last Date) {
	first, err := FromJalali(year, 1, 1)
	if err != nil {
		return Date{}, Date{}
	}
	n, err := jalaali.MonthLength(year, 12)
	if err != nil {
		return Date{}, Date{}
	}
	last, err = FromJalali(year, 12, n)
	if err != nil {
		return Date{}, Date{}
	}
	return first, last
}

// IsZero reports whether d is the zero Date, which means unset.
func (d Date) IsZero() bool { return d == Date{} }

// String returns the Gregorian ISO form "2025-11-26", and "" for the zero
// Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.y, int(d.m), d.d)
}

// Year returns the Gregorian year.
func (d Date) Year() int { return d.y }

// Month returns the Gregorian month.
func (d Date) Month() time.Month { return d.m }

// Day returns the Gregorian day of the month.
func (d Date) Day() int { return d.d }

// JalaliYMD returns the Solar Hijri year, month and day; all zero for the
// zero Date.
func (d Date) JalaliYMD() (y, m, day int) {
	if d.IsZero() {
		return 0, 0, 0
	}
	jy, jm, jd, err := jalaali.ToJalaali(d.y, d.m, d.d)
	if err != nil {
		// Every Date lies in the library's range.
		panic(fmt.Sprintf("taahod: Jalali of %s: %v", d, err))
	}
	return jy, int(jm), jd
}

// Jalali returns the Solar Hijri form "1404/09/05" in ASCII digits, and ""
// for the zero Date.
func (d Date) Jalali() string {
	if d.IsZero() {
		return ""
	}
	y, m, day := d.JalaliYMD()
	return fmt.Sprintf("%04d/%02d/%02d", y, m, day)
}

// JalaliTime is the *_jalali twin of an instant: its Solar Hijri date and
// time of day in Tehran, "1404/09/05 14:30:00" in ASCII digits; "" for the
// zero time. Every timestamp the API answers (*_at) has this twin beside it
// (*_at_jalali), as every date has Date.Jalali's.
func JalaliTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	local := t.In(tehran)
	return DateOf(local).Jalali() + " " + local.Format("15:04:05")
}

// JalaliTimePtr is JalaliTime for an optional instant: nil for nil or the
// zero time, so that a null *_at has a null twin.
func JalaliTimePtr(t *time.Time) *string {
	if t == nil || t.IsZero() {
		return nil
	}
	s := JalaliTime(*t)
	return &s
}

// FiscalYear returns the Solar Hijri year of d, which is the fiscal year an
// expenditure spent on d belongs to; 0 for the zero Date.
func (d Date) FiscalYear() int {
	y, _, _ := d.JalaliYMD()
	return y
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e; the zero
// Date sorts first.
func (d Date) Compare(e Date) int {
	switch {
	case d.y != e.y:
		return cmpInt(d.y, e.y)
	case d.m != e.m:
		return cmpInt(int(d.m), int(e.m))
	default:
		return cmpInt(d.d, e.d)
	}
}

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddDays returns the date n days after d (before, for negative n). It
// panics on the zero Date or when the result leaves the supported years:
// both are mistakes of the caller, not of its input.
func (d Date) AddDays(n int) Date {
	const span = (maxDateYear - minDateYear + 1) * 366
	if d.IsZero() || n > span || n < -span {
		panic(fmt.Sprintf("taahod: %q.AddDays(%d): outside the supported years", d, n))
	}
	return DateOf(time.Date(d.y, d.m, d.d+n, 0, 0, 0, 0, time.UTC))
}

// Time returns midnight UTC at the start of d; the zero time.Time for the
// zero Date.
func (d Date) Time() time.Time {
	if d.IsZero() {
		return time.Time{}
	}
	return time.Date(d.y, d.m, d.d, 0, 0, 0, 0, time.UTC)
}

// MarshalJSON writes "YYYY-MM-DD", or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads a JSON string "YYYY-MM-DD" as ParseDate does; null
// leaves the zero Date. Any other JSON is an EINVALID *Error with code
// invalid_date.
func (d *Date) UnmarshalJSON(b []byte) error {
	b = trimJSONSpace(b)
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if len(b) == 0 || b[0] != '"' || json.Unmarshal(b, &s) != nil {
		return Invalid("", "invalid_date", "must be a date as a string \"YYYY-MM-DD\"")
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value implements driver.Valuer: the text "YYYY-MM-DD", which PostgreSQL
// reads as a date whatever the session's time zone, or NULL for the zero
// Date. Where the statement does not fix the parameter's type (COALESCE,
// comparisons with another parameter), write $n::date.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	return d.String(), nil
}

// Scan implements sql.Scanner for DATE columns: lib/pq hands over a
// time.Time (its calendar date is taken as written, whatever its location),
// and text "YYYY-MM-DD" is read as ParseDate does. NULL scans to the zero
// Date.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case time.Time:
		x, ok := dateFromTime(v)
		if !ok {
			return fmt.Errorf("taahod: scan date %s: outside the supported years", v)
		}
		*d = x
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	default:
		return fmt.Errorf("taahod: scan date: cannot read %T", src)
	}
}

func (d *Date) scanText(s string) error {
	x, err := ParseDate(s)
	if err != nil {
		return fmt.Errorf("taahod: scan date %q: %w", s, err)
	}
	*d = x
	return nil
}

func dateFromTime(t time.Time) (Date, bool) {
	y, m, d := t.Date()
	if y < minDateYear || y > maxDateYear {
		return Date{}, false
	}
	return Date{y, m, d}, true
}

func validGregorian(y int, m time.Month, d int) bool {
	if y < minDateYear || y > maxDateYear || m < time.January || m > time.December || d < 1 {
		return false
	}
	// Day 0 of the next month is the last day of this one.
	return d <= time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// atoiASCII reads a non-empty run of ASCII digits of at most 9 bytes.
func atoiASCII(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
