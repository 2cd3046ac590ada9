package fa

import (
	"encoding/binary"
	"testing"

	"github.com/taahod/taahod/reports/fonts"
)

func TestFontsCoverRepertoire(t *testing.T) {
	for name, ttf := range map[string][]byte{"Regular": fonts.Regular, "Bold": fonts.Bold} {
		missing, err := MissingGlyphs(ttf, Repertoire())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(missing) > 0 {
			t.Errorf("Vazirmatn %s lacks %s", name, hex(string(missing)))
		}
	}
}

func TestMissingGlyphs(t *testing.T) {
	// Vazirmatn has no isolated heh with yeh above (U+FBA4), which is why
	// Shape avoids it, nor Hangul or emoji.
	in := []rune{'a', 0xFBA4, 'ب', 0xAC00, 0xFBA4, 0x1F600, 0x06C0, 0xFBA5}
	got, err := MissingGlyphs(fonts.Regular, in)
	if err != nil {
		t.Fatal(err)
	}
	if want := []rune{0xFBA4, 0xAC00, 0x1F600}; string(got) != string(want) {
		t.Errorf("MissingGlyphs = %s, want %s", hex(string(got)), hex(string(want)))
	}
}

// TestMissingGlyphsFormat12 builds a font holding only a cmap with a
// format 12 subtable, to test the part of the parser Vazirmatn (format 4
// only) does not reach.
func TestMissingGlyphsFormat12(t *testing.T) {
	sub := []byte{0, 12, 0, 0}
	sub = binary.BigEndian.AppendUint32(sub, 16+12*2) // length
	sub = binary.BigEndian.AppendUint32(sub, 0)       // language
	sub = binary.BigEndian.AppendUint32(sub, 2)       // groups
	for _, g := range [][3]uint32{{0x41, 0x5A, 1}, {0x1F600, 0x1F601, 30}} {
		for _, v := range g {
			sub = binary.BigEndian.AppendUint32(sub, v)
		}
	}
	cmapTable := []byte{0, 0, 0, 1, 0, 3, 0, 10, 0, 0, 0, 12}
	cmapTable = append(cmapTable, sub...)
	font := []byte{0, 1, 0, 0, 0, 1, 0, 16, 0, 0, 0, 0}
	font = append(font, "cmap"...)
	font = binary.BigEndian.AppendUint32(font, 0)
	font = binary.BigEndian.AppendUint32(font, 28)
	font = binary.BigEndian.AppendUint32(font, uint32(len(cmapTable)))
	font = append(font, cmapTable...)

	got, err := MissingGlyphs(font, []rune{'A', 'Z', '[', 0x1F600, 0x1F601, 0x1F602, 'a'})
	if err != nil {
		t.Fatal(err)
	}
	if want := []rune{'[', 0x1F602, 'a'}; string(got) != string(want) {
		t.Errorf("MissingGlyphs = %s, want %s", hex(string(got)), hex(string(want)))
	}
}

func TestMissingGlyphsErrors(t *testing.T) {
	tests := map[string][]byte{
		"empty":      nil,
		"collection": []byte("ttcf\x00\x01\x00\x00"),
		"no cmap":    {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		"truncated":  fonts.Regular[:200],
	}
	for name, ttf := range tests {
		if _, err := MissingGlyphs(ttf, []rune{'a'}); err == nil {
			t.Errorf("%s: MissingGlyphs succeeded, want an error", name)
		}
	}
}

func TestRunes(t *testing.T) {
	if got, want := string(Runes("سلام", "ما", "")), "سلام"; got != want {
		t.Errorf("Runes = %q, want %q", got, want)
	}
}

func FuzzMissingGlyphs(f *testing.F) {
	f.Add(fonts.Regular[:4096])
	f.Add([]byte("\x00\x01\x00\x00\x00\x01\x00\x10\x00\x00\x00\x00cmap\x00\x00\x00\x00\x00\x00\x00\x1c\x00\x00\x00\x20"))
	f.Fuzz(func(t *testing.T, ttf []byte) {
		MissingGlyphs(ttf, []rune{'a', 'ب', 0xFFFF, 0x10FFFF, -1})
	})
}
