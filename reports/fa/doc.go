// Package fa prepares Persian text for drawing by libraries that place one
// glyph per rune left to right: normalization, digits, amounts in words,
// Jalali date display, contextual shaping, bidi reordering and line wrapping.
//
// It depends on no PDF library. A typical line goes through Lines, which
// normalizes, wraps, shapes (Shape) and reorders (Visual); the result is
// drawn right-aligned in a font that covers Repertoire, such as Vazirmatn
// from package reports/fonts.
package fa
