package taahod

import (
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	jalaali "github.com/jalaali/go-jalaali"
)

var (
	_ sql.Scanner      = (*Date)(nil)
	_ driver.Valuer    = Date{}
	_ json.Marshaler   = Date{}
	_ json.Unmarshaler = (*Date)(nil)
	_ fmt.Stringer     = Date{}
)

func TestParseDate(t *testing.T) {
	valid := []string{"2025-11-26", "2024-02-29", "2000-02-29", "1900-01-01", "2199-12-31", "2025-12-31"}
	for _, s := range valid {
		d, err := ParseDate(s)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", s, err)
			continue
		}
		if d.String() != s {
			t.Errorf("ParseDate(%q).String() = %q", s, d.String())
		}
	}
	invalid := []struct{ name, in string }{
		{"empty", ""},
		{"feb_29_common_year", "2025-02-29"},
		{"feb_29_1900", "1900-02-29"},
		{"nov_31", "2025-11-31"},
		{"month_0", "2025-00-10"},
		{"month_13", "2025-13-01"},
		{"day_0", "2025-11-00"},
		{"one_digit_month", "2025-1-01"},
		{"slashes", "2025/11/26"},
		{"two_digit_year", "25-11-26"},
		{"trailing_space", "2025-11-26 "},
		{"leading_space", " 2025-11-26"},
		{"with_time", "2025-11-26T00:00:00Z"},
		{"letters", "2025-1a-01"},
		{"plus_year", "+025-11-26"},
		{"persian_digits", "۲۰۲۵-۱۱-۲۶"},
		{"fullwidth_digits", "２０２５-11-26"},
		{"before_range", "1899-12-31"},
		{"after_range", "2200-01-01"},
		{"jalali_with_dashes", "1404-09-05"},
		{"year_zero", "0000-01-01"},
		{"jalali", "1404/09/05"},
	}
	for _, tc := range invalid {
		t.Run(tc.name, func(t *testing.T) {
			d, err := ParseDate(tc.in)
			if err == nil {
				t.Fatalf("ParseDate(%q) = %s, want error", tc.in, d)
			}
			if code := fieldCode(t, err); code != "invalid_date" {
				t.Errorf("code = %q", code)
			}
		})
	}
}

func TestNewDate(t *testing.T) {
	d, err := NewDate(2025, time.November, 26)
	if err != nil || d != MustParseDate("2025-11-26") {
		t.Errorf("NewDate = %v, %v", d, err)
	}
	if d.Year() != 2025 || d.Month() != time.November || d.Day() != 26 {
		t.Errorf("fields = %d %v %d", d.Year(), d.Month(), d.Day())
	}
	if _, err := NewDate(2025, time.February, 29); fieldCode(t, err) != "invalid_date" {
		t.Errorf("NewDate(2025-02-29): %v", err)
	}
}

func TestParseJalali(t *testing.T) {
	valid := []struct{ in, greg, jalali string }{
		{"1404/09/05", "2025-11-26", "1404/09/05"},
		{"1404-09-05", "2025-11-26", "1404/09/05"},
		{"1404/9/5", "2025-11-26", "1404/09/05"},
		{"1404-9-05", "2025-11-26", "1404/09/05"},
		{"1403/12/30", "2025-03-20", "1403/12/30"},
		{"1404/01/01", "2025-03-21", "1404/01/01"},
		{"1404/12/29", "2026-03-20", "1404/12/29"},
		{"1403/01/01", "2024-03-20", "1403/01/01"},
		{"1404/06/31", "2025-09-22", "1404/06/31"},
		{"1399/12/30", "2021-03-20", "1399/12/30"},
		{"۱۴۰۴/۰۹/۰۵", "2025-11-26", "1404/09/05"},
		{"١٤٠٤/٠٩/٠٥", "2025-11-26", "1404/09/05"},
		{"۱۴۰۳/12/۳۰", "2025-03-20", "1403/12/30"},
	}
	for _, tc := range valid {
		t.Run("ok/"+tc.in, func(t *testing.T) {
			d, err := ParseJalali(tc.in)
			if err != nil {
				t.Fatalf("ParseJalali(%q): %v", tc.in, err)
			}
			if d.String() != tc.greg || d.Jalali() != tc.jalali {
				t.Errorf("ParseJalali(%q) = %s (%s), want %s (%s)", tc.in, d, d.Jalali(), tc.greg, tc.jalali)
			}
		})
	}
	invalid := []struct{ name, in string }{
		{"esfand_30_common_year", "1404/12/30"},
		{"esfand_31", "1403/12/31"},
		{"mehr_31", "1404/07/31"},
		{"month_13", "1404/13/01"},
		{"month_0", "1404/00/01"},
		{"day_0", "1404/01/00"},
		{"mixed_separators", "1404/09-05"},
		{"dots", "1404.09.05"},
		{"no_separators", "14040905"},
		{"three_digit_month", "1404/009/05"},
		{"three_digit_year", "140/09/05"},
		{"trailing_space", "1404/09/5 "},
		{"empty", ""},
		{"missing_day", "1404/09/"},
		{"missing_day_separator", "1404/0905"},
		{"sign", "1404/+9/05"},
		{"before_range", "0001/01/01"},
		{"gregorian", "2025-11-26"},
		{"gregorian_with_slashes", "2025/11/26"},
		{"after_range", "1579/01/01"},
		{"before_range", "1277/12/29"},
	}
	for _, tc := range invalid {
		t.Run("bad/"+tc.name, func(t *testing.T) {
			d, err := ParseJalali(tc.in)
			if err == nil {
				t.Fatalf("ParseJalali(%q) = %s, want error", tc.in, d)
			}
			if code := fieldCode(t, err); code != "invalid_jalali_date" {
				t.Errorf("code = %q", code)
			}
		})
	}
}

