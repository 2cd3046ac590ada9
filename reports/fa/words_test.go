package fa

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func TestWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "صفر"},
		{"1", "یک"},
		{"10", "ده"},
		{"11", "یازده"},
		{"18", "هجده"},
		{"20", "بیست"},
		{"21", "بیست و یک"},
		{"100", "صد"},
		{"101", "صد و یک"},
		{"110", "صد و ده"},
		{"999", "نهصد و نود و نه"},
		{"1000", "یک هزار"},
		{"1001", "یک هزار و یک"},
		{"2500", "دو هزار و پانصد"},
		{"100000", "صد هزار"},
		{"1000000", "یک میلیون"},
		{"1001000", "یک میلیون و یک هزار"},
		{"1000001", "یک میلیون و یک"},
		{"1234567890", "یک میلیارد و دویست و سی و چهار میلیون و پانصد و شصت و هفت هزار و هشتصد و نود"},
		{"1000000000000", "یک تریلیون"},
		{"1000000000000000", "یک هزار تریلیون"},
		{"1001000000000000", "یک هزار و یک تریلیون"},
		{"1000000000000001", "یک هزار تریلیون و یک"},
		{"999999999999999999", "نهصد و نود و نه هزار و نهصد و نود و نه تریلیون و " +
			"نهصد و نود و نه میلیارد و نهصد و نود و نه میلیون و نهصد و نود و نه هزار و نهصد و نود و نه"},
		{"0007", "هفت"},
		{"۱۲۳", "صد و بیست و سه"},
		{"12.5", "دوازده و پنج دهم"},
		{"1.50", "یک و پنجاه صدم"},
		{"1234567.25", "یک میلیون و دویست و سی و چهار هزار و پانصد و شصت و هفت و بیست و پنج صدم"},
		{"0.05", "پنج صدم"},
		{"0.5", "پنج دهم"},
		{"3.125", "سه و صد و بیست و پنج هزارم"},
		{"7.00", "هفت"},
		{"0.0", "صفر"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Words(tt.in)
			if err != nil {
				t.Fatalf("Words(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Words(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestWordsErrors(t *testing.T) {
	for _, in := range []string{
		"", "-1", "+1", "1e3", "1,000", " 1", ".5", "1.", "1.2345",
		"1000000000000000000", "12a",
	} {
		if got, err := Words(in); err == nil {
			t.Errorf("Words(%q) = %q, want an error", in, got)
		}
	}
}

// wordValues reads back what Words writes, for the round-trip test.
var wordValues = func() map[string]uint64 {
	m := map[string]uint64{"صفر": 0}
	for i, w := range ones {
		m[w] = uint64(i)
	}
	for i, w := range teens {
		m[w] = uint64(10 + i)
	}
	for i, w := range tens {
		m[w] = uint64(10 * i)
	}
	for i, w := range hundreds {
		m[w] = uint64(100 * i)
	}
	delete(m, "")
	return m
}()

// parseWords is the inverse of Words for integers: small words add up, a
// scale multiplies what came since the last scale, and تریلیون multiplies
// everything before it.
func parseWords(t *testing.T, s string) uint64 {
	t.Helper()
	var total, cur uint64
	for _, w := range strings.Fields(s) {
		if w == "و" {
			continue
		}
		switch w {
		case "هزار":
			total, cur = total+cur*1e3, 0
		case "میلیون":
			total, cur = total+cur*1e6, 0
		case "میلیارد":
			total, cur = total+cur*1e9, 0
		case "تریلیون":
			total, cur = (total+cur)*1e12, 0
		default:
			v, ok := wordValues[w]
			if !ok {
				t.Fatalf("unknown word %q in %q", w, s)
			}
			cur += v
		}
	}
	return total + cur
}

func TestWordsRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1404, 172))
	for i := 0; i < 20000; i++ {
		// Spread the magnitudes: a random number of digits, then a value.
		n := r.Uint64N(pow10(r.IntN(MaxWordsDigits) + 1))
		s := strconv.FormatUint(n, 10)
		w, err := Words(s)
		if err != nil {
			t.Fatalf("Words(%s): %v", s, err)
		}
		if got := parseWords(t, w); got != n {
			t.Fatalf("Words(%s) = %q, which reads back as %d", s, w, got)
		}
		if strings.Contains(w, "  ") || strings.Contains(w, "و و") || strings.HasPrefix(w, "و ") {
			t.Fatalf("Words(%s) = %q is malformed", s, w)
		}
	}
}

func pow10(n int) uint64 {
	p := uint64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{"0", "1234567890", "1000000000000000", "12.5", "۱۲", "-1", "1.2345", "999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		w, err := Words(s)
		if err != nil {
			return
		}
		if w == "" {
			t.Errorf("Words(%q) is empty", s)
		}
		if strings.HasPrefix(w, " ") || strings.HasSuffix(w, " ") || strings.Contains(w, "  ") {
			t.Errorf("Words(%q) = %q has stray spaces", s, w)
		}
		intPart, frac, _ := strings.Cut(ASCIIDigits(s), ".")
		if strings.Trim(frac, "0") == "" {
			if got, want := parseWords(t, w), mustParseUint(t, intPart); got != want {
				t.Errorf("Words(%q) = %q reads back as %d", s, w, got)
			}
		}
	})
}

func mustParseUint(t *testing.T, s string) uint64 {
	t.Helper()
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", s, err)
	}
	return n
}
