package fa

import (
	"unicode"
	"unicode/utf8"
)

// Visual reorders one line of text from logical (reading) order into the
// left-to-right order in which a PDF library draws it, for a paragraph whose
// base direction is right-to-left. Shape the line first; Visual accepts
// shaped and unshaped text alike.
//
// Visual implements the subset of the Unicode Bidirectional Algorithm that
// Persian documents need, rather than the full algorithm of
// golang.org/x/text/unicode/bidi: one paragraph at level 1 (RTL), no
// embeddings or isolates. Its rules:
//
//   - Bidi controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069)
//     are removed.
//   - Latin and other left-to-right letters are strong LTR; Arabic and
//     Hebrew letters, presentation forms and Arabic punctuation are strong
//     RTL.
//   - Digits (ASCII, Persian, Arabic-Indic) form numbers, and one of
//     ٬ ٫ / . , : - between two digits belongs to the number, so amounts
//     «۱٬۲۳۴٬۵۶۷» and dates «۱۴۰۴/۰۹/۰۵» stay left-to-right. Digits after
//     Latin text with no RTL letter in between count as Latin, so a serial
//     such as «QZV-1404-000001» is one left-to-right unit.
//   - Other runes (spaces, punctuation, symbols) take the direction of
//     their surroundings when both sides are LTR, and are RTL otherwise.
//   - Runs of LTR text and numbers keep their order; the line as a whole is
//     reversed around them. A combining mark stays next to its base letter:
//     after it in an LTR run, before it (to its left) in RTL text, as plain
//     reversal leaves it. Vazirmatn draws its Arabic marks with zero advance
//     to the right of the pen, so a mark drawn just before its letter lands
//     on it.
//   - In RTL position the paired characters ( ) [ ] { } < > « » ‹ › are
//     mirrored, as a renderer would with their mirrored glyphs.
func Visual(line string) string {
	rs, cs := clusters(line)
	resolveDirections(cs)
	// Reverse the line at cluster granularity, keeping each maximal run of
	// LTR clusters in logical order.
	out := make([]rune, 0, len(rs))
	for end := len(cs); end > 0; {
		if cs[end-1].dir == dirRTL {
			c := cs[end-1]
			for k := c.end - 1; k > c.start; k-- {
				out = append(out, rs[k])
			}
			if m, ok := mirrors[rs[c.start]]; ok {
				out = append(out, m)
			} else {
				out = append(out, rs[c.start])
			}
			end--
			continue
		}
		start := end - 1
		for start > 0 && cs[start-1].dir != dirRTL {
			start--
		}
		out = append(out, rs[cs[start].start:cs[end-1].end]...)
		end = start
	}
	return string(out)
}

// mirrors pairs the characters Visual mirrors in right-to-left position.
var mirrors = map[rune]rune{
	'(': ')', ')': '(',
	'[': ']', ']': '[',
	'{': '}', '}': '{',
	'<': '>', '>': '<',
	'«': '»', '»': '«',
	'‹': '›', '›': '‹',
}

