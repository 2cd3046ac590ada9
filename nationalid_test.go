package taahod

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// Independent statements of the two checksums, written the way published
// validators write them, to check the package's versions against.
func refNationalCodeValid(s string) bool {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(s[i]-'0') * (10 - i)
	}
	r, check := sum%11, int(s[9]-'0')
	return (r < 2 && check == r) || (r >= 2 && check == 11-r)
}

func refLegalIDValid(s string) bool {
	z := []int{29, 27, 23, 19, 17}
	d := int(s[9]-'0') + 2
	sum := 0
	for i := 0; i < 10; i++ {
		sum += (d + int(s[i]-'0')) * z[i%5]
	}
	sum %= 11
	if sum == 10 {
		sum = 0
	}
	return int(s[10]-'0') == sum
}

func TestValidateNationalID(t *testing.T) {
	valid := []struct{ id, kind string }{
		// Published examples.
		{"0076229645", NationalIDNaturalPerson},
		{"1583250689", NationalIDNaturalPerson},
		{"10380284790", NationalIDLegalEntity},
		// Check digits computed here; each covers a branch of the rule.
		{"0100000010", NationalIDNaturalPerson},                  // sum 9+2 = 11: r = 0 → 0
		{"1000000011", NationalIDNaturalPerson},                  // sum 10+2 = 12: r = 1 → 1
		{"0000000019", NationalIDNaturalPerson},                  // sum 2: r = 2 → 9
		{MakeNationalCode("123456789"), NationalIDNaturalPerson}, // r = 10 → 1
		{MakeLegalEntityID("1010038702"), NationalIDLegalEntity},
		{MakeLegalEntityID("1400765091"), NationalIDLegalEntity},
		{"10100000750", NationalIDLegalEntity}, // r = 10 → 0
	}
	for _, tc := range valid {
		if !refValid(tc.id) {
			t.Fatalf("test data: %s is not valid by the reference", tc.id)
		}
	}
	for _, tc := range valid {
		t.Run("ok/"+tc.id, func(t *testing.T) {
			kind, err := ValidateNationalID(tc.id)
			if err != nil || kind != tc.kind {
				t.Fatalf("ValidateNationalID(%s) = %q, %v; want %q", tc.id, kind, err, tc.kind)
			}
			// Every other last digit is a wrong check digit.
			for c := byte('0'); c <= '9'; c++ {
				if c == tc.id[len(tc.id)-1] {
					continue
				}
				other := tc.id[:len(tc.id)-1] + string(c)
				if kind, err := ValidateNationalID(other); err == nil {
					t.Errorf("ValidateNationalID(%s) = %q, want invalid", other, kind)
				} else if code := fieldCode(t, err); code != "invalid_national_id" {
					t.Errorf("ValidateNationalID(%s) code = %q", other, code)
				}
			}
		})
	}

	invalid := []struct{ name, in, code string }{
		{"empty", "", "required"},
		{"nine_digits", "007622964", "invalid_national_id"},
		{"twelve_digits", "103802847901", "invalid_national_id"},
		{"eight_digits_unpadded", "76229645", "invalid_national_id"},
		{"letters", "00762296a5", "invalid_national_id"},
		{"dashes", "007-622964-5", "invalid_national_id"},
		{"space", "0076229645 ", "invalid_national_id"},
		{"inner_space", "00762 29645", "invalid_national_id"},
		{"persian_digits", "۰۰۷۶۲۲۹۶۴۵", "invalid_national_id"},
		{"arabic_indic_digits", "٠٠٧٦٢٢٩٦٤٥", "invalid_national_id"},
		{"sign", "+076229645", "invalid_national_id"},
		{"wrong_check_national", "0076229646", "invalid_national_id"},
		{"wrong_check_legal", "10380284791", "invalid_national_id"},
		{"legal_zero_middle", MakeLegalEntityID("1230000001"), "invalid_national_id"},
		{"all_zero_legal", "00000000000", "invalid_national_id"},
	}
	for d := '0'; d <= '9'; d++ {
		same := strings.Repeat(string(d), 10)
		if !refNationalCodeValid(same) {
			t.Fatalf("%s should pass the bare checksum", same)
		}
		invalid = append(invalid, struct{ name, in, code string }{"all_" + string(d), same, "invalid_national_id"})
	}
	for _, tc := range invalid {
		t.Run("bad/"+tc.name, func(t *testing.T) {
			kind, err := ValidateNationalID(tc.in)
			if err == nil {
				t.Fatalf("ValidateNationalID(%q) = %q, want error", tc.in, kind)
			}
			if kind != "" {
				t.Errorf("kind %q with an error", kind)
			}
			if code := fieldCode(t, err); code != tc.code {
				t.Errorf("code = %q, want %q", code, tc.code)
			}
		})
	}
}

