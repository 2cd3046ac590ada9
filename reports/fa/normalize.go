package fa

import "strings"

// normalizer maps the Arabic code points that Persian keyboards and older
// systems produce to the Persian ones the documents use.
var normalizer = strings.NewReplacer(
	"\u064A", "\u06CC", // ي Arabic yeh → ی Farsi yeh
	"\u0649", "\u06CC", // ى alef maksura → ی Farsi yeh
	"\u0643", "\u06A9", // ك Arabic kaf → ک keheh
	"٠", "۰", "١", "۱", "٢", "۲", "٣", "۳", "٤", "۴",
	"٥", "۵", "٦", "۶", "٧", "۷", "٨", "۸", "٩", "۹",
)

// Normalize rewrites Arabic letters and digits in s to their Persian
// counterparts: ي and ى become ی, ك becomes ک, and Arabic-Indic digits
// (٠–٩) become Persian digits (۰–۹). Teh marbuta ة, hamza forms and all
// other runes, including surrounding space, are left as they are.
func Normalize(s string) string {
	// Most text has nothing to rewrite, and the replacer copies s even
	// then.
	if !strings.ContainsAny(s, normalized) {
		return s
	}
	return normalizer.Replace(s)
}

// normalized are the runes Normalize rewrites.
const normalized = "\u064A\u0649\u0643٠١٢٣٤٥٦٧٨٩"
