package taahod

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

// fieldCode returns the code of the single FieldError of an EINVALID *Error
// whose Field is "", failing the test for any other shape.
func fieldCode(t testing.TB, err error) string {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *taahod.Error", err, err)
	}
	if e.Code != EINVALID || len(e.Fields) != 1 || e.Fields[0].Field != "" || e.Fields[0].Message == "" {
		t.Fatalf("error %#v: want EINVALID with one unnamed field", e)
	}
	return e.Fields[0].Code
}

func TestParseAmount(t *testing.T) {
	valid := []struct {
		in, want string
	}{
		{"1", "1"},
		{"1500", "1500"},
		{"1500.5", "1500.5"},
		{"1500.50", "1500.5"},
		{"1500.00", "1500"},
		{"0.01", "0.01"},
		{"0.5", "0.5"},
		{"12345678901.50", "12345678901.5"},
		{"999999999999999999.99", "999999999999999999.99"},
		{"100000000000000000", "100000000000000000"},
	}
	for _, tc := range valid {
		t.Run("ok/"+tc.in, func(t *testing.T) {
			d, err := ParseAmount(tc.in)
			if err != nil {
				t.Fatalf("ParseAmount(%q): %v", tc.in, err)
			}
			if got := FormatAmount(d); got != tc.want {
				t.Errorf("FormatAmount(ParseAmount(%q)) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}

	invalid := []struct {
		name, in, code string
	}{
		{"empty", "", "required"},
		{"zero", "0", "not_positive"},
		{"zero_decimals", "0.00", "not_positive"},
		{"negative", "-5", "not_positive"},
		{"negative_zero", "-0", "not_positive"},
		{"negative_fraction", "-0.01", "not_positive"},
		{"three_decimals", "1.234", "too_many_decimals"},
		{"three_decimals_zero", "1.500", "too_many_decimals"},
		{"nineteen_integer_digits", "1234567890123456789", "too_large"},
		{"nineteen_integer_digits_fraction", "1000000000000000000.5", "too_large"},
		{"exponent", "1e5", "exponent_not_allowed"},
		{"exponent_upper", "1E5", "exponent_not_allowed"},
		{"exponent_fraction", "1.5e3", "exponent_not_allowed"},
		{"exponent_signed", "15e-1", "exponent_not_allowed"},
		{"exponent_plus", "15e+1", "exponent_not_allowed"},
		{"exponent_negative", "-1e5", "exponent_not_allowed"},
		{"NaN", "NaN", "not_a_number"},
		{"nan", "nan", "not_a_number"},
		{"Infinity", "Infinity", "not_a_number"},
		{"negative_Infinity", "-Infinity", "not_a_number"},
		{"inf", "inf", "not_a_number"},
		{"leading_space", " 1500", "not_a_number"},
		{"trailing_space", "1500 ", "not_a_number"},
		{"trailing_newline", "1500\n", "not_a_number"},
		{"tab", "\t1500", "not_a_number"},
		{"only_space", " ", "not_a_number"},
		{"comma", "1,500", "separators_not_allowed"},
		{"commas", "1,500,000.50", "separators_not_allowed"},
		{"arabic_separator", "1٬500", "separators_not_allowed"},
		{"underscore", "1_500", "separators_not_allowed"},
		{"apostrophe", "1'500", "separators_not_allowed"},
		{"inner_space", "1 500", "separators_not_allowed"},
		{"inner_nbsp", "1\u00a0500", "separators_not_allowed"},
		{"inner_narrow_nbsp", "1\u202f500", "separators_not_allowed"},
		{"persian_digits", "۱۵۰۰", "non_ascii_digits"},
		{"arabic_indic_digits", "١٥٠٠", "non_ascii_digits"},
		{"mixed_digits", "15۰۰", "non_ascii_digits"},
		{"persian_digits_and_separator", "۱٬۵۰۰", "non_ascii_digits"},
		{"fullwidth_digits", "１５００", "non_ascii_digits"},
		{"persian_decimal_separator", "1500٫5", "not_a_number"},
		{"plus", "+5", "not_a_number"},
		{"unicode_minus", "\u22125", "not_a_number"},
		{"double_minus", "--5", "not_a_number"},
		{"minus_only", "-", "not_a_number"},
		{"leading_point", ".5", "not_a_number"},
		{"trailing_point", "5.", "not_a_number"},
		{"point_only", ".", "not_a_number"},
		{"two_points", "1.2.3", "not_a_number"},
		{"leading_zero", "01500", "not_a_number"},
		{"leading_zeros_fraction", "00.5", "not_a_number"},
		{"double_zero", "00", "not_a_number"},
		{"letters", "abc", "not_a_number"},
		{"hex", "0x10", "not_a_number"},
		{"currency", "1500IRR", "not_a_number"},
		{"lone_e", "e", "not_a_number"},
		{"exponent_without_digits", "1e", "not_a_number"},
		{"invalid_utf8", "1\xff", "not_a_number"},
		{"rlm_mark", "1500\u200f", "not_a_number"},
	}
	for _, tc := range invalid {
		t.Run("bad/"+tc.name, func(t *testing.T) {
			d, err := ParseAmount(tc.in)
			if err == nil {
				t.Fatalf("ParseAmount(%q) = %s, want error %s", tc.in, d, tc.code)
			}
			if got := fieldCode(t, err); got != tc.code {
				t.Errorf("ParseAmount(%q) code = %q, want %q (%v)", tc.in, got, tc.code, err)
			}
		})
	}
}

// TestParseAmountLongInput guards against checks that cost more than linear
// time: a body limit lets a client send a megabyte in one field.
func TestParseAmountLongInput(t *testing.T) {
	for name, in := range map[string]string{
		"spaces":        strings.Repeat(" ", 1<<20),
		"spaced_digits": strings.Repeat("1 ", 1<<19),
		"digits":        strings.Repeat("9", 1<<20),
		"fraction":      "1." + strings.Repeat("0", 1<<20),
		"exponent":      "1e" + strings.Repeat("9", 1<<20),
	} {
		if _, err := ParseAmount(in); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseAmountAllowZero(t *testing.T) {
	for _, in := range []string{"0", "0.0", "0.00"} {
		d, err := ParseAmountAllowZero(in)
		if err != nil || !d.IsZero() {
			t.Errorf("ParseAmountAllowZero(%q) = %s, %v; want 0", in, d, err)
		}
	}
	if d, err := ParseAmountAllowZero("12.5"); err != nil || FormatAmount(d) != "12.5" {
		t.Errorf("ParseAmountAllowZero(12.5) = %s, %v", d, err)
	}
	for in, code := range map[string]string{
		"-5":    "negative",
		"-0":    "negative",
		"":      "required",
		"1.234": "too_many_decimals",
		"1e3":   "exponent_not_allowed",
		"00":    "not_a_number",
	} {
		_, err := ParseAmountAllowZero(in)
		if got := fieldCode(t, err); got != code {
			t.Errorf("ParseAmountAllowZero(%q) code = %q, want %q", in, got, code)
		}
	}
}

func TestParseAmountJSON(t *testing.T) {
	valid := []struct {
		raw, want string
	}{
		{`"1500"`, "1500"},
		{`"12345678901.50"`, "12345678901.5"},
		{`1234567890123.45`, "1234567890123.45"},
		{`999999999999999999.99`, "999999999999999999.99"},
		{`1500`, "1500"},
		{`1500.10`, "1500.1"},
		{` "7" `, "7"},
		{`"\u0037"`, "7"},
	}
	for _, tc := range valid {
		t.Run("ok/"+tc.raw, func(t *testing.T) {
			d, err := ParseAmountJSON(json.RawMessage(tc.raw))
			if err != nil {
				t.Fatalf("ParseAmountJSON(%s): %v", tc.raw, err)
			}
			if got := FormatAmount(d); got != tc.want {
				t.Errorf("ParseAmountJSON(%s) = %s, want %s", tc.raw, got, tc.want)
			}
		})
	}

	invalid := []struct {
		raw, code string
	}{
		{``, "required"},
		{`null`, "required"},
		{` null `, "required"},
		{`""`, "required"},
		{`1e5`, "exponent_not_allowed"},
		{`1.5E+3`, "exponent_not_allowed"},
		{`-5`, "not_positive"},
		{`0`, "not_positive"},
		{`"0"`, "not_positive"},
		{`1.234`, "too_many_decimals"},
		{`12345678901234567890`, "too_large"},
		{`true`, "not_a_number"},
		{`false`, "not_a_number"},
		{`{}`, "not_a_number"},
		{`[1]`, "not_a_number"},
		{`"NaN"`, "not_a_number"},
		{`"Infinity"`, "not_a_number"},
		{`" 1500"`, "not_a_number"},
		{`"1,500"`, "separators_not_allowed"},
		{`"۱۵۰۰"`, "non_ascii_digits"},
		{`"1500`, "not_a_number"},
		{`"1e5"`, "exponent_not_allowed"},
	}
	for _, tc := range invalid {
		t.Run("bad/"+tc.raw, func(t *testing.T) {
			d, err := ParseAmountJSON(json.RawMessage(tc.raw))
			if err == nil {
				t.Fatalf("ParseAmountJSON(%s) = %s, want error %s", tc.raw, d, tc.code)
			}
			if got := fieldCode(t, err); got != tc.code {
				t.Errorf("ParseAmountJSON(%s) code = %q, want %q", tc.raw, got, tc.code)
			}
		})
	}

	if d, err := ParseAmountJSONAllowZero(json.RawMessage(`0`)); err != nil || !d.IsZero() {
		t.Errorf("ParseAmountJSONAllowZero(0) = %s, %v", d, err)
	}
	if _, err := ParseAmountJSONAllowZero(json.RawMessage(`-1`)); fieldCode(t, err) != "negative" {
		t.Errorf("ParseAmountJSONAllowZero(-1): %v", err)
	}
	if _, err := ParseAmountJSONAllowZero(nil); fieldCode(t, err) != "required" {
		t.Errorf("ParseAmountJSONAllowZero(nil): %v", err)
	}
}

// TestParseAmountJSONInStruct shows the intended use: a request field of type
// json.RawMessage keeps a JSON number's text, so nothing goes through float64.
func TestParseAmountJSONInStruct(t *testing.T) {
	var req struct {
		Amount json.RawMessage `json:"amount"`
	}
	if err := json.Unmarshal([]byte(`{"amount": 1234567890123.45}`), &req); err != nil {
		t.Fatal(err)
	}
	d, err := ParseAmountJSON(req.Amount)
	if err != nil {
		t.Fatal(err)
	}
	want := decimal.New(123456789012345, -2)
	if !d.Equal(want) || FormatAmount(d) != "1234567890123.45" {
		t.Errorf("got %s, want exactly %s", FormatAmount(d), want)
	}

	var missing struct {
		Amount json.RawMessage `json:"amount"`
	}
	if err := json.Unmarshal([]byte(`{}`), &missing); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseAmountJSON(missing.Amount); fieldCode(t, err) != "required" {
		t.Errorf("absent amount: %v", err)
	}
}

func TestProblemsRenamesAmountField(t *testing.T) {
	var p Problems
	_, err := ParseAmount("1,500")
	p.AddErr("amount", err)
	e := p.Err().(*Error)
	if len(e.Fields) != 1 || e.Fields[0].Field != "amount" || e.Fields[0].Code != "separators_not_allowed" {
		t.Errorf("fields = %+v", e.Fields)
	}
}

// TestDecimalOutputIsCanonical pins what other packages rely on: with the
// package defaults, decimal.Decimal's String, MarshalJSON and Value already
// write the canonical form, for values scanned from NUMERIC text and for
// values made by arithmetic.
func TestDecimalOutputIsCanonical(t *testing.T) {
	if !decimal.TrimTrailingZeros || decimal.UseScientificNotation || decimal.MarshalJSONWithoutQuotes {
		t.Fatal("decimal package globals changed from their defaults")
	}
	scan := func(text string) decimal.Decimal {
		var d decimal.Decimal
		if err := d.Scan([]byte(text)); err != nil { // lib/pq hands NUMERIC over as []byte
			t.Fatalf("Scan(%q): %v", text, err)
		}
		return d
	}
	cases := []struct {
		name string
		d    decimal.Decimal
		want string
	}{
		{"numeric_1500.00", scan("1500.00"), "1500"},
		{"numeric_1500.50", scan("1500.50"), "1500.5"},
		{"numeric_0.00", scan("0.00"), "0"},
		{"numeric_0.05", scan("0.05"), "0.05"},
		{"numeric_large", scan("999999999999999999.99"), "999999999999999999.99"},
		{"numeric_large_whole", scan("123456789012345678.00"), "123456789012345678"},
		{"numeric_negative", scan("-20.10"), "-20.1"},
		{"positive_exponent", decimal.New(15, 2), "1500"},
		{"huge_positive_exponent", decimal.New(1, 30), "1000000000000000000000000000000"},
		{"product", scan("1.50").Mul(scan("2.00")), "3"},
		{"sum", scan("0.10").Add(scan("0.20")), "0.3"},
		{"difference_to_zero", scan("1.10").Sub(scan("1.1")), "0"},
		{"zero_value", decimal.Decimal{}, "0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatAmount(tc.d); got != tc.want {
				t.Errorf("FormatAmount = %q, want %q", got, tc.want)
			}
			if got := tc.d.String(); got != tc.want {
				t.Errorf("String = %q, want %q", got, tc.want)
			}
			b, err := json.Marshal(struct {
				A decimal.Decimal `json:"a"`
			}{tc.d})
			if err != nil {
				t.Fatal(err)
			}
			if want := `{"a":"` + tc.want + `"}`; string(b) != want {
				t.Errorf("json = %s, want %s", b, want)
			}
			v, err := tc.d.Value()
			if err != nil || v != tc.want {
				t.Errorf("Value = %v, %v; want %q", v, err, tc.want)
			}
		})
	}
}

// amountGrammar is an independent statement of what ParseAmountAllowZero
// accepts, for the fuzz test to check the hand-written checks against.
var amountGrammar = regexp.MustCompile(`^(0|[1-9][0-9]{0,17})(\.[0-9]{1,2})?$`)

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{
		"1500", "1500.5", "0.01", "0", "-5", "1e5", "NaN", "Infinity", "",
		" 1", "1,500", "۱۵۰۰", "01", ".5", "5.", "1.234", "999999999999999999.99",
		"1234567890123456789", "+1", "1_0", "1\u202f000", "0x1p3", "1e-9999999999",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseAmount(s)
		z, zerr := ParseAmountAllowZero(s)
		jd, jerr := ParseAmountJSON(json.RawMessage(s))
		if err != nil {
			fieldCode(t, err)
		}
		if zerr != nil {
			fieldCode(t, zerr)
		}
		if jerr != nil {
			fieldCode(t, jerr)
		}

		if want := amountGrammar.MatchString(s); (zerr == nil) != want {
			t.Fatalf("ParseAmountAllowZero(%q) err = %v; grammar match = %v", s, zerr, want)
		}
		if (err == nil) != (zerr == nil && !z.IsZero()) {
			t.Fatalf("ParseAmount(%q) err = %v, but ParseAmountAllowZero = %s, %v", s, err, z, zerr)
		}
		// A bare JSON number is read from its text exactly as ParseAmount
		// reads the text; the JSON layer adds only string/null handling.
		if s != "" && s[0] != '"' && s == string(trimJSONSpace([]byte(s))) && (err == nil) != (jerr == nil) {
			t.Fatalf("ParseAmount(%q) err = %v but ParseAmountJSON err = %v", s, err, jerr)
		}
		if err != nil {
			return
		}
		if !d.IsPositive() || !d.Equal(jd) {
			t.Fatalf("ParseAmount(%q) = %s, ParseAmountJSON = %s", s, d, jd)
		}
		out := FormatAmount(d)
		if out != d.String() {
			t.Fatalf("FormatAmount = %q, String = %q", out, d.String())
		}
		again, err := ParseAmount(out)
		if err != nil || !again.Equal(d) {
			t.Fatalf("FormatAmount(ParseAmount(%q)) = %q reparses to %s, %v", s, out, again, err)
		}
		if FormatAmount(again) != out {
			t.Fatalf("FormatAmount not stable: %q then %q", out, FormatAmount(again))
		}
		q, _ := json.Marshal(out)
		if js, err := ParseAmountJSON(q); err != nil || !js.Equal(d) {
			t.Fatalf("ParseAmountJSON(%s) = %s, %v", q, js, err)
		}
	})
}

// FuzzFormatAmount checks that every amount the contract allows, however it
// was computed (any exponent), formats to text that parses back to it.
func FuzzFormatAmount(f *testing.F) {
	f.Add(int64(150000), int32(-2))
	f.Add(int64(15), int32(2))
	f.Add(int64(1), int32(0))
	f.Add(int64(10), int32(-3))
	f.Add(int64(-5), int32(0))
	f.Fuzz(func(t *testing.T, mantissa int64, exp int32) {
		if exp < -40 || exp > 40 {
			return
		}
		d := decimal.New(mantissa, exp)
		out := FormatAmount(d)
		if strings.ContainsAny(out, "eE,_ ") || strings.HasSuffix(out, ".") ||
			(strings.Contains(out, ".") && strings.HasSuffix(out, "0")) {
			t.Fatalf("FormatAmount(%s) = %q is not canonical", d, out)
		}
		if out != d.String() {
			t.Fatalf("FormatAmount = %q, String = %q", out, d.String())
		}
		back, err := decimal.NewFromString(out)
		if err != nil || !back.Equal(d) {
			t.Fatalf("FormatAmount(%s) = %q reads back as %s, %v", d, out, back, err)
		}
		fits := d.Equal(d.Truncate(2)) && d.Abs().LessThan(decimal.New(1, 18))
		if !fits {
			return
		}
		got, err := ParseAmountAllowZero(out)
		if d.IsNegative() {
			if err == nil {
				t.Fatalf("ParseAmountAllowZero(%q) accepted a negative", out)
			}
			return
		}
		if err != nil || !got.Equal(d) {
			t.Fatalf("ParseAmountAllowZero(FormatAmount(%s) = %q) = %s, %v", d, out, got, err)
		}
	})
}
