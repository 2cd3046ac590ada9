package reports

import (
	"strings"
	"unicode"
	"unicode/utf16"

	"github.com/taahod/taahod/reports/fa"
)

// Text extraction.
//
// The documents draw Persian as presentation-form glyphs in visual order
// (package fa), so a PDF's glyphs alone give a reader that copies or
// searches them reversed text in presentation forms with the half-spaces
// gone. Each piece of a line is therefore drawn inside a marked-content
// span whose /ActualText is the logical text it shows (PDF 32000-1 §14.9.4):
// standard Arabic letters, ZWNJ kept, brackets unmirrored.
//
// Extractors do not take ActualText as is. Poppler (pdftotext, Evince, the
// tests' reader) lays the span's characters over the span left to right,
// then reorders every line with its own simple bidi rules: it reverses runs
// of right-to-left letters, keeps runs of Latin letters, digits and
// # $ % + , - . / : ، ٪ ٫ ٬ in order, and lets other characters join the
// run they touch. So a span holds text of one direction only, and its
// ActualText is written in the order that poppler turns back into reading
// order: a right-to-left piece reversed, a left-to-right piece as it is,
// each fenced with an invisible RLM or LRM where a neutral character at its
// edge would otherwise drift into its neighbour's run. pdftotext then gives
// the logical text of every line, plus those marks and its own U+202A–U+202C
// embeddings, which are invisible in any text field.
//
// In raw mode (pdftotext -raw) poppler keeps the spans in drawing order and
// starts a new output line whenever the next span lies to the left of the
// last; the spans are drawn in reading order, so a line that mixes
// directions comes out in reading order but broken where its direction
// changes. No single drawing order serves both modes: the default mode
// reads a line from right to left, raw mode from left to right.

const (
	rlm = '\u200F' // right-to-left mark: a strong right-to-left character to poppler
	lrm = '\u200E' // left-to-right mark: a strong left-to-right one
)

// extractClass is how poppler's text extractor classes a character when it
// reorders a line (poppler's UnicodeTypeTable: R, L or number, and the rest).
type extractClass int

const (
	extractNeutral extractClass = iota
	extractRTL
	extractLTR // a left-to-right letter or a character poppler counts as part of a number
)

// classForExtraction returns poppler's class of r. TestExtractClasses checks
// it against pdftotext for every rune the documents can draw.
func classForExtraction(r rune) extractClass {
	switch {
	case r == lrm,
		r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("#$%+,-./:", r)),
		r == 0x060C, r >= 0x0660 && r <= 0x066C, r >= 0x06F0 && r <= 0x06F9,
		r >= 0x2030 && r <= 0x2034:
		return extractLTR
	case r == rlm:
		return extractRTL
	case r >= 0x064B && r <= 0x065F, r == 0x0670, r == zwnj, r == zwj:
		return extractNeutral
	case r >= 0x0590 && r <= 0x08FF, r >= 0xFB1D && r <= 0xFDFF, r >= 0xFE70 && r <= 0xFEFE:
		return extractRTL
	case unicode.IsLetter(r):
		return extractLTR
	}
	return extractNeutral
}

const (
	zwnj = '\u200C'
	zwj  = '\u200D'
)

// textPiece is a stretch of a line drawn in one marked-content span.
type textPiece struct {
	glyphs string // what is drawn, shaped and in visual order
	actual string // its /ActualText, in the order poppler reads back
}

// extractionPieces splits a logical line into the pieces it is drawn in, in
// reading order (right to left on the page); shape is
// fa.Visual(fa.Shape(...)), made once per document (document.shape). Drawn
// from right to left, the glyphs of the pieces are Visual(Shape(line)).
func extractionPieces(line string, shape func(string) string) []textPiece {
	var out []textPiece
	for _, run := range fa.Runs(line) {
		if !run.RTL {
			out = append(out, textPiece{glyphs: shape(run.Text), actual: ltrActual(run.Text)})
			continue
		}
		// Within a right-to-left run, the characters poppler takes for
		// left-to-right (a colon, a full stop, an Arabic comma) go in spans
		// of their own.
		rs := []rune(run.Text)
		for i := 0; i < len(rs); {
			weak := classForExtraction(rs[i]) == extractLTR
			j := i
			for j < len(rs) && (classForExtraction(rs[j]) == extractLTR) == weak {
				j++
			}
			piece := string(rs[i:j])
			p := textPiece{glyphs: shape(piece)}
			if weak {
				p.actual = string(rlm) + ltrActual(piece) + string(rlm)
			} else {
				p.actual = rtlActual(rs[i:j])
			}
			out = append(out, p)
			i = j
		}
	}
	return out
}

// rtlActual writes a right-to-left piece for poppler: reversed, beginning
// and ending with a right-to-left character.
func rtlActual(rs []rune) string {
	var b strings.Builder
	if classForExtraction(rs[len(rs)-1]) != extractRTL {
		b.WriteRune(rlm)
	}
	for i := len(rs) - 1; i >= 0; i-- {
		b.WriteRune(rs[i])
	}
	if classForExtraction(rs[0]) != extractRTL {
		b.WriteRune(rlm)
	}
	return b.String()
}

// ltrActual writes a left-to-right piece for poppler: as it is, ending with
// a left-to-right character.
func ltrActual(s string) string {
	rs := []rune(s)
	if len(rs) > 0 && classForExtraction(rs[len(rs)-1]) != extractLTR {
		return s + string(lrm)
	}
	return s
}

// actualTextOperator opens a marked-content span whose ActualText is s, as a
// UTF-16BE string with its byte order mark.
func actualTextOperator(s string) string {
	const digits = "0123456789ABCDEF"
	units := utf16.Encode([]rune(s))
	b := make([]byte, 0, 32+4*len(units))
	b = append(b, "/Span <</ActualText <FEFF"...)
	for _, u := range units {
		b = append(b, digits[u>>12], digits[u>>8&0xF], digits[u>>4&0xF], digits[u&0xF])
	}
	return string(append(b, ">>> BDC"...))
}

// remember records that the visual line was made from the logical one, for
// text to find when it draws the line. Two logical lines that draw the same
// glyphs (they can differ only by a ZWNJ after a letter that does not join
// forward) share the record of the later one.
func (d *document) remember(visual, logical string) {
	if d.logical == nil {
		d.logical = make(map[string]string)
	}
	d.logical[visual] = logical
}

// drawPieces draws a visual line whose baseline starts at (x, base), each
// piece in its own ActualText span, in reading order. A line drawn by
// lines keeps its logical text; any other is left-to-right text drawn as
// it is (a serial, a number). It reports false, drawing nothing, for a line
// it cannot split into pieces that draw the same glyphs.
func (d *document) drawPieces(x, base float64, line string, draw func(x float64, glyphs string)) bool {
	logical, ok := d.logical[line]
	var pieces []textPiece
	switch {
	case ok:
		pieces = extractionPieces(logical, d.shape)
	case !hasRTL(line):
		pieces = []textPiece{{glyphs: line, actual: ltrActual(line)}}
	default:
		return false
	}
	var joined strings.Builder
	for i := len(pieces) - 1; i >= 0; i-- {
		joined.WriteString(pieces[i].glyphs)
	}
	if joined.String() != line {
		return false
	}
	right := x + d.width(line)
	for _, p := range pieces {
		w := d.width(p.glyphs)
		right -= w
		d.pdf.RawWriteStr(actualTextOperator(p.actual))
		draw(right, p.glyphs)
		d.pdf.RawWriteStr("EMC")
	}
	return true
}