func TestFromJalali(t *testing.T) {
	for _, tc := range []struct{ y, m, d int }{
		{1404, 12, 30}, {1404, 0, 1}, {1404, 1, 32}, {-100, 1, 1}, {5000, 1, 1}, {5000, 12, 29}, {1 << 40, 12, 1},
	} {
		if d, err := FromJalali(tc.y, tc.m, tc.d); err == nil || fieldCode(t, err) != "invalid_jalali_date" {
			t.Errorf("FromJalali(%d, %d, %d) = %v, %v", tc.y, tc.m, tc.d, d, err)
		}
	}
}

func TestFiscalYearBounds(t *testing.T) {
	for _, tc := range []struct {
		year        int
		first, last string
	}{
		{1403, "2024-03-20", "2025-03-20"}, // leap: ends on 30 Esfand
		{1404, "2025-03-21", "2026-03-20"}, // common: ends on 29 Esfand
		{1399, "2020-03-20", "2021-03-20"},
		{1408, "2029-03-20", "2030-03-20"},
	} {
		first, last := FiscalYearBounds(tc.year)
		if first.String() != tc.first || last.String() != tc.last {
			t.Errorf("FiscalYearBounds(%d) = %s..%s, want %s..%s", tc.year, first, last, tc.first, tc.last)
		}
		if first.FiscalYear() != tc.year || last.FiscalYear() != tc.year ||
			first.AddDays(-1).FiscalYear() != tc.year-1 || last.AddDays(1).FiscalYear() != tc.year+1 {
			t.Errorf("FiscalYearBounds(%d): bounds are not where the year changes", tc.year)
		}
	}
	first, last := FiscalYearBounds(1404)
	if first.Jalali() != "1404/01/01" || last.Jalali() != "1404/12/29" {
		t.Errorf("1404 = %s..%s", first.Jalali(), last.Jalali())
	}
	if _, last := FiscalYearBounds(1403); last.Jalali() != "1403/12/30" {
		t.Errorf("1403 ends %s", last.Jalali())
	}
	for _, y := range []int{0, -1000, 5000, 1 << 40} {
		if f, l := FiscalYearBounds(y); !f.IsZero() || !l.IsZero() {
			t.Errorf("FiscalYearBounds(%d) = %s..%s, want zero", y, f, l)
		}
	}
}

