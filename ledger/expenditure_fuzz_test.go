package ledger

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

var fuzzToday = taahod.MustParseDate("2025-11-26")

// FuzzNewExpenditure feeds arbitrary bodies through the decoding and
// validation an expenditure submission goes through. Whatever the input, it
// must not panic; and what passes must be an exact positive amount of at
// most 2 decimals and 18 integer digits, a date not after today whose fiscal
// year is its Solar Hijri year, and the keys of the duplicate rule.
func FuzzNewExpenditure(f *testing.F) {
	for _, seed := range []string{
		`{"pledge_id":1,"amount":"1500.50","spent_on":"2025-10-01","invoice_no":"A-1","vendor_name":"v","category":"land"}`,
		`{"pledge_id":1,"amount":1234567890123.45,"spent_on_jalali":"1404/07/09","invoice_no":"A-1","vendor_name":"v","category":"other"}`,
		`{"pledge_id":1,"amount":"1e5","spent_on_jalali":"1404/12/30","invoice_no":"","vendor_name":"v","category":"other"}`,
		`{"pledge_id":1,"amount":"۱۵۰۰","spent_on":"2025-10-01","spent_on_jalali":"1404/7/9","invoice_no":"x","vendor_name":"v","category":"equipment","vendor_national_id":"10102345678"}`,
		`{"pledge_id":-1,"amount":null,"spent_on":"1403/12/30"}`,
		`{"amount":"999999999999999999.99","spent_on_jalali":"1403-12-30","invoice_no":"ي","vendor_name":"ك","category":"design_supervision","pledge_id":9}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in NewExpenditure
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if dec.Decode(&in) != nil {
			return
		}
		if err := in.Validate(fuzzToday); err != nil {
			var e *taahod.Error
			if !errors.As(err, &e) || e.Code != taahod.EINVALID || len(e.Fields) == 0 {
				t.Fatalf("validation error %v is not a field error", err)
			}
			return
		}
		if !in.amount.IsPositive() || in.amount.Exponent() < -2 || len(in.amount.Truncate(0).String()) > 18 {
			t.Fatalf("amount %s passed", in.amount)
		}
		if d, err := decimal.NewFromString(in.amount.String()); err != nil || !d.Equal(in.amount) {
			t.Fatalf("amount %s does not read back", in.amount)
		}
		if in.spentOn.IsZero() || in.spentOn.After(fuzzToday) {
			t.Fatalf("spent_on %s passed", in.spentOn)
		}
		if y, _, _ := in.spentOn.JalaliYMD(); in.spentOn.FiscalYear() != y {
			t.Fatalf("fiscal year %d of %s", in.spentOn.FiscalYear(), in.spentOn.Jalali())
		}
		if in.invoiceKey == "" || !strings.HasPrefix(in.vendorKey, "nid:") && !strings.HasPrefix(in.vendorKey, "name:") {
			t.Fatalf("keys %q %q", in.invoiceKey, in.vendorKey)
		}
	})
}

// FuzzSpentOnJalali feeds arbitrary text as spent_on_jalali. What is
// accepted names a real day: written back in the canonical form it reads as
// the same day, its Solar Hijri parts are the numbers that were written, and
// the Gregorian twin converts back to it.
func FuzzSpentOnJalali(f *testing.F) {
	for _, seed := range []string{"1404/09/05", "1403/12/30", "1404/12/30", "1404-9-5", "1404/13/01", "۱۴۰۴/۰۹/۰۵",
		"1278/01/01", "1578/12/29", "2025/11/26", "1404/09/05 ", "0000/00/00", "1404//05"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var p taahod.Problems
		d := spentOn(&p, nil, &s, taahod.MustParseDate("2199-12-31"))
		if len(p.Fields) > 0 {
			if !d.IsZero() || (p.Fields[0].Field != "spent_on_jalali" && p.Fields[0].Field != "spent_on") {
				t.Fatalf("refused %q with %v and date %s", s, p.Fields, d)
			}
			return
		}
		if d.IsZero() {
			if s != "" {
				t.Fatalf("%q accepted as no date", s)
			}
			return
		}
		back, err := taahod.ParseJalali(d.Jalali())
		if err != nil || back != d {
			t.Fatalf("%q → %s → %v, %v", s, d.Jalali(), back, err)
		}
		var y, m, day int
		if _, err := fmt.Sscanf(strings.ReplaceAll(taahod.ASCIIDigits(s), "-", "/"), "%d/%d/%d", &y, &m, &day); err != nil {
			t.Fatalf("%q accepted but not y/m/d: %v", s, err)
		}
		if jy, jm, jd := d.JalaliYMD(); jy != y || jm != m || jd != day {
			t.Fatalf("%q read as %d/%d/%d", s, jy, jm, jd)
		}
		if iso, err := taahod.ParseDate(d.String()); err != nil || iso != d {
			t.Fatalf("Gregorian twin %s does not read back: %v", d, err)
		}
	})
}
