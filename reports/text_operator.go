package reports

import (
	"reflect"
	"strconv"
	"unsafe"

	"github.com/jung-kurt/gofpdf"
)

// textWriter writes the text operators gofpdf's Text writes, byte for byte,
// without its allocations: Text formats them with fmt, converts the text
// to runes, to UTF-16 in a new string and through four string
// replacements, a quarter of a certificate's allocations. It reads the
// document's state that Text reads through pointers to gofpdf's fields,
// found once per document; newTextWriter returns nil if gofpdf's internals
// are not those this was written against, and the document then calls
// Text. TestFastOutputSameBytes compares documents written both ways.
type textWriter struct {
	k, h                         *float64 // scale (points per mm), page height in mm
	utf8, rtl, underline, strike *bool
	colorFlag                    *bool   // the text colour differs from the fill colour
	textColor                    *string // the operator that sets the text colour
	used                         map[int]int
	buf                          []byte
}

// newTextWriter finds what textWriter needs in pdf, whose one font is the
// face f.
func newTextWriter(pdf *gofpdf.Fpdf, f face) *textWriter {
	if f.parsed == nil || !fastOutput {
		return nil
	}
	v := reflect.ValueOf(pdf).Elem()
	ptr := func(v reflect.Value, name string, k reflect.Kind) unsafe.Pointer {
		if !v.IsValid() {
			return nil
		}
		fv, ok := field(v, name, k)
		if !ok {
			return nil
		}
		return unsafe.Pointer(fv.UnsafeAddr())
	}
	color, _ := field(v, "color", reflect.Struct)
	var text reflect.Value
	if color.IsValid() {
		text, _ = field(color, "text", reflect.Struct)
	}
	ps := []unsafe.Pointer{
		ptr(v, "k", reflect.Float64), ptr(v, "h", reflect.Float64),
		ptr(v, "isCurrentUTF8", reflect.Bool), ptr(v, "isRTL", reflect.Bool),
		ptr(v, "underline", reflect.Bool), ptr(v, "strikeout", reflect.Bool),
		ptr(v, "colorFlag", reflect.Bool), ptr(text, "str", reflect.String),
	}
	for _, p := range ps {
		if p == nil {
			return nil
		}
	}
	fonts, ok := field(v, "fonts", reflect.Map)
	if !ok {
		return nil
	}
	def := fonts.MapIndex(f.parsed.key)
	if !def.IsValid() || def.Kind() != reflect.Struct {
		return nil
	}
	c := reflect.New(def.Type()).Elem()
	c.Set(def)
	u, ok := field(c, "usedRunes", reflect.Map)
	if !ok || u.Type() != reflect.TypeOf(map[int]int(nil)) || u.IsNil() {
		return nil
	}
	return &textWriter{
		k: (*float64)(ps[0]), h: (*float64)(ps[1]),
		utf8: (*bool)(ps[2]), rtl: (*bool)(ps[3]), underline: (*bool)(ps[4]), strike: (*bool)(ps[5]),
		colorFlag: (*bool)(ps[6]), textColor: (*string)(ps[7]),
		// The map the document's font and its current font share: a map
		// refers to the same entries wherever it is copied.
		used: *(*map[int]int)(unsafe.Pointer(u.UnsafeAddr())),
	}
}

// text does what pdf.Text(x, y, s) does, and reports false, doing nothing,
// where it cannot (right-to-left mode, underlined or struck-out text, a
// font other than a UTF-8 one), for the caller to call Text.
func (t *textWriter) text(pdf *gofpdf.Fpdf, x, y float64, s string) bool {
	if !*t.utf8 || *t.rtl || *t.underline || *t.strike {
		return false
	}
	b := t.buf[:0]
	if *t.colorFlag {
		b = append(b, "q "...)
		b = append(b, *t.textColor...)
		b = append(b, ' ')
	}
	// "BT %.2f %.2f Td (%s) Tj ET": fmt writes %.2f as AppendFloat does.
	b = append(b, "BT "...)
	b = strconv.AppendFloat(b, x**t.k, 'f', 2, 64)
	b = append(b, ' ')
	b = strconv.AppendFloat(b, (*t.h-y)**t.k, 'f', 2, 64)
	b = append(b, " Td ("...)
	b = appendEscapedUTF16(b, s)
	b = append(b, ") Tj ET"...)
	if *t.colorFlag {
		b = append(b, " Q"...)
	}
	for _, r := range s {
		t.used[int(r)] = int(r)
	}
	// RawWriteStr copies the bytes into the page.
	pdf.RawWriteStr(unsafe.String(unsafe.SliceData(b), len(b)))
	t.buf = b
	return true
}

// appendEscapedUTF16 appends s as gofpdf's escape(utf8toutf16(s, false))
// writes it: each character as two bytes, as gofpdf's converter reads
// UTF-8 (a four-byte character as if it had three), and then the bytes
// \ ( ) and CR escaped with a backslash, which gofpdf does with one
// replacement after another, to the same effect.
func appendEscapedUTF16(b []byte, s string) []byte {
	put := func(c byte) {
		switch c {
		case '\\', '(', ')':
			b = append(b, '\\', c)
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	for i := 0; i < len(s); {
		c1 := s[i]
		i++
		switch {
		case c1 >= 224:
			c2, c3 := s[i], s[i+1]
			i += 2
			put(((c1 & 0x0F) << 4) + ((c2 & 0x3C) >> 2))
			put(((c2 & 0x03) << 6) + (c3 & 0x3F))
		case c1 >= 192:
			c2 := s[i]
			i++
			put((c1 & 0x1C) >> 2)
			put(((c1 & 0x03) << 6) + (c2 & 0x3F))
		default:
			put(0)
			put(c1)
		}
	}
	return b
}
