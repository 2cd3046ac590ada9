package taahod

import (
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// Amounts are Iranian Rials held in decimal.Decimal; the parsers here are the
// only way text from outside becomes one. They check the text themselves
// before decimal.NewFromString sees it, because NewFromString accepts forms
// the contract refuses (exponents, a Unicode minus sign, "1.", ".5").
//
// The accepted grammar is
//
//	amount = "0" | nonzero-digit *17DIGIT ; then optionally "." 1*2DIGIT
//
// with ASCII digits only: at most 18 integer digits, at most 2 fractional
// digits, no sign, no exponent, no separators, no whitespace. Leading zeros
// are refused ("007" is not_a_number) because no client writes them on
// purpose and a zero-padded field is more likely a mistake; "0.5" is fine.
// A leading '-' is recognised so that "-5" is reported as not_positive
// (negative for the AllowZero variants) rather than as not a number.

// MaxAmountIntegerDigits is the most integer digits an amount may have.
const MaxAmountIntegerDigits = 18

// MaxAmountDecimals is the most fractional digits an amount may have.
const MaxAmountDecimals = 2

// ParseAmount reads a strictly positive amount given as text. On failure it
// returns an EINVALID *Error with one FieldError whose Field is "" (rename it
// with Problems.AddErr) and whose Code says why: required, not_a_number,
// exponent_not_allowed, too_many_decimals, too_large, not_positive,
// separators_not_allowed or non_ascii_digits.
func ParseAmount(text string) (decimal.Decimal, error) {
	return parseAmount(text, false)
}

// ParseAmountAllowZero is ParseAmount for inputs that may be zero, such as a
// tax due of nothing. A negative amount is refused with the code negative.
func ParseAmountAllowZero(text string) (decimal.Decimal, error) {
	return parseAmount(text, true)
}

// ParseAmountJSON reads a strictly positive amount from the raw JSON of one
// field. A JSON string is read as ParseAmount reads its content; a JSON
// number is read from its literal text exactly as written, never through a
// float, so 1234567890123.45 stays exact and 1e5 is exponent_not_allowed.
// An empty raw message (the field was absent) or null is required; true,
// false, objects and arrays are not_a_number.
func ParseAmountJSON(raw json.RawMessage) (decimal.Decimal, error) {
	return parseAmountJSON(raw, false)
}

// ParseAmountJSONAllowZero is ParseAmountJSON for inputs that may be zero.
func ParseAmountJSONAllowZero(raw json.RawMessage) (decimal.Decimal, error) {
	return parseAmountJSON(raw, true)
}

// FormatAmount writes d in the contract's canonical form: no exponent, no
// separators, no trailing fractional zeros and no trailing '.', "0" for
// zero, a leading '-' for a negative balance ("1500", "1500.5", "-20").
//
// decimal.Decimal's own String, MarshalJSON (a JSON string) and Value give
// the same text, including for values scanned from a NUMERIC column such as
// "1500.00" and for values with a positive exponent, as long as the package
// globals decimal.TrimTrailingZeros (true), decimal.UseScientificNotation
// (false) and decimal.MarshalJSONWithoutQuotes (false) keep their defaults.
// So a plain decimal.Decimal field in a response struct is already canonical;
// nothing in Taahod may change those globals. FormatAmount itself does not
// depend on them.
func FormatAmount(d decimal.Decimal) string {
	places := int32(0)
	if e := d.Exponent(); e < 0 {
		places = -e
	}
	// StringFixed never uses the globals; with places = -exponent it does
	// not round either.
	s := d.StringFixed(places)
	if strings.IndexByte(s, '.') >= 0 {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

func parseAmountJSON(raw json.RawMessage, allowZero bool) (decimal.Decimal, error) {
	b := trimJSONSpace(raw)
	if len(b) == 0 || string(b) == "null" {
		return decimal.Decimal{}, amountError("required", "is required")
	}
	switch c := b[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return decimal.Decimal{}, amountError("not_a_number", "must be an amount such as \"1500\" or \"1500.50\"")
		}
		return parseAmount(s, allowZero)
	case c == '-' || ('0' <= c && c <= '9'):
		return parseAmount(string(b), allowZero)
	default:
		return decimal.Decimal{}, amountError("not_a_number", "must be an amount given as a string such as \"1500.50\"")
	}
}

func trimJSONSpace(b []byte) []byte {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

func parseAmount(s string, allowZero bool) (decimal.Decimal, error) {
	if code, msg := checkAmountText(s, allowZero); code != "" {
		return decimal.Decimal{}, amountError(code, msg)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		// checkAmountText admits only what NewFromString reads; keep a
		// safe answer should the two ever disagree.
		return decimal.Decimal{}, amountError("not_a_number", "must be an amount such as \"1500\" or \"1500.50\"")
	}
	if d.IsZero() && !allowZero {
		return decimal.Decimal{}, amountError("not_positive", "must be greater than zero")
	}
	return d, nil
}

func amountError(code, message string) *Error {
	return Invalid("", code, message)
}

// checkAmountText returns the code and message of the first rule s breaks,
// or "" when s is a well-formed unsigned amount. The rules are tried in an
// order that names the most useful fix first: foreign digits and separators
// (which a UI should have converted) before the finer points of format.
func checkAmountText(s string, allowZero bool) (code, message string) {
	const format = "must be an amount such as \"1500\" or \"1500.50\""
	if s == "" {
		return "required", "is required"
	}
	if !utf8.ValidString(s) {
		return "not_a_number", format
	}
	var nonASCIIDigit, separator, space bool
	prev := rune(-1)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r > unicode.MaxASCII && unicode.IsDigit(r):
			nonASCIIDigit = true
		case r == ',' || r == '\u066C' || r == '_' || r == '\'':
			separator = true
		case unicode.IsSpace(r):
			// A run of spaces between two digits is a thousands separator
			// ("1 500"); anywhere else it is stray whitespace. Skip the
			// run in one step so that long runs cost linear time.
			rest := strings.TrimLeftFunc(s[i:], unicode.IsSpace)
			i = len(s) - len(rest)
			next, _ := utf8.DecodeRuneInString(rest)
			if isASCIIDigit(prev) && isASCIIDigit(next) {
				separator = true
			} else {
				space = true
			}
			continue
		}
		prev = r
	}
	switch {
	case nonASCIIDigit:
		return "non_ascii_digits", "must use the ASCII digits 0-9"
	case separator:
		return "separators_not_allowed", "must not contain thousands separators; write 1500000, not 1,500,000"
	case space:
		return "not_a_number", "must not contain whitespace"
	}

	body := s
	negative := false
	switch s[0] {
	case '-':
		negative, body = true, s[1:]
	case '+':
		return "not_a_number", "must not have a sign"
	}
	switch strings.ToLower(body) {
	case "nan", "inf", "infinity":
		return "not_a_number", "NaN and Infinity are not amounts"
	}
	if isExponentForm(body) {
		return "exponent_not_allowed", "must not use an exponent; write 150000, not 1.5e5"
	}

	intPart, fracPart, hasPoint := strings.Cut(body, ".")
	switch {
	case intPart == "" || !allASCIIDigits(intPart):
		return "not_a_number", format
	case hasPoint && (fracPart == "" || !allASCIIDigits(fracPart)):
		return "not_a_number", format
	case len(intPart) > 1 && intPart[0] == '0':
		return "not_a_number", "must not have leading zeros"
	case len(fracPart) > MaxAmountDecimals:
		return "too_many_decimals", "must have at most 2 fractional digits"
	case len(intPart) > MaxAmountIntegerDigits:
		return "too_large", "must have at most 18 integer digits"
	case negative && allowZero:
		return "negative", "must not be negative"
	case negative:
		return "not_positive", "must be greater than zero"
	}
	return "", ""
}

// isExponentForm reports whether s is a number in exponent notation:
// digits with an optional point, then e or E, an optional sign and digits.
func isExponentForm(s string) bool {
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		return false
	}
	mantissa, exp := s[:i], s[i+1:]
	if exp != "" && (exp[0] == '+' || exp[0] == '-') {
		exp = exp[1:]
	}
	if exp == "" || !allASCIIDigits(exp) {
		return false
	}
	m := strings.Replace(mantissa, ".", "", 1)
	return m != "" && allASCIIDigits(m)
}

func isASCIIDigit(r rune) bool { return '0' <= r && r <= '9' }

func allASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isASCIIDigit(rune(s[i])) {
			return false
		}
	}
	return true
}
