package web

import (
	"strings"
	"unicode"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// Form input is read the way people in Iran type it, then handed to the
// domain's strict parsers in the canonical text they take: the JSON API
// keeps its strict rules, and the pages forgive what a keyboard does.

// AmountText turns an amount as typed ("۱٬۲۵۰٬۰۰۰", "1,250,000",
// "١٢٥٠٠٠٠٫٥") into the ASCII text taahod.ParseAmount reads ("1250000",
// "1250000.5"). Persian and Arabic-Indic digits become ASCII; «٬» and ','
// separate thousands and are dropped, but only where they group three
// digits, so that a slip such as "12,50" is not read as 1250; «٫» is the
// decimal point; spaces around it are ignored. Text it cannot make sense of
// is passed on as it is, for the parser to name what is wrong.
func AmountText(s string) string {
	s = strings.TrimSpace(taahod.ASCIIDigits(s))
	s = strings.TrimSpace(strings.TrimSuffix(s, "ریال"))
	s = strings.ReplaceAll(s, "٫", ".")
	if !strings.ContainsAny(s, ",٬") {
		return s
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	groups := strings.FieldsFunc(whole, func(r rune) bool { return r == ',' || r == '٬' })
	if len(groups) == 0 || strings.Count(whole, ",")+strings.Count(whole, "٬") != len(groups)-1 {
		return s
	}
	for i, g := range groups {
		if (i == 0 && (len(g) < 1 || len(g) > 3)) || (i > 0 && len(g) != 3) {
			return s
		}
	}
	out := strings.Join(groups, "")
	if hasFrac {
		out += "." + frac
	}
	return out
}

// ParseAmount reads a strictly positive amount as typed (see AmountText).
// Its errors are taahod.ParseAmount's, with Field "".
func ParseAmount(s string) (decimal.Decimal, error) {
	return taahod.ParseAmount(AmountText(s))
}

// ParseAmountAllowZero reads an amount that may be zero, as typed.
func ParseAmountAllowZero(s string) (decimal.Decimal, error) {
	return taahod.ParseAmountAllowZero(AmountText(s))
}

// ParseDate reads a Solar Hijri date as typed: «۱۴۰۴/۰۵/۱۰», "1404/5/10",
// Arabic-Indic digits, '-' or '/' between the parts, spaces around. Its
// errors are taahod.ParseJalali's (invalid_jalali_date), with Field "".
func ParseDate(s string) (taahod.Date, error) {
	s = strings.TrimSpace(taahod.ASCIIDigits(s))
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
	return taahod.ParseJalali(s)
}

// Text reads a text field: Arabic ي, ى and ك become Persian ی and ک, and
// surrounding space goes. Inner half-spaces (ZWNJ) stay, as Persian needs
// them.
func Text(s string) string {
	return strings.TrimSpace(arabicLetters.Replace(s))
}

var arabicLetters = strings.NewReplacer("ي", "ی", "ى", "ی", "ك", "ک")
