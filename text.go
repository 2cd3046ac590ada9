package taahod

import (
	"strings"
	"unicode"
)

// FoldText is the one form in which Persian text is compared, searched and
// keyed: the ways one name or number is typed fold into one. Arabic yeh
// (ي, ى) and kaf (ك) become Persian (ی, ک); Persian and Arabic-Indic digits
// become ASCII; tatweel and diacritics go; zero-width joiners and
// non-joiners (the half-space), the BOM and every white space become one
// space between words and none at the ends; letters become lower case. So
// «نان‌آوران  قزوين» and «نان آوران قزوین» fold alike, as do "INV-۰۰۱" and
// "inv-001".
//
// The database has the same fold as the SQL function taahod_fold
// (migrations/0008_search.sql), which the search indexes are built on;
// change both together.
func FoldText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == 'ي' || r == 'ى':
			r = 'ی'
		case r == 'ك':
			r = 'ک'
		case r >= '۰' && r <= '۹':
			r = '0' + (r - '۰')
		case r >= '٠' && r <= '٩':
			r = '0' + (r - '٠')
		case r == 'ـ' || (r >= '\u064B' && r <= '\u065F') || r == '\u0670':
			continue
		case r == '\u200B' || r == '\u200C' || r == '\u200D' || r == '\uFEFF' || unicode.IsSpace(r):
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// ASCIIDigits turns Persian (۰–۹) and Arabic-Indic (٠–٩) digits into ASCII
// ones and leaves everything else as it is: people in Iran type dates,
// years and ids with them. Money is not read through it: the contract takes
// amounts in ASCII digits only.
func ASCIIDigits(s string) string {
	if !strings.ContainsFunc(s, isNonASCIIDigit) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		}
		return r
	}, s)
}

func isNonASCIIDigit(r rune) bool { return (r >= '۰' && r <= '۹') || (r >= '٠' && r <= '٩') }

// SearchWords splits a search query (the API's q) into its folded words: a
// record matches when each word is part of one of its searched fields,
// folded alike (FoldText here, taahod_fold in SQL). An empty or blank query
// has no words and matches everything.
func SearchWords(q string) []string {
	words := strings.Fields(FoldText(q))
	if len(words) > maxSearchWords {
		words = words[:maxSearchWords]
	}
	return words
}

// maxSearchWords bounds the conditions one query adds; a longer query is
// searched by its first words.
const maxSearchWords = 8
