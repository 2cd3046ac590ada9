package registry

import "testing"

func TestNormalizeName(t *testing.T) {
	for in, want := range map[string]string{
		"اداره كل امور مالياتي":           "اداره کل امور مالیاتی",
		"  اداره کل\t امور\u00a0مالیاتی ": "اداره کل امور مالیاتی",
		"شرکت\u200c گاز":                  "شرکت گاز",
		"\u200cشرکت گاز\u200c":            "شرکت گاز",
		"a \u200c b":                      "a b",
		"دستگاه‌های اجرایی":               "دستگاه‌های اجرایی", // a half-space inside a word stays
		"اداره ٢":                         "اداره ۲",
		"":                                "",
		" \u200c ":                        "",
	} {
		if got := NormalizeName(in); got != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFoldKey(t *testing.T) {
	same := [][]string{
		{"دستگاه‌های اجرایی", "دستگاه های اجرایی", "دستگاههای اجرایی", " دستگاه‌هاي اجرايي "},
		{"unit_national_id", "Unit National ID", "unit-national-id"},
		{"۱۴۰۴", "1404", "١٤٠٤"},
	}
	for _, group := range same {
		for _, s := range group[1:] {
			if foldKey(s) != foldKey(group[0]) {
				t.Errorf("foldKey(%q) = %q, foldKey(%q) = %q", s, foldKey(s), group[0], foldKey(group[0]))
			}
		}
	}
}

// TestVocabularies: every spelling reads back as its value, and no spelling
// of one choice is a spelling of another.
func TestVocabularies(t *testing.T) {
	for name, v := range map[string]vocabulary{"kinds": SessionKinds, "categories": Categories, "statuses": Statuses, "channels": Channels, "outcomes": Outcomes} {
		owner := map[string]string{}
		for _, c := range v {
			for _, s := range append([]string{c.Value, c.Title}, c.Also...) {
				if got, ok := v.read(s); !ok || got != c.Value {
					t.Errorf("%s: %q reads as %q, %v", name, s, got, ok)
				}
				if o, dup := owner[foldKey(s)]; dup && o != c.Value {
					t.Errorf("%s: %q is a spelling of %s and %s", name, s, o, c.Value)
				}
				owner[foldKey(s)] = c.Value
			}
		}
		if _, ok := v.read("چیز دیگر"); ok {
			t.Errorf("%s reads an unknown word", name)
		}
	}
}
