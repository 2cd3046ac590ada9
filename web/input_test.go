package web

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

func TestParseAmountAsTyped(t *testing.T) {
	cases := []struct {
		in, want string // want "" with code: refused with that code
		code     string
	}{
		{"1250000000", "1250000000", ""},
		{"۱٬۲۵۰٬۰۰۰٬۰۰۰", "1250000000", ""},
		{"۱,۲۵۰,۰۰۰", "1250000", ""},
		{"1,250,000", "1250000", ""},
		{"١٬٢٥٠٬٠٠٠", "1250000", ""},
		{" 1250000 ", "1250000", ""},
		{"۱۲۵۰۰۰۰ ریال", "1250000", ""},
		{"1,250,000.5", "1250000.5", ""},
		{"۱٬۵۰۰٫۲۵", "1500.25", ""},
		{"999", "999", ""},
		{"12,50", "", "separators_not_allowed"},
		{"1,2500", "", "separators_not_allowed"},
		{",250", "", "separators_not_allowed"},
		{"1,,250", "", "separators_not_allowed"},
		{"1250,000,", "", "separators_not_allowed"},
		{"", "", "required"},
		{"abc", "", "not_a_number"},
		{"0", "", "not_positive"},
		{"1e5", "", "exponent_not_allowed"},
		{"1.234", "", "too_many_decimals"},
		{"-5", "", "not_positive"},
	}
	for _, c := range cases {
		got, err := ParseAmount(c.in)
		if c.code == "" {
			if err != nil || !got.Equal(decimal.RequireFromString(c.want)) {
				t.Errorf("ParseAmount(%q) = %s, %v; want %s", c.in, got, err, c.want)
			}
			continue
		}
		var e *taahod.Error
		if err == nil || !asError(err, &e) || len(e.Fields) != 1 || e.Fields[0].Code != c.code {
			t.Errorf("ParseAmount(%q) = %s, %v; want code %s", c.in, got, err, c.code)
		}
	}
	if d, err := ParseAmountAllowZero("۰"); err != nil || !d.IsZero() {
		t.Errorf("ParseAmountAllowZero(۰) = %s, %v", d, err)
	}
}

func TestParseDateAsTyped(t *testing.T) {
	want, _ := taahod.ParseJalali("1404/05/10")
	for _, in := range []string{"1404/05/10", "۱۴۰۴/۰۵/۱۰", "1404/5/10", "۱۴۰۴/۵/۱۰", "١٤٠٤/٠٥/١٠", "1404-05-10", " 1404 / 05 / 10 "} {
		got, err := ParseDate(in)
		if err != nil || got != want {
			t.Errorf("ParseDate(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "1404/13/01", "1404/12/30", "2025/08/01", "05/10/1404", "1404/05", "۱۴۰۴٫۰۵٫۱۰"} {
		if _, err := ParseDate(in); taahod.ErrorCode(err) != taahod.EINVALID {
			t.Errorf("ParseDate(%q) accepted: %v", in, err)
		}
	}
}

func TestText(t *testing.T) {
	cases := map[string]string{
		"  علي  ":         "علی",
		"كتاب":            "کتاب",
		"مصطفى":           "مصطفی",
		"می‌خواهم":        "می‌خواهم", // the half-space stays
		"Invoice INV-12 ": "Invoice INV-12",
	}
	for in, want := range cases {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParseAmount: whatever is typed, reading it never panics, and what it
// accepts is exactly the number its digits say, printed back by Number and
// read again to the same value.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1250000", "۱٬۲۵۰٬۰۰۰", "1,250,000.5", "12,50", "٫۵", "0.5", "۱۲۳۴۵۶۷۸۹۰۱۲۳۴۵۶۷۸٫۹۹", "1e5", ",", "٬٬"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseAmount(s)
		if err != nil {
			if taahod.ErrorCode(err) != taahod.EINVALID {
				t.Fatalf("ParseAmount(%q): %v is not a validation error", s, err)
			}
			return
		}
		if !d.IsPositive() {
			t.Fatalf("ParseAmount(%q) = %s, not positive", s, d)
		}
		// The accepted text, separators dropped, is the canonical amount.
		digits := strings.Map(func(r rune) rune {
			if r == ',' || r == '٬' {
				return -1
			}
			if r == '٫' {
				return '.'
			}
			return r
		}, strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(taahod.ASCIIDigits(s)), "ریال")))
		if want, err := taahod.ParseAmount(digits); err != nil || !want.Equal(d) {
			t.Fatalf("ParseAmount(%q) = %s, but its digits %q read %s, %v", s, d, digits, want, err)
		}
		again, err := ParseAmount(Number(d))
		if err != nil || !again.Equal(d) {
			t.Fatalf("Number(%s) = %q reads back as %s, %v", d, Number(d), again, err)
		}
		if !utf8.ValidString(Amount(d)) {
			t.Fatalf("Amount(%s) is not UTF-8", d)
		}
	})
}

func asError(err error, target **taahod.Error) bool {
	e, ok := err.(*taahod.Error)
	if ok {
		*target = e
	}
	return ok
}
