package registry

import (
	"testing"

	"github.com/taahod/taahod"
)

func TestParseDateCell(t *testing.T) {
	d := func(s string) taahod.Date { return taahod.MustParseDate(s) }
	good := map[string]taahod.Date{
		"1404/09/05":  d("2025-11-26"),
		"1404-9-5":    d("2025-11-26"),
		"۱۴۰۴/۰۹/۰۵":  d("2025-11-26"),
		"١٤٠٤/٠٩/٠٥":  d("2025-11-26"),
		" 2025-11-26": d("2025-11-26"),
		"2025/11/26":  d("2025-11-26"),
		"1403/12/30":  d("2025-03-20"),
		"1404/01/01":  d("2025-03-21"),
		"":            {},
		"  ":          {},
	}
	for in, want := range good {
		if got, err := ParseDateCell(in); err != nil || got != want {
			t.Errorf("ParseDateCell(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"1404/12/30", "1404/13/01", "1404/00/10", "2025-02-29", "1404/09", "1404/09/05/01", "1404/09-05",
		"14040905", "1404.09.05", "05/09/1404", "1404/9/5x", "+404/09/05", "1404/099/5", "0000/01/01", "9999-01-01"} {
		if got, err := ParseDateCell(in); err == nil {
			t.Errorf("ParseDateCell(%q) = %v, want an error", in, got)
		} else if fieldsOf(err)[0].Code != "invalid_date" {
			t.Errorf("ParseDateCell(%q): %v", in, err)
		}
	}
}

// FuzzParseDateCell: no input panics, and a date read back from either of
// its forms is the same date.
func FuzzParseDateCell(f *testing.F) {
	for _, s := range []string{"1404/09/05", "2025-11-26", "۱۴۰۴/۰۹/۰۵", "1403/12/30", "1404-1-1", "", "1404/12/30", "2199-12-31", "1578/10/10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDateCell(s)
		if err != nil || d.IsZero() {
			return
		}
		for _, form := range []string{d.String(), d.Jalali()} {
			if back, err := ParseDateCell(form); err != nil || back != d {
				t.Fatalf("%q read as %s; %q reads as %s, %v", s, d, form, back, err)
			}
		}
	})
}
