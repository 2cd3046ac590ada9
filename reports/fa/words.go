package fa

import (
	"fmt"
	"strings"
)

// MaxWordsDigits is the number of digits of the largest integer part Words
// can spell: up to 10^18 − 1.
const MaxWordsDigits = 18

// Words spells the non-negative decimal string s in Persian words, as the
// amount "in words" on a certificate: "1234567890" becomes «یک میلیارد و
// دویست و سی و چهار میلیون و پانصد و شصت و هفت هزار و هشتصد و نود».
//
// s is in the canonical form decimal.Decimal.String produces — digits,
// optionally '.' and more digits — with ASCII, Persian or Arabic-Indic
// digits. Words returns an error for a sign, an empty part, any other rune,
// an integer part of more than MaxWordsDigits significant digits, or a
// fraction of more than three digits.
//
// The forms follow Iranian official and banking usage (cheques):
//
//   - Every part is joined with « و »: «صد و یک», «یک میلیون و یک هزار».
//   - Hundreds stand alone: «صد», «صد و یک»; thousands and every larger
//     scale take an explicit «یک»: «یک هزار», «یک میلیون», so that no word
//     can be put in front of a bare «هزار» and the scales read alike.
//   - The scales are هزار (10^3), میلیون (10^6), میلیارد (10^9) and
//     تریلیون (10^12), as Iranian budgets and the press use them. Larger
//     amounts are counted in تریلیون: 10^15 is «یک هزار تریلیون». The names
//     بیلیارد and تریلیارد are avoided: they are rare in Iran and, on the
//     long scale they come from, تریلیارد means 10^21.
//   - 18 is «هجده», the spelling of the Academy of Persian Language.
//   - A fraction is read as a count of tenths, hundredths or thousandths,
//     joined to the integer part with « و »: "12.5" is «دوازده و پنج دهم»,
//     "1.50" is «یک و پنجاه صدم», "0.05" is «پنج صدم». Its digits are taken
//     as written, so "1.50" and "1.5" read differently; a fraction of zeros
//     only is not read ("7.00" is «هفت»). A zero integer part is not read
//     when a fraction follows.
//
// Words does not add a currency; a certificate writes «… ریال» after it.
func Words(s string) (string, error) {
	plain := ASCIIDigits(s)
	intPart, frac, hasFrac := strings.Cut(plain, ".")
	if !allDigits(intPart) || (hasFrac && !allDigits(frac)) {
		return "", fmt.Errorf("spell %q: not a non-negative decimal", s)
	}
	intPart = strings.TrimLeft(intPart, "0")
	if len(intPart) > MaxWordsDigits {
		return "", fmt.Errorf("spell %q: integer part over %d digits", s, MaxWordsDigits)
	}
	if len(frac) > len(fractionNames) {
		return "", fmt.Errorf("spell %q: fraction over %d digits", s, len(fractionNames))
	}
	if strings.Trim(frac, "0") == "" {
		frac = ""
	}
	var parts []string
	if intPart != "" || frac == "" {
		parts = append(parts, integerWords(intPart))
	}
	if frac != "" {
		parts = append(parts, integerWords(strings.TrimLeft(frac, "0"))+" "+fractionNames[len(frac)-1])
	}
	return strings.Join(parts, " و "), nil
}

// fractionNames are the denominators of one, two and three decimal places.
var fractionNames = [...]string{"دهم", "صدم", "هزارم"}

var (
	ones     = [...]string{"", "یک", "دو", "سه", "چهار", "پنج", "شش", "هفت", "هشت", "نه"}
	teens    = [...]string{"ده", "یازده", "دوازده", "سیزده", "چهارده", "پانزده", "شانزده", "هفده", "هجده", "نوزده"}
	tens     = [...]string{"", "", "بیست", "سی", "چهل", "پنجاه", "شصت", "هفتاد", "هشتاد", "نود"}
	hundreds = [...]string{"", "صد", "دویست", "سیصد", "چهارصد", "پانصد", "ششصد", "هفتصد", "هشتصد", "نهصد"}
	// scales name the groups of three digits from the right, up to 10^12;
	// larger numbers are counted in the last one.
	scales = [...]string{"", "هزار", "میلیون", "میلیارد", "تریلیون"}
)

// integerWords spells a string of ASCII digits without leading zeros; ""
// is zero.
func integerWords(digits string) string {
	if digits == "" {
		return "صفر"
	}
	top := len(scales) - 1
	// Digits above the largest scale form a count of it, spelled on its own:
	// 10^15 is a thousand trillions.
	if cut := len(digits) - 3*top; cut > 0 {
		high := integerWords(digits[:cut]) + " " + scales[top]
		low := strings.TrimLeft(digits[cut:], "0")
		if low == "" {
			return high
		}
		return high + " و " + integerWords(low)
	}
	var parts []string
	for len(digits) > 0 {
		n := len(digits) % 3
		if n == 0 {
			n = 3
		}
		group, scale := digits[:n], (len(digits)-1)/3
		digits = digits[n:]
		words := groupWords(group)
		if words == "" {
			continue
		}
		if scale > 0 {
			words += " " + scales[scale]
		}
		parts = append(parts, words)
	}
	return strings.Join(parts, " و ")
}

// groupWords spells one to three ASCII digits; "" for zero.
func groupWords(g string) string {
	n := 0
	for i := 0; i < len(g); i++ {
		n = n*10 + int(g[i]-'0')
	}
	var parts []string
	if h := n / 100; h > 0 {
		parts = append(parts, hundreds[h])
	}
	switch rem := n % 100; {
	case rem >= 20:
		parts = append(parts, tens[rem/10])
		if rem%10 > 0 {
			parts = append(parts, ones[rem%10])
		}
	case rem >= 10:
		parts = append(parts, teens[rem-10])
	case rem > 0:
		parts = append(parts, ones[rem])
	}
	return strings.Join(parts, " و ")
}
