package reports

import (
	"bytes"
	"reflect"
	"strings"
	"unsafe"

	"github.com/jung-kurt/gofpdf"
)

// parsedFont is a UTF-8 font as gofpdf's AddUTF8FontFromBytes leaves it in
// a document, parsed once per process and copied into each new document.
//
// AddUTF8FontFromBytes parses the TrueType tables, builds a 65536-entry
// width table and serialises the whole definition to JSON to name the font:
// about 1.6 ms and 1.7 MB per document, a quarter of a certificate, for
// the same result every time. gofpdf (archived at v1.16.2) has no way to
// add a font it has parsed already, so addTo writes the definition into
// the document's font map through reflection, as addFontFromBytes would
// have: the same definition, named by the same id, so the PDF is the same
// byte for byte (TestParsedFontSameBytes compares the two ways).
//
// What a document changes is its own: gofpdf records the runes a document
// draws in the definition's usedRunes map, and, when it writes the subset,
// re-reads the font through its file reader and reassigns every table of
// the parsed font file it derives. So each copy gets a fresh usedRunes map,
// a shallow copy of the parsed font file and a reader of its own, which is
// given its own copy of the font bytes before gofpdf subsets (ownBytes);
// the width table and the parsed tables stay shared and are only read.
//
// If gofpdf's internals are not what this expects, prepareParsedFont
// returns nil and documents add the font the ordinary way.
type parsedFont struct {
	key   reflect.Value // the font's key in gofpdf's map: family + style
	def   reflect.Value // fontDefType as parsed, never given to a document
	file  reflect.Value // *utf8FontFile of def
	runes reflect.Value // usedRunes of def before any text is drawn
	ttf   []byte
}

// prepareParsedFont parses ttf as family in a document made by newPDF and
// keeps the result; nil if gofpdf's internals differ from those this
// package was written against.
func prepareParsedFont(newPDF func() *gofpdf.Fpdf, family string, ttf []byte) *parsedFont {
	pdf := newPDF()
	pdf.AddUTF8FontFromBytes(family, "", bytes.Clone(ttf))
	if pdf.Error() != nil {
		return nil
	}
	fonts, ok := field(reflect.ValueOf(pdf).Elem(), "fonts", reflect.Map)
	if !ok || fonts.Len() != 1 || fonts.Type().Key().Kind() != reflect.String {
		return nil
	}
	key := reflect.ValueOf(strings.ToLower(family)).Convert(fonts.Type().Key())
	stored := fonts.MapIndex(key)
	if !stored.IsValid() || stored.Kind() != reflect.Struct {
		return nil
	}
	def := reflect.New(stored.Type()).Elem()
	def.Set(stored)
	file, ok := field(def, "utf8File", reflect.Pointer)
	if !ok || file.IsNil() || file.Elem().Kind() != reflect.Struct {
		return nil
	}
	reader, ok := field(file.Elem(), "fileReader", reflect.Pointer)
	if !ok || reader.IsNil() || reader.Elem().Kind() != reflect.Struct {
		return nil
	}
	if a, ok := field(reader.Elem(), "array", reflect.Slice); !ok || a.Type() != reflect.TypeOf([]byte(nil)) {
		return nil
	}
	if p, ok := field(reader.Elem(), "readerPosition", reflect.Int64); !ok || p.Int() < 0 {
		return nil
	}
	runes, ok := field(def, "usedRunes", reflect.Map)
	if !ok {
		return nil
	}
	return &parsedFont{key: key, def: def, file: file, runes: runes, ttf: bytes.Clone(ttf)}
}

// addTo adds the font to pdf, which must have been made like the document
// the font was parsed in and have no font of that name yet.
func (p *parsedFont) addTo(pdf *gofpdf.Fpdf) {
	fonts, _ := field(reflect.ValueOf(pdf).Elem(), "fonts", reflect.Map)
	def := reflect.New(p.def.Type()).Elem()
	def.Set(p.def)

	reader := reflect.New(p.file.Elem().FieldByName("fileReader").Type().Elem())
	array, _ := field(reader.Elem(), "array", reflect.Slice)
	array.SetBytes(p.ttf) // shared until ownBytes, which output calls before gofpdf subsets
	file := reflect.New(p.file.Type().Elem())
	file.Elem().Set(p.file.Elem())
	fr, _ := field(file.Elem(), "fileReader", reflect.Pointer)
	fr.Set(reader)
	f, _ := field(def, "utf8File", reflect.Pointer)
	f.Set(file)

	runes := reflect.MakeMapWithSize(p.runes.Type(), p.runes.Len())
	for it := p.runes.MapRange(); it.Next(); {
		runes.SetMapIndex(it.Key(), it.Value())
	}
	r, _ := field(def, "usedRunes", reflect.Map)
	r.Set(runes)

	fonts.SetMapIndex(p.key, def)
}

// ownBytes gives the font's reader in pdf, which addTo gave the shared
// font bytes, a copy of its own: gofpdf reads the font through it only
// when it writes the font's subset, and then writes into it (see
// face.addTo). A document whose font objects are written from those of an
// earlier one (output) never needs the copy.
func (p *parsedFont) ownBytes(pdf *gofpdf.Fpdf) {
	fonts, ok := field(reflect.ValueOf(pdf).Elem(), "fonts", reflect.Map)
	if !ok {
		return
	}
	def := fonts.MapIndex(p.key)
	if !def.IsValid() || def.Kind() != reflect.Struct {
		return
	}
	file := def.FieldByName("utf8File")
	if !file.IsValid() || file.Kind() != reflect.Pointer || file.IsNil() {
		return
	}
	reader, ok := field(file.Elem(), "fileReader", reflect.Pointer)
	if !ok || reader.IsNil() {
		return
	}
	if array, ok := field(reader.Elem(), "array", reflect.Slice); ok {
		array.SetBytes(bytes.Clone(array.Bytes()))
	}
}

// widths returns the font's width table, indexed by rune, and its width
// for a rune it lacks: what gofpdf measures text with.
func (p *parsedFont) widths() (cw []int, missing int, ok bool) {
	c := p.def.FieldByName("Cw")
	desc := p.def.FieldByName("Desc")
	if !c.IsValid() || c.Type() != reflect.TypeOf(cw) || !desc.IsValid() || desc.Kind() != reflect.Struct {
		return nil, 0, false
	}
	m := desc.FieldByName("MissingWidth")
	if !m.IsValid() || m.Kind() != reflect.Int {
		return nil, 0, false
	}
	return c.Interface().([]int), int(m.Int()), true
}

// field returns the named field of the addressable struct v, settable
// although unexported, if it exists and is of kind k.
func field(v reflect.Value, name string, k reflect.Kind) (reflect.Value, bool) {
	f := v.FieldByName(name)
	if !f.IsValid() || f.Kind() != k || !f.CanAddr() {
		return reflect.Value{}, false
	}
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem(), true
}
