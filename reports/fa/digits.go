package fa

import (
	"strings"

	"github.com/taahod/taahod"
)

const (
	thousandsSep = '\u066C' // ٬ Arabic thousands separator
	decimalSep   = '\u066B' // ٫ Arabic decimal separator
)

// Digits replaces the ASCII digits 0–9 in s by the Persian digits ۰–۹ and
// leaves every other rune as it is.
func Digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '۰'
		}
		return r
	}, s)
}

// ASCIIDigits replaces the Persian digits ۰–۹ and the Arabic-Indic digits
// ٠–٩ in s by the ASCII digits 0–9 and leaves every other rune as it is; it
// is the shared vocabulary's taahod.ASCIIDigits.
func ASCIIDigits(s string) string { return taahod.ASCIIDigits(s) }

// GroupAmount formats the decimal string s for display: Persian digits, the
// integer part grouped by thousands with the Arabic thousands separator ٬
// (U+066C), and the fraction, if any, after the Arabic decimal separator ٫
// (U+066B), so "1234567890.5" becomes "۱٬۲۳۴٬۵۶۷٬۸۹۰٫۵". The fraction is
// written as given, not rounded or trimmed.
//
// s is expected in the canonical form decimal.Decimal.String produces: an
// optional '-', digits, and optionally '.' and more digits; ASCII, Persian
// and Arabic-Indic digits are all accepted. A negative amount keeps its
// ASCII hyphen-minus in front, which Visual places at the reading start
// (the right) of the number. Input of any other form is returned with its
// digits made Persian but not grouped, so that a caller's mistake shows on
// the page rather than vanishing.
func GroupAmount(s string) string {
	plain := ASCIIDigits(s)
	sign, rest := "", plain
	if strings.HasPrefix(rest, "-") {
		sign, rest = "-", rest[1:]
	}
	intPart, frac, hasFrac := strings.Cut(rest, ".")
	if !allDigits(intPart) || (hasFrac && !allDigits(frac)) {
		return Digits(plain)
	}
	var b strings.Builder
	b.WriteString(sign)
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteRune(thousandsSep)
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteRune(decimalSep)
		b.WriteString(frac)
	}
	return Digits(b.String())
}

// allDigits reports whether s is a non-empty string of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
