package fa

import "strings"

// Shape replaces the Arabic and Persian letters of s by their contextual
// presentation forms (Unicode blocks FB50–FDFF and FE70–FEFF), so that a
// renderer without OpenType shaping, such as a PDF library drawing one glyph
// per rune, draws joined script. s is in logical (reading) order; reorder the
// result for display with Visual.
//
// The rules are those of Unicode's Arabic joining model, restricted to the
// letters used in Persian and standard Arabic:
//
//   - A right-joining letter (ا آ أ إ ٱ د ذ ر ز ژ و ؤ ة ۀ) connects only to
//     the letter before it; a dual-joining letter (ب پ ت … ک گ ل م ن ه ی ئ)
//     connects on both sides. A letter takes its final, initial, medial or
//     isolated form according to which neighbours it connects to.
//   - Lam followed by alef, alef with madda, or alef with hamza above or below
//     becomes a single lam-alef ligature (ﻻ ﻷ ﻹ ﻵ), isolated or final.
//   - Harakat and other combining marks (U+0610–U+061A, U+064B–U+065F,
//     U+0670, U+06D6–U+06ED) are transparent: they neither join nor break a
//     join, and are kept in place after their letter.
//   - ZWNJ (U+200C) breaks the join and is dropped; ZWJ (U+200D) forces a
//     join and is dropped; tatweel (U+0640) joins on both sides and is kept.
//   - The heh with yeh above ۀ (U+06C0) in isolated position is left as
//     U+06C0, whose nominal glyph is the isolated shape, because fonts such
//     as Vazirmatn have no glyph for its isolated presentation form U+FBA4.
//   - Everything else — digits, spaces, punctuation, Latin, and letters of
//     other Arabic-script languages that Shape does not know — is copied
//     unchanged and does not join.
func Shape(s string) string {
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	prev := joinNone // joining type of the last non-transparent rune
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		t := joiningOf(r)
		if t == joinTransparent {
			b.WriteRune(r)
			continue
		}
		next, nextType := i+1, joinNone
		for next < len(rs) {
			if nt := joiningOf(rs[next]); nt != joinTransparent {
				nextType = nt
				break
			}
			next++
		}
		joinsPrev := t != joinNone && (prev == joinDual || prev == joinCausing)
		if r == lam && next < len(rs) {
			if la, ok := lamAlefs[rs[next]]; ok {
				if joinsPrev {
					b.WriteRune(la.fin)
				} else {
					b.WriteRune(la.iso)
				}
				// Marks on the lam stay with the ligature; the alef's own
				// marks follow in later iterations.
				b.WriteString(string(rs[i+1 : next]))
				i = next
				prev = joinRight
				continue
			}
		}
		joinsNext := (t == joinDual || t == joinCausing) && nextType != joinNone
		prev = t
		if r == zwnj || r == zwj {
			continue
		}
		f, ok := formOf(r)
		if !ok {
			b.WriteRune(r)
			continue
		}
		switch {
		case joinsPrev && joinsNext:
			b.WriteRune(f.med)
		case joinsPrev:
			b.WriteRune(f.fin)
		case joinsNext:
			b.WriteRune(f.ini)
		default:
			b.WriteRune(f.iso)
		}
	}
	return b.String()
}

// joining is a rune's joining type in Unicode's Arabic shaping model.
type joining int

const (
	joinNone        joining = iota // U: does not join
	joinRight                      // R: joins the rune before it only
	joinDual                       // D: joins on both sides
	joinCausing                    // C: tatweel, ZWJ: joins on both sides, has no forms
	joinTransparent                // T: combining marks, format controls: skipped over
)

const (
	lam     = '\u0644'
	tatweel = '\u0640'
	zwnj    = '\u200C'
	zwj     = '\u200D'
)

func joiningOf(r rune) joining {
	if f, ok := formOf(r); ok {
		if f.dual {
			return joinDual
		}
		return joinRight
	}
	switch {
	case r == tatweel, r == zwj:
		return joinCausing
	case r == zwnj:
		return joinNone
	case isMark(r), isBidiControl(r):
		return joinTransparent
	}
	return joinNone
}

// isMark reports whether r is an Arabic combining mark (harakat, Quranic
// annotation signs, superscript alef).
func isMark(r rune) bool {
	switch {
	case r >= 0x0610 && r <= 0x061A,
		r >= 0x064B && r <= 0x065F,
		r == 0x0670,
		r >= 0x06D6 && r <= 0x06DC,
		r >= 0x06DF && r <= 0x06E4,
		r == 0x06E7, r == 0x06E8,
		r >= 0x06EA && r <= 0x06ED:
		return true
	}
	return false
}

// letterForm holds the presentation forms of one letter; a right-joining
// letter has only isolated and final forms.
type letterForm struct {
	iso, fin, ini, med rune
	dual               bool
}

func right(iso, fin rune) letterForm { return letterForm{iso: iso, fin: fin} }

func dual(iso, fin, ini, med rune) letterForm {
	return letterForm{iso: iso, fin: fin, ini: ini, med: med, dual: true}
}

// formOf returns letterForms[r]. Text is shaped rune by rune, each rune
// looked up twice or more: for the Arabic block, where the letters are, the
// forms are in an array, and a rune outside it is in the map only if some
// letter is.
func formOf(r rune) (letterForm, bool) {
	if r >= 0x0600 && r < 0x0700 {
		return arabicForms.forms[r-0x0600], arabicForms.known[r-0x0600]
	}
	if !arabicForms.outside {
		return letterForm{}, false
	}
	f, ok := letterForms[r]
	return f, ok
}