// TestJalaliEveryDay walks every day of the Solar Hijri years 1399 to 1410,
// counting the calendar by hand (months of 31, 31, 31, 31, 31, 31, 30, ...,
// 30, and an Esfand of 30 days in the leap years 1399, 1403 and 1408), and
// checks each day's conversions both ways, against the library too.
func TestJalaliEveryDay(t *testing.T) {
	leap := map[int]bool{1399: true, 1403: true, 1408: true}
	monthLen := func(y, m int) int {
		switch {
		case m <= 6:
			return 31
		case m <= 11:
			return 30
		case leap[y]:
			return 30
		default:
			return 29
		}
	}
	d, _ := FiscalYearBounds(1399)
	if d.String() != "2020-03-20" {
		t.Fatalf("1399/01/01 = %s", d)
	}
	days := 0
	for y := 1399; y <= 1410; y++ {
		if isLeap, _ := jalaali.IsLeapYear(y); isLeap != leap[y] {
			t.Errorf("library says leap(%d) = %v", y, isLeap)
		}
		for m := 1; m <= 12; m++ {
			for day := 1; day <= monthLen(y, m); day++ {
				gy, gm, gd, err := jalaali.ToGregorian(y, jalaali.Month(m), day)
				if err != nil {
					t.Fatal(err)
				}
				if d.Year() != gy || d.Month() != gm || d.Day() != gd {
					t.Fatalf("%d/%d/%d: walked to %s, library says %04d-%02d-%02d", y, m, day, d, gy, gm, gd)
				}
				if jy, jm, jd := d.JalaliYMD(); jy != y || jm != m || jd != day {
					t.Fatalf("%s.JalaliYMD() = %d/%d/%d, want %d/%d/%d", d, jy, jm, jd, y, m, day)
				}
				if want := fmt.Sprintf("%04d/%02d/%02d", y, m, day); d.Jalali() != want {
					t.Fatalf("%s.Jalali() = %s, want %s", d, d.Jalali(), want)
				}
				if d.FiscalYear() != y {
					t.Fatalf("%s.FiscalYear() = %d", d, d.FiscalYear())
				}
				if back, err := FromJalali(y, m, day); err != nil || back != d {
					t.Fatalf("FromJalali(%d, %d, %d) = %s, %v; want %s", y, m, day, back, err, d)
				}
				if back, err := ParseJalali(d.Jalali()); err != nil || back != d {
					t.Fatalf("ParseJalali(%s) = %s, %v", d.Jalali(), back, err)
				}
				if back, err := ParseDate(d.String()); err != nil || back != d {
					t.Fatalf("ParseDate(%s) = %s, %v", d, back, err)
				}
				next := d.AddDays(1)
				if next.Time().Sub(d.Time()) != 24*time.Hour || !next.After(d) || !d.Before(next) {
					t.Fatalf("%s.AddDays(1) = %s is not the next day", d, next)
				}
				d = next
				days++
			}
			if _, err := FromJalali(y, m, monthLen(y, m)+1); err == nil {
				t.Fatalf("FromJalali(%d, %d, %d) should not exist", y, m, monthLen(y, m)+1)
			}
		}
	}
	if _, last := FiscalYearBounds(1410); d != last.AddDays(1) {
		t.Errorf("walk ended at %s, after 1410 ends at %s", d, last)
	}
	if want := int(MustParseDate("2032-03-20").Time().Sub(MustParseDate("2020-03-20").Time()) / (24 * time.Hour)); days != want {
		t.Errorf("walked %d days, want %d", days, want)
	}
}

func TestToday(t *testing.T) {
	for _, tc := range []struct{ utc, want string }{
		// Tehran is UTC+3:30 since Iran dropped summer time in 2022.
		{"2025-11-25T20:29:00Z", "2025-11-25"},
		{"2025-11-25T20:31:00Z", "2025-11-26"},
		{"2025-03-20T20:29:59Z", "2025-03-20"}, // 1403/12/30, the last day of 1403
		{"2025-03-20T20:30:00Z", "2025-03-21"}, // 1404/01/01
		{"2025-06-15T20:31:00Z", "2025-06-16"}, // no summer time any more
		// Summer time before 2022: UTC+4:30.
		{"2021-06-01T19:29:00Z", "2021-06-01"},
		{"2021-06-01T19:31:00Z", "2021-06-02"},
	} {
		now, err := time.Parse(time.RFC3339, tc.utc)
		if err != nil {
			t.Fatal(err)
		}
		if got := Today(now).String(); got != tc.want {
			t.Errorf("Today(%s) = %s, want %s", tc.utc, got, tc.want)
		}
		// The location of now does not matter, only the instant.
		if got := Today(now.In(time.FixedZone("X", -7*3600))).String(); got != tc.want {
			t.Errorf("Today(%s in UTC-7) = %s, want %s", tc.utc, got, tc.want)
		}
	}
	if d := Today(time.Date(2025, 3, 20, 20, 30, 0, 0, time.UTC)); d.FiscalYear() != 1404 {
		t.Errorf("fiscal year at Tehran midnight of Nowruz = %d", d.FiscalYear())
	}
	if Tehran().String() != "Asia/Tehran" {
		t.Errorf("Tehran() = %s", Tehran())
	}
}