func refValid(s string) bool {
	switch len(s) {
	case 10:
		return refNationalCodeValid(s)
	case 11:
		return refLegalIDValid(s)
	}
	return false
}

// TestNationalIDAgainstReference compares ValidateNationalID with the
// reference checksums over random ids and every one-digit change of them.
func TestNationalIDAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 2000; n++ {
		length := 10 + n%2
		b := make([]byte, length)
		for i := range b {
			b[i] = byte('0' + rng.IntN(10))
		}
		base := string(b[:length-1])
		var made string
		if length == 10 {
			made = MakeNationalCode(base)
		} else {
			made = MakeLegalEntityID(base)
		}
		for i := 0; i < length; i++ {
			for c := byte('0'); c <= '9'; c++ {
				s := made[:i] + string(c) + made[i+1:]
				want := refValid(s)
				if length == 10 && strings.Count(s, s[:1]) == 10 {
					want = false
				}
				if length == 11 && s[3:9] == "000000" {
					want = false
				}
				kind, err := ValidateNationalID(s)
				if (err == nil) != want {
					t.Fatalf("ValidateNationalID(%s) = %q, %v; reference says valid = %v", s, kind, err, want)
				}
			}
		}
	}
}

func TestCheckDigitHelpers(t *testing.T) {
	if got := NationalCodeCheckDigit("007622964"); got != 5 {
		t.Errorf("NationalCodeCheckDigit(007622964) = %d, want 5", got)
	}
	if got := LegalIDCheckDigit("1038028479"); got != 0 {
		t.Errorf("LegalIDCheckDigit(1038028479) = %d, want 0", got)
	}
	for _, in := range []string{"", "12345678", "1234567890", "12345678a", "۱۲۳۴۵۶۷۸۹"} {
		t.Run(fmt.Sprintf("panics/%q", in), func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("NationalCodeCheckDigit did not panic")
				}
			}()
			NationalCodeCheckDigit(in)
		})
	}
	defer func() {
		if recover() == nil {
			t.Error("LegalIDCheckDigit did not panic")
		}
	}()
	LegalIDCheckDigit("123456789")
}

func FuzzValidateNationalID(f *testing.F) {
	for _, s := range []string{"0076229645", "1583250689", "10380284790", "", "0000000000", "۰۰۷۶۲۲۹۶۴۵", "1038028479", "103802847901", "00000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		kind, err := ValidateNationalID(s)
		if err != nil {
			if kind != "" {
				t.Fatalf("kind %q with error", kind)
			}
			if code := fieldCode(t, err); code != "invalid_national_id" && !(s == "" && code == "required") {
				t.Fatalf("code %q", code)
			}
			return
		}
		if (len(s) != 10 && len(s) != 11) || !allASCIIDigits(s) || !refValid(s) {
			t.Fatalf("ValidateNationalID(%q) accepted it as %q", s, kind)
		}
		if (len(s) == 10) != (kind == NationalIDNaturalPerson) || (len(s) == 11) != (kind == NationalIDLegalEntity) {
			t.Fatalf("ValidateNationalID(%q) kind = %q", s, kind)
		}
		var remade string
		if len(s) == 10 {
			remade = MakeNationalCode(s[:9])
		} else {
			remade = MakeLegalEntityID(s[:10])
		}
		if remade != s {
			t.Fatalf("Make* of %q's prefix gives %q", s, remade)
		}
	})
}