// arabicForms is letterForms for U+0600–U+06FF (see formOf).
var arabicForms = func() (t struct {
	forms   [0x100]letterForm
	known   [0x100]bool
	outside bool // letterForms has a letter outside the block
}) {
	for r, f := range letterForms {
		if r >= 0x0600 && r < 0x0700 {
			t.forms[r-0x0600], t.known[r-0x0600] = f, true
		} else {
			t.outside = true
		}
	}
	return t
}()

// letterForms maps each letter Shape knows to its presentation forms.
var letterForms = map[rune]letterForm{
	'\u0622': right(0xFE81, 0xFE82),                // آ alef with madda above
	'\u0623': right(0xFE83, 0xFE84),                // أ alef with hamza above
	'\u0624': right(0xFE85, 0xFE86),                // ؤ waw with hamza above
	'\u0625': right(0xFE87, 0xFE88),                // إ alef with hamza below
	'\u0626': dual(0xFE89, 0xFE8A, 0xFE8B, 0xFE8C), // ئ yeh with hamza above
	'\u0627': right(0xFE8D, 0xFE8E),                // ا alef
	'\u0628': dual(0xFE8F, 0xFE90, 0xFE91, 0xFE92), // ب beh
	'\u0629': right(0xFE93, 0xFE94),                // ة teh marbuta
	'\u062A': dual(0xFE95, 0xFE96, 0xFE97, 0xFE98), // ت teh
	'\u062B': dual(0xFE99, 0xFE9A, 0xFE9B, 0xFE9C), // ث theh
	'\u062C': dual(0xFE9D, 0xFE9E, 0xFE9F, 0xFEA0), // ج jeem
	'\u062D': dual(0xFEA1, 0xFEA2, 0xFEA3, 0xFEA4), // ح hah
	'\u062E': dual(0xFEA5, 0xFEA6, 0xFEA7, 0xFEA8), // خ khah
	'\u062F': right(0xFEA9, 0xFEAA),                // د dal
	'\u0630': right(0xFEAB, 0xFEAC),                // ذ thal
	'\u0631': right(0xFEAD, 0xFEAE),                // ر reh
	'\u0632': right(0xFEAF, 0xFEB0),                // ز zain
	'\u0633': dual(0xFEB1, 0xFEB2, 0xFEB3, 0xFEB4), // س seen
	'\u0634': dual(0xFEB5, 0xFEB6, 0xFEB7, 0xFEB8), // ش sheen
	'\u0635': dual(0xFEB9, 0xFEBA, 0xFEBB, 0xFEBC), // ص sad
	'\u0636': dual(0xFEBD, 0xFEBE, 0xFEBF, 0xFEC0), // ض dad
	'\u0637': dual(0xFEC1, 0xFEC2, 0xFEC3, 0xFEC4), // ط tah
	'\u0638': dual(0xFEC5, 0xFEC6, 0xFEC7, 0xFEC8), // ظ zah
	'\u0639': dual(0xFEC9, 0xFECA, 0xFECB, 0xFECC), // ع ain
	'\u063A': dual(0xFECD, 0xFECE, 0xFECF, 0xFED0), // غ ghain
	'\u0641': dual(0xFED1, 0xFED2, 0xFED3, 0xFED4), // ف feh
	'\u0642': dual(0xFED5, 0xFED6, 0xFED7, 0xFED8), // ق qaf
	'\u0643': dual(0xFED9, 0xFEDA, 0xFEDB, 0xFEDC), // ك Arabic kaf
	'\u0644': dual(0xFEDD, 0xFEDE, 0xFEDF, 0xFEE0), // ل lam
	'\u0645': dual(0xFEE1, 0xFEE2, 0xFEE3, 0xFEE4), // م meem
	'\u0646': dual(0xFEE5, 0xFEE6, 0xFEE7, 0xFEE8), // ن noon
	'\u0647': dual(0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC), // ه heh
	'\u0648': right(0xFEED, 0xFEEE),                // و waw
	'\u0649': dual(0xFEEF, 0xFEF0, 0xFBE8, 0xFBE9), // ى alef maksura
	'\u064A': dual(0xFEF1, 0xFEF2, 0xFEF3, 0xFEF4), // ي Arabic yeh
	'\u0671': right(0xFB50, 0xFB51),                // ٱ alef wasla
	'\u067E': dual(0xFB56, 0xFB57, 0xFB58, 0xFB59), // پ peh
	'\u0686': dual(0xFB7A, 0xFB7B, 0xFB7C, 0xFB7D), // چ tcheh
	'\u0698': right(0xFB8A, 0xFB8B),                // ژ jeh
	'\u06A9': dual(0xFB8E, 0xFB8F, 0xFB90, 0xFB91), // ک keheh (Persian kaf)
	'\u06AF': dual(0xFB92, 0xFB93, 0xFB94, 0xFB95), // گ gaf
	'\u06C0': right(0x06C0, 0xFBA5),                // ۀ heh with yeh above; isolated: no FBA4 in Vazirmatn
	'\u06CC': dual(0xFBFC, 0xFBFD, 0xFBFE, 0xFBFF), // ی Farsi yeh
}

// lamAlef holds the isolated and final forms of one lam-alef ligature.
type lamAlef struct{ iso, fin rune }

// lamAlefs maps the alef that follows a lam to the ligature they form.
var lamAlefs = map[rune]lamAlef{
	'\u0622': {0xFEF5, 0xFEF6}, // لآ
	'\u0623': {0xFEF7, 0xFEF8}, // لأ
	'\u0625': {0xFEF9, 0xFEFA}, // لإ
	'\u0627': {0xFEFB, 0xFEFC}, // لا
}
