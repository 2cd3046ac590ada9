package fa

import (
	"strings"
	"unsafe"
)

// Wrap breaks text into lines no wider than width, in logical (reading)
// order, and returns the lines unshaped and in logical order: shape and
// reorder each with Shape and Visual to draw it, or use Lines.
//
// Paragraphs are separated by "\n" (a "\r" before it is dropped) and each
// starts a new line; an empty paragraph gives an empty line. Lines break
// only at spaces and tabs, and a run of them becomes one space. A candidate
// line is measured as measure(Shape(candidate)), since joined letters are
// narrower than isolated ones; measure is in the same unit as width, and
// must not keep the string it is given. A word wider than width on its own
// is not split but put on a line by itself.
func Wrap(text string, width float64, measure func(string) float64) []string {
	var lines []string
	// shaped holds the shaped candidate line, extended in place word by
	// word rather than made anew for each.
	var shaped []byte
	for _, para := range strings.Split(text, "\n") {
		para = strings.TrimSuffix(para, "\r")
		words := strings.FieldsFunc(para, func(r rune) bool { return r == ' ' || r == '\t' })
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		// A space joins nothing, so the shaped candidate is the shaped line,
		// a space and the shaped word: each word is shaped once rather than
		// the whole line again for every word, which made wrapping a
		// paragraph quadratic in its length.
		first := 0 // the line is words[first:i]
		shaped = append(shaped[:0], Shape(words[0])...)
		for i, w := range words[1:] {
			i++
			sw := Shape(w)
			kept := len(shaped)
			shaped = append(append(shaped, ' '), sw...)
			if measure(unsafe.String(&shaped[0], len(shaped))) <= width {
				continue
			}
			shaped = shaped[:kept]
			lines = append(lines, strings.Join(words[first:i], " "))
			first = i
			shaped = append(shaped[:0], sw...)
		}
		lines = append(lines, strings.Join(words[first:], " "))
	}
	return lines
}

// Lines prepares text for drawing: it normalizes it (Normalize), wraps it
// to width (Wrap), shapes each line (Shape) and reorders it for display
// (Visual). The results are in visual order, to be drawn left to right and
// aligned right.
func Lines(text string, width float64, measure func(string) float64) []string {
	lines := Wrap(Normalize(text), width, measure)
	for i, l := range lines {
		lines[i] = Visual(Shape(l))
	}
	return lines
}
