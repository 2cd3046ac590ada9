package registry

import (
	"strings"
	"unicode"

	"github.com/taahod/taahod"
)

// arabicForms maps the Arabic letters and digits that Arabic keyboard
// layouts and older systems type to the Persian ones, so that «اداره كل»
// and «اداره کل» are the same words.
var arabicForms = strings.NewReplacer(
	"\u064A", "\u06CC", // ي Arabic yeh → ی
	"\u0649", "\u06CC", // ى alef maksura → ی
	"\u0643", "\u06A9", // ك Arabic kaf → ک
	"٠", "۰", "١", "۱", "٢", "۲", "٣", "۳", "٤", "۴",
	"٥", "۵", "٦", "۶", "٧", "۷", "٨", "۸", "٩", "۹",
)

// NormalizeName is the form in which names are kept and compared (agency
// names): Arabic letter forms become Persian, every run of white space
// becomes one space, the ends are trimmed, and a half-space next to a space
// or at either end, where it joins nothing, is dropped.
func NormalizeName(s string) string {
	words := strings.FieldsFunc(arabicForms.Replace(s), unicode.IsSpace)
	kept := words[:0]
	for _, w := range words {
		// A half-space only joins letters: beside a space it joins nothing.
		if w = strings.Trim(w, "\u200C"); w != "" {
			kept = append(kept, w)
		}
	}
	return strings.Join(kept, " ")
}

// foldKey is the form in which CSV headers and choice words are matched:
// taahod.FoldText (Persian letter forms, ASCII digits, lower case), then
// with spaces, hyphens and underscores removed. So «تاریخ‌جلسه», «تاريخ جلسه»
// and «تاریخ  جلسه» are one header.
func foldKey(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' {
			return -1
		}
		return r
	}, taahod.FoldText(s))
}