func TestDateBasics(t *testing.T) {
	var zero Date
	if !zero.IsZero() || zero.String() != "" || zero.Jalali() != "" || zero.FiscalYear() != 0 || !zero.Time().IsZero() {
		t.Errorf("zero Date: %q %q %d %v", zero.String(), zero.Jalali(), zero.FiscalYear(), zero.Time())
	}
	a, b := MustParseDate("2025-11-26"), MustParseDate("2025-12-01")
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Error("ordering")
	}
	if a != MustParseDate("2025-11-26") {
		t.Error("== on equal dates")
	}
	if got := a.AddDays(5); got != b {
		t.Errorf("AddDays(5) = %s", got)
	}
	if got := b.AddDays(-5); got != a {
		t.Errorf("AddDays(-5) = %s", got)
	}
	if got := MustParseDate("2024-02-28").AddDays(1).String(); got != "2024-02-29" {
		t.Errorf("leap day: %s", got)
	}
	if got := a.AddDays(0); got != a {
		t.Errorf("AddDays(0) = %s", got)
	}
	if got := a.Time(); !got.Equal(time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC)) || got.Location() != time.UTC {
		t.Errorf("Time() = %v", got)
	}
	if got := fmt.Sprint(a); got != "2025-11-26" {
		t.Errorf("Sprint = %q", got)
	}
	if a.Jalali() != "1404/09/05" {
		t.Errorf("Jalali = %s", a.Jalali())
	}
	for name, f := range map[string]func(){
		"zero":      func() { zero.AddDays(1) },
		"too_far":   func() { a.AddDays(1 << 40) },
		"past_2199": func() { MustParseDate("2199-12-31").AddDays(1) },
		"DateOf":    func() { DateOf(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)) },
		"MustParse": func() { MustParseDate("2025-02-29") },
	} {
		t.Run("panics/"+name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

func TestDateJSON(t *testing.T) {
	type doc struct {
		SpentOn  Date `json:"spent_on"`
		Optional Date `json:"optional,omitzero"`
		Null     Date `json:"null"`
	}
	b, err := json.Marshal(doc{SpentOn: MustParseDate("2025-11-26")})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"spent_on":"2025-11-26","null":null}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var back doc
	if err := json.Unmarshal([]byte(`{"spent_on":"2025-11-26","optional":"2024-02-29","null":null}`), &back); err != nil {
		t.Fatal(err)
	}
	if back.SpentOn != MustParseDate("2025-11-26") || back.Optional != MustParseDate("2024-02-29") || !back.Null.IsZero() {
		t.Errorf("Unmarshal = %+v", back)
	}

	for _, raw := range []string{
		`"2025-02-29"`, `"2025-11-26T00:00:00Z"`, `""`, `20251126`, `"1404/09/05"`, `true`, `{}`, `[]`, `" 2025-11-26"`,
	} {
		var d Date
		err := json.Unmarshal([]byte(raw), &d)
		if err == nil {
			t.Errorf("Unmarshal(%s) = %s, want error", raw, d)
			continue
		}
		if code := fieldCode(t, err); code != "invalid_date" {
			t.Errorf("Unmarshal(%s) code = %q", raw, code)
		}
	}

	// Inside a struct the decoder hands back the same *Error, which the api
	// can file under the field's name.
	var req struct {
		SpentOn Date `json:"spent_on"`
	}
	err = json.Unmarshal([]byte(`{"spent_on":"1404/12/30"}`), &req)
	if code := fieldCode(t, err); code != "invalid_date" {
		t.Errorf("struct field: %v", err)
	}

	d := MustParseDate("2025-11-26")
	if err := d.UnmarshalJSON([]byte("null")); err != nil || !d.IsZero() {
		t.Errorf("UnmarshalJSON(null) = %s, %v", d, err)
	}
}

func TestDateSQL(t *testing.T) {
	want := MustParseDate("2025-11-26")
	v, err := want.Value()
	if err != nil || v != "2025-11-26" {
		t.Errorf("Value = %#v, %v", v, err)
	}
	if v, err := (Date{}).Value(); err != nil || v != nil {
		t.Errorf("zero Value = %#v, %v", v, err)
	}
	tehranMidnight := time.Date(2025, 11, 26, 0, 0, 0, 0, Tehran())
	for _, src := range []any{
		time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC),              // lib/pq, DATE column
		time.Date(2025, 11, 26, 0, 0, 0, 0, time.FixedZone("", 0)), // lib/pq's own zone
		tehranMidnight, // read as written, not converted
		"2025-11-26",
		[]byte("2025-11-26"),
		v,
	} {
		var d Date
		if err := d.Scan(src); err != nil || d != want {
			t.Errorf("Scan(%#v) = %s, %v", src, d, err)
		}
	}
	d := want
	if err := d.Scan(nil); err != nil || !d.IsZero() {
		t.Errorf("Scan(nil) = %s, %v", d, err)
	}
	for _, src := range []any{
		int64(20251126), "2025-02-29", []byte("infinity"), 1.5, time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		var d Date
		if err := d.Scan(src); err == nil {
			t.Errorf("Scan(%#v) = %s, want error", src, d)
		}
	}
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2025-11-26", "2025-02-29", "2024-02-29", "0000-00-00", "9999-99-99", "2025-1-1", "", "۲۰۲۵-۱۱-۲۶"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			if code := fieldCode(t, err); code != "invalid_date" {
				t.Fatalf("code %q", code)
			}
			if !d.IsZero() {
				t.Fatalf("error with non-zero date %s", d)
			}
		}
		// The standard library is the oracle for the Gregorian calendar.
		tm, terr := time.Parse(time.DateOnly, s)
		want := terr == nil && tm.Format(time.DateOnly) == s && tm.Year() >= 1900 && tm.Year() <= 2199
		if (err == nil) != want {
			t.Fatalf("ParseDate(%q) err = %v; time.Parse says %v", s, err, terr)
		}
		if err != nil {
			return
		}
		if d.String() != s || !d.Time().Equal(tm) {
			t.Fatalf("ParseDate(%q) = %s", s, d)
		}
		j, err := ParseJalali(d.Jalali())
		if err != nil || j != d {
			t.Fatalf("ParseJalali(%s) = %s, %v; want %s", d.Jalali(), j, err, d)
		}
		b, _ := json.Marshal(d)
		var back Date
		if err := json.Unmarshal(b, &back); err != nil || back != d {
			t.Fatalf("JSON round trip of %s: %s, %v", d, back, err)
		}
	})
}

