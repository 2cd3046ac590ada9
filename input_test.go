package taahod

import "testing"

func TestProblemsDate(t *testing.T) {
	cases := []struct {
		iso, jalali string
		required    bool
		want        string
		problem     string // field: code
	}{
		{"2025-11-26", "", true, "2025-11-26", ""},
		{"", "1404/09/05", true, "2025-11-26", ""},
		{"2025-11-26", "1404/09/05", true, "2025-11-26", ""},
		{"2025-11-26", "1404/09/06", true, "", "on: date_mismatch"},
		{"", "", true, "", "on: required"},
		{"", "", false, "", ""},
		{"1404-09-05", "", false, "", "on: invalid_date"},
		{"", "1404/12/30", false, "", "on_jalali: invalid_jalali_date"},
		{"", "۱۴۰۴/۰۹/۰۵", false, "2025-11-26", ""}, // Persian digits, as people type them
		{"", "١٤٠٤/٠٩/٠٥", false, "2025-11-26", ""}, // Arabic-Indic digits
		{"", "۱۴۰۴/۱۲/۳۰", false, "", "on_jalali: invalid_jalali_date"},
	}
	for _, c := range cases {
		var p Problems
		got := p.Date("on", c.iso, c.jalali, c.required)
		problem := ""
		if len(p.Fields) > 0 {
			problem = p.Fields[0].Field + ": " + p.Fields[0].Code
		}
		if got.String() != c.want || problem != c.problem {
			t.Errorf("Date(%q, %q) = %q, %q; want %q, %q", c.iso, c.jalali, got, problem, c.want, c.problem)
		}
	}
}

// FuzzProblemsDate: the JSON date pair never panics, and what it accepts is what
// the strict parsers accept.
func FuzzProblemsDate(f *testing.F) {
	f.Add("2025-11-26", "")
	f.Add("", "1404/09/05")
	f.Add("2025-11-26", "1404/09/05")
	f.Add("2025-02-29", "1404/12/30")
	f.Fuzz(func(t *testing.T, iso, jalali string) {
		var p Problems
		d := p.Date("on", iso, jalali, true)
		if len(p.Fields) > 0 {
			return
		}
		if iso != "" {
			if want, err := ParseDate(iso); err != nil || want != d {
				t.Fatalf("accepted iso %q as %s", iso, d)
			}
		}
		if jalali != "" {
			if want, err := ParseJalali(jalali); err != nil || want != d {
				t.Fatalf("accepted jalali %q as %s", jalali, d)
			}
		}
	})
}
