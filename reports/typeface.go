package reports

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/jung-kurt/gofpdf"
	"github.com/taahod/taahod/reports/fa"
	"github.com/taahod/taahod/reports/fonts"
)

// face is one embedded typeface as the documents register it with gofpdf.
type face struct {
	// name is the PostScript name written in the PDF after the subset tag.
	name string
	// family is the key gofpdf registers the face under. gofpdf names an
	// embedded font "utf8"+family and has no subset tag; family is three
	// characters longer than name so that the tagged name tag+"+"+name can
	// replace that text in place without moving any byte offset (see
	// tagSubsets).
	family string
	// ttf is Vazirmatn cut down to the glyphs of drawable.
	ttf []byte
	// parsed is ttf as gofpdf parses it, made once; nil if it could not be
	// (see parsedFont).
	parsed *parsedFont
	// widths is gofpdf's width table of the face, by rune, and
	// missingWidth its width of a rune it lacks; nil if parsed is.
	widths       []int
	missingWidth int
	// subset writes the font's objects for a new set of runes; nil if it
	// cannot write them as gofpdf does, which then writes them itself.
	subset *fontSubsetter
}

// parseFontsOnce is false only in tests that compare documents made with
// the font parsed once against documents that parse it themselves.
var parseFontsOnce = true

// addTo embeds the face in a new document made by newPDF.
func (f face) addTo(pdf *gofpdf.Fpdf) {
	if f.parsed != nil && parseFontsOnce {
		f.parsed.addTo(pdf)
		return
	}
	// Each document gets its own copy of the font: gofpdf reads it through
	// sub-slices and, when it writes the subset, appends padding to them,
	// which writes into the bytes past each table. The bytes it writes are
	// the zeros already there, but on a shared slice that is a data race
	// between concurrent documents.
	pdf.AddUTF8FontFromBytes(f.family, "", bytes.Clone(f.ttf))
}

// typefaces are the fonts of every document, prepared once per process.
//
// The documents embed Vazirmatn Regular only and draw bold text by also
// stroking the glyph outlines (see document.drawLine). Each embedded font
// costs gofpdf about 1.5 ms per document whatever its size (it serialises a
// 65536-entry width table to JSON to name the font, and builds and
// compresses a 128 KB glyph map), and about 9 KB: a second, bold face took
// a certificate from under 5 ms and 30 KB to 7 ms and 39 KB.
type typefaces struct {
	regular face
	// drawable holds every rune the cut fonts map to a glyph; a text with
	// any other rune cannot be drawn faithfully.
	drawable map[rune]bool
}

var (
	typefacesOnce sync.Once
	loadedFaces   *typefaces
	typefacesErr  error
)

// CheckFonts prepares the documents' fonts and reports whether they can draw
// everything the documents may contain: each rune that package fa can emit
// for Persian text (fa.Repertoire), printable ASCII for serials, hashes and
// URLs, and the punctuation of drawableExtras. It cuts Vazirmatn down to
// those glyphs once per process, which is the work every rendering would
// otherwise repeat when gofpdf parses the whole font. The server calls it at
// start-up so that a font that lacks a glyph stops it there rather than
// printing a silent gap on a certificate; the rendering functions call it
// too and return its error.
func CheckFonts() error {
	_, err := loadTypefaces()
	return err
}

func loadTypefaces() (*typefaces, error) {
	typefacesOnce.Do(func() {
		loadedFaces, typefacesErr = cutTypefaces()
	})
	return loadedFaces, typefacesErr
}

// drawableExtras are the runes beyond fa.Repertoire and printable ASCII that
// the documents' own texts use or that people commonly type in names:
// Persian and typographic punctuation, the percent and multiplication signs.
const drawableExtras = "«»–—‘’“”…•·×٪"

// drawableRunes lists the runes the documents are cut to, sorted.
func drawableRunes() []rune {
	set := make(map[rune]bool)
	for _, r := range fa.Repertoire() {
		set[r] = true
	}
	for r := rune(0x20); r <= 0x7E; r++ {
		set[r] = true
	}
	for _, r := range drawableExtras {
		set[r] = true
	}
	out := make([]rune, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func cutTypefaces() (*typefaces, error) {
	runes := drawableRunes()
	cutset := string(runes)
	tf := &typefaces{drawable: make(map[rune]bool, len(runes))}
	for _, r := range runes {
		tf.drawable[r] = true
	}
	for _, f := range []struct {
		dst  *face
		name string
		ttf  []byte
	}{
		{&tf.regular, "Vazirmatn-Regular", fonts.Regular},
	} {
		if missing, err := fa.MissingGlyphs(f.ttf, runes); err != nil {
			return nil, fmt.Errorf("read %s: %w", f.name, err)
		} else if len(missing) > 0 {
			return nil, fmt.Errorf("%s has no glyph for %s", f.name, runeList(missing))
		}
		cut := gofpdf.UTF8CutFont(f.ttf, cutset)
		if len(cut) == 0 {
			return nil, fmt.Errorf("cut %s to the documents' glyphs: gofpdf returned nothing", f.name)
		}
		// The cut must keep every glyph, harakat and presentation forms
		// included: check it the same way as the original.
		if missing, err := fa.MissingGlyphs(cut, runes); err != nil {
			return nil, fmt.Errorf("read %s after cutting: %w", f.name, err)
		} else if len(missing) > 0 {
			return nil, fmt.Errorf("%s lost the glyphs of %s when cut", f.name, runeList(missing))
		}
		family := "taa" + strings.ToLower(f.name)
		*f.dst = face{name: f.name, family: family, ttf: cut, parsed: prepareParsedFont(newPDF, family, cut)}
		if f.dst.parsed != nil {
			if cw, missing, ok := f.dst.parsed.widths(); ok {
				f.dst.widths, f.dst.missingWidth = cw, missing
			}
			if s, err := newFontSubsetter(f.dst.parsed, family); err == nil {
				f.dst.subset = s
			}
		}
	}
	return tf, nil
}

// undrawable returns the runes of s that the documents' fonts cannot draw,
// each once, in order of appearance.
func (tf *typefaces) undrawable(s string) []rune {
	var out []rune
	for _, r := range s {
		if !tf.drawable[r] && !strings.ContainsRune(string(out), r) {
			out = append(out, r)
		}
	}
	return out
}

// runeList writes runes for an error message: each as U+XXXX with the
// character itself.
func runeList(rs []rune) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("U+%04X %q", r, r)
	}
	return strings.Join(parts, ", ")
}
