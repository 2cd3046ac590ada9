package taahod

import "testing"

func TestFoldText(t *testing.T) {
	for in, want := range map[string]string{
		"شركت كاشي":            "شرکت کاشی",
		"قزوين":                "قزوین",
		"مصطفى":                "مصطفی",
		"  نان‌آوران   قزوین ": "نان آوران قزوین",
		"نان\u200cآوران":       "نان آوران",
		"INV-۰۰۱":              "inv-001",
		"inv-٠٠١":              "inv-001",
		"مـــصالح":             "مصالح",
		"مُصالِح":              "مصالح",
		"A\u200bB":             "a b",
		"\ufeffx\u00a0y":       "x y",
		"":                     "",
	} {
		if got := FoldText(in); got != want {
			t.Errorf("FoldText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestASCIIDigits(t *testing.T) {
	for in, want := range map[string]string{
		"۱۴۰۴/۰۹/۰۵": "1404/09/05",
		"١٤٠٤":       "1404",
		"1404":       "1404",
		"قزوین ۲":    "قزوین 2",
		"":           "",
	} {
		if got := ASCIIDigits(in); got != want {
			t.Errorf("ASCIIDigits(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSearchWords(t *testing.T) {
	got := SearchWords("  مدرسه\u200cی   قزوين ")
	if len(got) != 3 || got[0] != "مدرسه" || got[1] != "ی" || got[2] != "قزوین" {
		t.Errorf("SearchWords = %q", got)
	}
	if len(SearchWords(" \u200c ")) != 0 {
		t.Error("a blank query has words")
	}
	if n := len(SearchWords("a b c d e f g h i j k")); n != maxSearchWords {
		t.Errorf("%d words", n)
	}
}