func FuzzParseJalali(f *testing.F) {
	for _, s := range []string{"1404/09/05", "1404-09-05", "1404/9/5", "1403/12/30", "1404/12/30", "0000/00/00", "3177/12/30", "1404/09-05", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseJalali(s)
		if err != nil {
			if code := fieldCode(t, err); code != "invalid_jalali_date" {
				t.Fatalf("code %q", code)
			}
			return
		}
		y, m, day := d.JalaliYMD()
		if !jalaali.IsValidDate(y, m, day) {
			t.Fatalf("ParseJalali(%q) = %d/%d/%d, which the library refuses", s, y, m, day)
		}
		canonical := fmt.Sprintf("%04d/%02d/%02d", y, m, day)
		if d.Jalali() != canonical {
			t.Fatalf("Jalali() = %s, want %s", d.Jalali(), canonical)
		}
		// The input must name the same day as the canonical form.
		var sy, sm, sd int
		var sep1, sep2 byte
		if n, _ := fmt.Sscanf(ASCIIDigits(s), "%4d%c%d%c%d", &sy, &sep1, &sm, &sep2, &sd); n != 5 || sy != y || sm != m || sd != day || sep1 != sep2 {
			t.Fatalf("ParseJalali(%q) = %s, which is not what it says", s, canonical)
		}
		back, err := ParseDate(d.String())
		if err != nil || back != d {
			t.Fatalf("ParseDate(%s) = %s, %v", d, back, err)
		}
		if again, err := ParseJalali(canonical); err != nil || again != d {
			t.Fatalf("ParseJalali(%s) = %s, %v", canonical, again, err)
		}
	})
}

func TestJalaliTime(t *testing.T) {
	at := time.Date(2025, 11, 26, 11, 0, 5, 0, time.UTC) // 14:30:05 in Tehran
	if got := JalaliTime(at); got != "1404/09/05 14:30:05" {
		t.Errorf("JalaliTime = %q", got)
	}
	// Just before midnight UTC is the next day in Tehran.
	if got := JalaliTime(time.Date(2025, 11, 25, 21, 0, 0, 0, time.UTC)); got != "1404/09/05 00:30:00" {
		t.Errorf("JalaliTime across midnight = %q", got)
	}
	if JalaliTime(time.Time{}) != "" || JalaliTimePtr(nil) != nil || JalaliTimePtr(&time.Time{}) != nil {
		t.Error("zero time has a twin")
	}
	if p := JalaliTimePtr(&at); p == nil || *p != "1404/09/05 14:30:05" {
		t.Errorf("JalaliTimePtr = %v", p)
	}
}
