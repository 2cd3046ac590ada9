package taahod

import "fmt"

// The kinds of national identifier a unit may have.
const (
	// NationalIDLegalEntity is an 11-digit legal-entity national id
	// (شناسه ملی) of a company or institution.
	NationalIDLegalEntity = "legal_entity"
	// NationalIDNaturalPerson is a 10-digit national code (کد ملی) of a
	// person, used for a sole proprietor.
	NationalIDNaturalPerson = "natural_person"
)

// ValidateNationalID checks a unit's national_id and says which kind it is:
// 10 ASCII digits with the national-code check digit (NationalIDNaturalPerson)
// or 11 ASCII digits with the legal-entity check digit
// (NationalIDLegalEntity). It does not trim or convert: spaces, dashes and
// Persian digits are refused, as the UI converts them before the API.
//
// Beyond the check digit it refuses what is known never to be issued: a
// national code of ten equal digits (1111111111 passes the checksum), and a
// legal-entity id whose digits 4 to 9 are all zero.
//
// On failure it returns an EINVALID *Error with one FieldError whose Field is
// "": code required for "", invalid_national_id otherwise.
func ValidateNationalID(s string) (kind string, err error) {
	bad := func(msg string) (string, error) {
		return "", Invalid("", "invalid_national_id", msg)
	}
	if s == "" {
		return "", Invalid("", "required", "is required")
	}
	if !allASCIIDigits(s) {
		return bad("must contain only the digits 0-9")
	}
	switch len(s) {
	case 10:
		if allSameDigit(s) {
			return bad("is not a valid national code")
		}
		if int(s[9]-'0') != NationalCodeCheckDigit(s[:9]) {
			return bad("has a wrong check digit")
		}
		return NationalIDNaturalPerson, nil
	case 11:
		if s[3:9] == "000000" {
			return bad("is not a valid legal-entity national id")
		}
		if int(s[10]-'0') != LegalIDCheckDigit(s[:10]) {
			return bad("has a wrong check digit")
		}
		return NationalIDLegalEntity, nil
	default:
		return bad("must have 11 digits (legal entity) or 10 digits (national code)")
	}
}

// NationalCodeCheckDigit returns the check digit of a national code (کد ملی)
// whose first nine digits are first9: the digits weighted 10 down to 2 are
// summed, r is the sum modulo 11, and the check digit is r when r < 2, else
// 11 - r. It panics unless first9 is nine ASCII digits.
func NationalCodeCheckDigit(first9 string) int {
	if len(first9) != 9 || !allASCIIDigits(first9) {
		panic(fmt.Sprintf("taahod: NationalCodeCheckDigit(%q): want 9 ASCII digits", first9))
	}
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(first9[i]-'0') * (10 - i)
	}
	r := sum % 11
	if r >= 2 {
		return 11 - r
	}
	return r
}

// LegalIDCheckDigit returns the check digit of a legal-entity national id
// (شناسه ملی) whose first ten digits are first10: with c the tenth digit plus
// 2, each digit plus c is weighted 29, 27, 23, 19, 17, 29, 27, 23, 19, 17,
// the sum is taken modulo 11, and 10 becomes 0. It panics unless first10 is
// ten ASCII digits.
func LegalIDCheckDigit(first10 string) int {
	if len(first10) != 10 || !allASCIIDigits(first10) {
		panic(fmt.Sprintf("taahod: LegalIDCheckDigit(%q): want 10 ASCII digits", first10))
	}
	coef := [10]int{29, 27, 23, 19, 17, 29, 27, 23, 19, 17}
	c := int(first10[9]-'0') + 2
	sum := 0
	for i := 0; i < 10; i++ {
		sum += (int(first10[i]-'0') + c) * coef[i]
	}
	r := sum % 11
	if r == 10 {
		r = 0
	}
	return r
}

// MakeNationalCode appends the check digit to nine digits, for demo data and
// tests. ValidateNationalID still refuses ten equal digits. It panics unless
// prefix9 is nine ASCII digits.
func MakeNationalCode(prefix9 string) string {
	return prefix9 + string(rune('0'+NationalCodeCheckDigit(prefix9)))
}

// MakeLegalEntityID appends the check digit to ten digits, for demo data and
// tests. ValidateNationalID still refuses ids whose digits 4 to 9 are zero.
// It panics unless prefix10 is ten ASCII digits.
func MakeLegalEntityID(prefix10 string) string {
	return prefix10 + string(rune('0'+LegalIDCheckDigit(prefix10)))
}

func allSameDigit(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return true
}
