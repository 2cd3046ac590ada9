package fa

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// MissingGlyphs reports which of runes the TrueType or OpenType font ttf has
// no glyph for, according to its cmap table. The result keeps the order in
// which runes first appear and lists each missing rune once; it is empty when
// the font covers them all.
//
// Only Unicode cmap subtables are read (platform 0, and platform 3 with
// encoding 1 or 10), in formats 4 and 12; a rune counts as covered if any of
// them maps it to a glyph other than .notdef. MissingGlyphs returns an error
// if ttf is not a single font with such a subtable, or if the tables it reads
// are truncated. Font collections (.ttc) are not supported.
func MissingGlyphs(ttf []byte, runes []rune) ([]rune, error) {
	cm, err := parseCmap(ttf)
	if err != nil {
		return nil, err
	}
	var missing []rune
	seen := make(map[rune]bool)
	for _, r := range runes {
		if seen[r] {
			continue
		}
		seen[r] = true
		if !cm.covers(r) {
			missing = append(missing, r)
		}
	}
	return missing, nil
}

// Repertoire lists every rune that Shape, Digits, GroupAmount and Visual can
// emit for Persian input: the presentation forms of the letters Shape knows
// (with U+06C0 itself standing for the isolated ۀ), hamza, tatweel, the
// harakat it keeps, Persian digits, the Arabic thousands and decimal
// separators, the minus sign and date slash, space, Arabic punctuation, and
// the paired brackets and guillemets that Visual mirrors.
// The font the documents are drawn with must cover all of it.
func Repertoire() []rune {
	set := make(map[rune]bool)
	add := func(rs ...rune) {
		for _, r := range rs {
			set[r] = true
		}
	}
	for _, f := range letterForms {
		add(f.iso, f.fin)
		if f.dual {
			add(f.ini, f.med)
		}
	}
	for _, l := range lamAlefs {
		add(l.iso, l.fin)
	}
	add('\u0621', tatweel) // hamza has no joining forms
	// Harakat, and madda and hamza above and below (ـهٔ is written with
	// U+0654), and the superscript alef.
	for r := rune(0x064B); r <= 0x0655; r++ {
		add(r)
	}
	add(0x0670)
	for r := rune('۰'); r <= '۹'; r++ {
		add(r)
	}
	add(thousandsSep, decimalSep, '-', '/', ' ')
	add('،', '؛', '؟') // Arabic comma, semicolon and question mark pass through
	for a, b := range mirrors {
		add(a, b)
	}
	out := make([]rune, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Runes returns the distinct runes of strs in order of first appearance, as
// input for MissingGlyphs when checking that a font can draw given texts.
func Runes(strs ...string) []rune {
	var out []rune
	seen := make(map[rune]bool)
	for _, s := range strs {
		for _, r := range s {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	return out
}

var errTruncated = errors.New("font data truncated")

// cmap is the union of the usable Unicode subtables of a font's cmap.
type cmap struct {
	data   []byte
	format []int // format of each subtable, parallel to offset
	offset []int // offset of each subtable within data
}

func u16(b []byte, off int) (int, error) {
	if off < 0 || off+2 > len(b) {
		return 0, errTruncated
	}
	return int(binary.BigEndian.Uint16(b[off:])), nil
}

func u32(b []byte, off int) (int64, error) {
	if off < 0 || off+4 > len(b) {
		return 0, errTruncated
	}
	return int64(binary.BigEndian.Uint32(b[off:])), nil
}

// parseCmap finds the cmap table through the table directory and records
// the Unicode subtables in formats 4 and 12, after checking that each one
// lies wholly inside the data so that lookups cannot read past it.
func parseCmap(ttf []byte) (*cmap, error) {
	if len(ttf) >= 4 && string(ttf[:4]) == "ttcf" {
		return nil, errors.New("font collections are not supported")
	}
	numTables, err := u16(ttf, 4)
	if err != nil {
		return nil, fmt.Errorf("read table directory: %w", err)
	}
	var table []byte
	for i := 0; i < numTables; i++ {
		rec := 12 + 16*i
		if rec+16 > len(ttf) {
			return nil, fmt.Errorf("read table directory: %w", errTruncated)
		}
		if string(ttf[rec:rec+4]) != "cmap" {
			continue
		}
		off, _ := u32(ttf, rec+8)
		n, _ := u32(ttf, rec+12)
		if off+n > int64(len(ttf)) {
			return nil, fmt.Errorf("read cmap: %w", errTruncated)
		}
		table = ttf[off : off+n]
		break
	}
	if table == nil {
		return nil, errors.New("font has no cmap table")
	}
	n, err := u16(table, 2)
	if err != nil {
		return nil, fmt.Errorf("read cmap: %w", err)
	}
	cm := &cmap{data: table}
	for i := 0; i < n; i++ {
		rec := 4 + 8*i
		platform, err := u16(table, rec)
		if err != nil {
			return nil, fmt.Errorf("read cmap encoding records: %w", err)
		}
		encoding, _ := u16(table, rec+2)
		off64, err := u32(table, rec+4)
		if err != nil {
			return nil, fmt.Errorf("read cmap encoding records: %w", err)
		}
		unicode := platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10))
		if !unicode || off64 >= int64(len(table)) {
			continue
		}
		off := int(off64)
		format, err := u16(table, off)
		if err != nil {
			return nil, fmt.Errorf("read cmap subtable: %w", err)
		}
		var length int64
		switch format {
		case 4:
			l, _ := u16(table, off+2)
			length = int64(l)
		case 12:
			if length, err = u32(table, off+4); err != nil {
				return nil, fmt.Errorf("read cmap subtable: %w", err)
			}
		default:
			continue
		}
		if int64(off)+length > int64(len(table)) {
			return nil, fmt.Errorf("read cmap format %d subtable: %w", format, errTruncated)
		}
		if err := checkSubtable(table[off:int64(off)+length], format); err != nil {
			return nil, fmt.Errorf("read cmap format %d subtable: %w", format, err)
		}
		cm.format = append(cm.format, format)
		cm.offset = append(cm.offset, off)
	}
	if len(cm.offset) == 0 {
		return nil, errors.New("font has no Unicode cmap subtable in format 4 or 12")
	}
	return cm, nil
}

// checkSubtable verifies that the fixed-size arrays a subtable declares fit
// inside it.
func checkSubtable(sub []byte, format int) error {
	switch format {
	case 4:
		segX2, err := u16(sub, 6)
		if err != nil {
			return err
		}
		if 16+4*segX2 > len(sub) {
			return errTruncated
		}
	case 12:
		groups, err := u32(sub, 12)
		if err != nil {
			return err
		}
		if 16+12*groups > int64(len(sub)) {
			return errTruncated
		}
	}
	return nil
}

func (c *cmap) covers(r rune) bool {
	for i, off := range c.offset {
		var g int
		if c.format[i] == 4 {
			g = glyph4(c.data[off:], r)
		} else {
			g = glyph12(c.data[off:], r)
		}
		if g != 0 {
			return true
		}
	}
	return false
}

// glyph4 looks r up in a format 4 subtable (segment mapping to delta values,
// Basic Multilingual Plane only) and returns its glyph id, 0 if none.
func glyph4(sub []byte, r rune) int {
	if r < 0 || r > 0xFFFF {
		return 0
	}
	c := int(r)
	segX2, _ := u16(sub, 6)
	ends := 14
	starts := ends + segX2 + 2
	deltas := starts + segX2
	rangeOffsets := deltas + segX2
	for i := 0; i < segX2/2; i++ {
		end, _ := u16(sub, ends+2*i)
		if c > end {
			continue
		}
		start, _ := u16(sub, starts+2*i)
		if c < start {
			return 0
		}
		delta, _ := u16(sub, deltas+2*i)
		ro, _ := u16(sub, rangeOffsets+2*i)
		if ro == 0 {
			return (c + delta) & 0xFFFF
		}
		g, err := u16(sub, rangeOffsets+2*i+ro+2*(c-start))
		if err != nil || g == 0 {
			return 0
		}
		return (g + delta) & 0xFFFF
	}
	return 0
}

// glyph12 looks r up in a format 12 subtable (segmented coverage) and
// returns its glyph id, 0 if none.
func glyph12(sub []byte, r rune) int {
	groups, _ := u32(sub, 12)
	c := int64(r)
	for i := int64(0); i < groups; i++ {
		g := 16 + 12*int(i)
		start, _ := u32(sub, g)
		end, _ := u32(sub, g+4)
		if c < start || c > end {
			continue
		}
		first, _ := u32(sub, g+8)
		return int(first + c - start)
	}
	return 0
}
