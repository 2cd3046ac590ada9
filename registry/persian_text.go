package registry

import (
	"strings"
	"unicode"
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

const zwnj = '\u200C' // the half-space (نیم‌فاصله) inside Persian words

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

// foldKey is the form in which CSV headers and choice words are matched: as
// NormalizeName, then lower case, with spaces, half-spaces, hyphens and
// underscores removed, and Persian or Arabic-Indic digits made ASCII. So
// «تاریخ‌جلسه», «تاريخ جلسه» and «تاریخ  جلسه» are one header.
func foldKey(s string) string {
	s = asciiDigits(NormalizeName(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == ' ' || r == zwnj || r == '-' || r == '_' {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// asciiDigits turns Persian (۰–۹) and Arabic-Indic (٠–٩) digits into ASCII
// ones. Spreadsheets in Iran write dates and ids with them; the JSON API
// takes ASCII only, as the contract says.
func asciiDigits(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return (r >= '۰' && r <= '۹') || (r >= '٠' && r <= '٩') }) {
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