// isBidiControl reports whether r is an explicit directional mark,
// embedding, override or isolate, which Visual removes.
func isBidiControl(r rune) bool {
	switch {
	case r == 0x061C, r == 0x200E, r == 0x200F,
		r >= 0x202A && r <= 0x202E,
		r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// class is the bidirectional category of a cluster's base rune.
type class uint8

const (
	classNeutral    class = iota
	classLTR              // strong left-to-right letter
	classRTL              // strong right-to-left letter or Arabic punctuation
	classDigit            // a digit of any of the three sets
	classSep              // a separator that joins two digits into one number
	classTerminator       // a percent or per-mille sign, which follows its number
)

// dir is a cluster's resolved direction: RTL clusters are drawn reversed,
// the others keep their order.
type dir uint8

const (
	dirRTL dir = iota
	dirLTR
	dirNumber
)

// cluster is a base rune with the combining marks that follow it: the
// runes [start, end) of the line. Clusters index into one slice of the
// line's runes rather than holding their own, which kept Visual from
// allocating for every letter; and they are 12 bytes rather than 32, the
// largest allocation of a certificate after gofpdf's.
type cluster struct {
	start, end int32
	class      class
	dir        dir
}

// clusters returns the runes of line without bidi controls, split into
// clusters, each classified by its base rune.
func clusters(line string) ([]rune, []cluster) {
	n := utf8.RuneCountInString(line)
	rs := make([]rune, 0, n)
	cs := make([]cluster, 0, n)
	for _, r := range line {
		if isBidiControl(r) {
			continue
		}
		rs = append(rs, r)
		// No rune below U+0300 is a combining mark.
		if len(cs) > 0 && r >= 0x0300 && unicode.Is(unicode.Mn, r) {
			cs[len(cs)-1].end++
			continue
		}
		cs = append(cs, cluster{start: int32(len(rs) - 1), end: int32(len(rs)), class: classify(r)})
	}
	return rs, cs
}

func classify(r rune) class {
	switch {
	case r >= '0' && r <= '9', r >= '٠' && r <= '٩', r >= '۰' && r <= '۹':
		return classDigit
	case r == '٬', r == '٫', r == '/', r == '.', r == ',', r == ':', r == '-':
		return classSep
	case r == '%', r == '٪', r == '‰', r == '؉', r == '؊':
		return classTerminator
	case isRTL(r):
		return classRTL
	case unicode.IsLetter(r):
		return classLTR
	}
	return classNeutral
}

// isRTL reports whether r is a right-to-left letter or Arabic punctuation:
// Hebrew, Arabic and their supplements and presentation forms, less the
// digits, number separators and percent sign, which are not strong.
func isRTL(r rune) bool {
	switch {
	case r >= 0x0660 && r <= 0x066C, r >= 0x06F0 && r <= 0x06F9:
		return false
	case r >= 0x0590 && r <= 0x08FF,
		r >= 0xFB1D && r <= 0xFDFF,
		r >= 0xFE70 && r <= 0xFEFE:
		return true
	}
	return false
}

// resolveDirections sets the dir of every cluster.
func resolveDirections(cs []cluster) {
	// Digits take the direction of the last strong letter before them:
	// numbers after Latin text are part of it.
	lastStrong := classRTL
	for i := range cs {
		switch cs[i].class {
		case classLTR, classRTL:
			lastStrong = cs[i].class
			cs[i].dir = dirLTR
			if cs[i].class == classRTL {
				cs[i].dir = dirRTL
			}
		case classDigit:
			cs[i].dir = dirNumber
			if lastStrong == classLTR {
				cs[i].dir = dirLTR
			}
		}
	}
	// A single separator between two digits of the same direction joins
	// them; a percent sign next to a number is part of it (as the Unicode
	// algorithm's European terminators are); anything else that is not
	// strong or a digit is neutral.
	neutral := make([]bool, len(cs))
	for i := range cs {
		switch cs[i].class {
		case classNeutral:
			neutral[i] = true
		case classTerminator:
			switch {
			case i > 0 && (cs[i-1].class == classDigit || cs[i-1].class == classTerminator) && !neutral[i-1]:
				cs[i].dir = cs[i-1].dir
			case i+1 < len(cs) && cs[i+1].class == classDigit:
				cs[i].dir = cs[i+1].dir
			default:
				neutral[i] = true
			}
		case classSep:
			if i > 0 && i+1 < len(cs) &&
				cs[i-1].class == classDigit && cs[i+1].class == classDigit &&
				cs[i-1].dir == cs[i+1].dir {
				cs[i].dir = cs[i-1].dir
			} else {
				neutral[i] = true
			}
		}
	}
	// Neutrals between two LTR clusters are LTR; all others are RTL, the
	// paragraph direction (numbers count as RTL here, and so do the line's
	// ends).
	for i := 0; i < len(cs); {
		if !neutral[i] {
			i++
			continue
		}
		j := i
		for j < len(cs) && neutral[j] {
			j++
		}
		d := dirRTL
		if i > 0 && j < len(cs) && cs[i-1].dir == dirLTR && cs[j].dir == dirLTR {
			d = dirLTR
		}
		for k := i; k < j; k++ {
			cs[k].dir = d
		}
		i = j
	}
}
