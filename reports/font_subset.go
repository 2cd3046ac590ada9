package reports

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"

	"github.com/jung-kurt/gofpdf"
)

// Writing the embedded font's objects for a new set of runes.
//
// A document whose runes no earlier document drew needs the seven objects
// of its font written anew (output keeps them by rune set afterwards).
// gofpdf's putfonts did it by parsing the font file again, cutting a
// subset of it (GenerateCutFont), building the /W widths array and a
// 128 KB CIDToGIDMap, and compressing the subset and the map each with a
// new zlib compressor: about 2.5 ms and 3.6 MB, half of such a document.
// fontSubsetter writes the same objects from the font read once, with a
// reused compressor at gofpdf's level.
//
// The bytes must be gofpdf's exactly, because stored certificates are
// rendered again and compared (RendererVersion), so this is gofpdf's
// algorithm step for step, its quirks included: the table order and
// padding of assembleTables, its checksum adjustment (which carries a
// borrow into the wrong direction: checksumAdjustment), the cmap format 4
// table of generateCMAPTable (whose length field and trailing glyph array
// are not what the format says), composite glyphs' components numbered
// after the glyphs drawn in the order they are found, and the /W array of
// generateCIDFontMap. newFontSubsetter compares its objects with gofpdf's
// for one rune set before it is used, TestFontSubsetSameBytes for many,
// and fonts it does not read as gofpdf would (horizontal metrics shorter
// than the glyph count, malformed composite glyphs) are left to gofpdf.
type fontSubsetter struct {
	name   string            // the font's name in the PDF: "utf8" and gofpdf's key
	tables map[string][]byte // the font file's tables by tag, as gofpdf reads them
	glyf   []byte
	hmtx   []byte
	// loca holds each glyph's offset in glyf, and the end of the last.
	loca []int
	// glyphOf maps each rune of the cmap's segments to its glyph, as
	// gofpdf's generateCMAP does (glyph 0 included).
	glyphOf map[int]int
	// components lists, for each composite glyph, the glyphs it is made
	// of and where their numbers are in its data; nil for a simple one.
	components [][]glyphComponent
	cw         []int // gofpdf's width table, by rune; shared, only read
	// widthRunes are the runes whose width in cw is not 0, in order: the
	// only ones the /W array may list.
	widthRunes []int
	desc       gofpdf.FontDescType
	// head are the objects' fixed parts, made once.
	head fontObjectParts
}

// glyphComponent is one component of a composite glyph: the glyph it
// draws and the offset of that glyph's number within the composite's data.
type glyphComponent struct{ glyph, at int }

// fontObjectParts are the parts of a font's seven objects that do not
// depend on the runes drawn.
type fontObjectParts struct {
	type0, cidSystemInfo, toUnicode, descriptor []blockPiece
	cidFont                                     []blockPiece // up to /DW or /W
	cidFontTail                                 []blockPiece // from /CIDToGIDMap
}

// gofpdfToUnicode is the ToUnicode CMap gofpdf writes for every UTF-8 font
// (its toUnicode): the identity, character codes being Unicode.
const gofpdfToUnicode = "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"

// maxComponentDepth bounds the nesting of composite glyphs: a font whose
// glyphs nest deeper (or in a cycle) is left to gofpdf.
const maxComponentDepth = 32

// newFontSubsetter reads p's font file as gofpdf's GenerateCutFont reads
// it, then checks that it writes gofpdf's objects for every rune the font
// maps (the documents' whole repertoire); it returns an error for a font
// it cannot write as gofpdf would.
func newFontSubsetter(p *parsedFont, family string) (*fontSubsetter, error) {
	s, err := readFontSubsetter(p)
	if err != nil {
		return nil, err
	}
	runes := make([]rune, 0, len(s.glyphOf))
	for r := range s.glyphOf {
		if r >= 0x20 && r < 0xFFFF {
			runes = append(runes, rune(r))
		}
	}
	slices.Sort(runes)
	want, first, used, err := gofpdfFontBlock(p, family, string(runes))
	if err != nil {
		return nil, fmt.Errorf("write the font with gofpdf: %w", err)
	}
	got, err := s.block(used)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(got.render(first), want.render(first)) {
		return nil, fmt.Errorf("the font objects differ from gofpdf's")
	}
	return s, nil
}

// readFontSubsetter reads what the subsets need from p's font file.
func readFontSubsetter(p *parsedFont) (*fontSubsetter, error) {
	ttf := p.ttf
	name := p.def.FieldByName("Name")
	cw, _, ok := p.widths()
	desc := p.def.FieldByName("Desc")
	if !ok || !name.IsValid() || name.Kind() != reflect.String || !desc.IsValid() || desc.Type() != reflect.TypeOf(gofpdf.FontDescType{}) {
		return nil, fmt.Errorf("gofpdf's font definition is not what the subsetter expects")
	}
	s := &fontSubsetter{name: "utf8" + name.String(), cw: cw, desc: desc.Interface().(gofpdf.FontDescType)}
	for r, w := range cw {
		if w != 0 {
			s.widthRunes = append(s.widthRunes, r)
		}
	}

	// The table directory (generateTableDescriptions).
	if len(ttf) < 12 {
		return nil, fmt.Errorf("font file of %d bytes", len(ttf))
	}
	n := int(be16(ttf[4:]))
	if len(ttf) < 12+16*n {
		return nil, fmt.Errorf("font file shorter than its table directory")
	}
	s.tables = make(map[string][]byte, n)
	for i := range n {
		rec := ttf[12+16*i:]
		at, size := int(be32(rec[8:])), int(be32(rec[12:]))
		if at < 0 || size < 0 || at+size > len(ttf) {
			return nil, fmt.Errorf("table %q beyond the font file", rec[:4])
		}
		s.tables[string(rec[:4])] = ttf[at : at+size]
	}
	head, hhea, maxp, post := s.tables["head"], s.tables["hhea"], s.tables["maxp"], s.tables["post"]
	s.glyf, s.hmtx = s.tables["glyf"], s.tables["hmtx"]
	if len(head) < 54 || len(hhea) < 36 || len(maxp) < 6 || len(post) < 16 || s.tables["cmap"] == nil || s.tables["loca"] == nil {
		return nil, fmt.Errorf("the font lacks a table gofpdf needs")
	}
	locaFormat := int(be16(head[50:]))
	numGlyphs := int(be16(maxp[4:]))
	// gofpdf reads the metrics of a glyph beyond numberOfHMetrics by
	// appending to a slice of the font file, which writes into the file it
	// reads: not reproduced here.
	if int(be16(hhea[34:])) != numGlyphs || len(s.hmtx) < 4*numGlyphs {
		return nil, fmt.Errorf("the font has horizontal metrics for %d of its %d glyphs", be16(hhea[34:]), numGlyphs)
	}

	// Glyph offsets (parseLOCATable).
	loca := s.tables["loca"]
	s.loca = make([]int, numGlyphs+1)
	for g := range s.loca {
		switch {
		case locaFormat == 0 && len(loca) >= 2*g+2:
			s.loca[g] = 2 * int(be16(loca[2*g:]))
		case locaFormat == 1 && len(loca) >= 4*g+4:
			s.loca[g] = int(be32(loca[4*g:]))
		default:
			return nil, fmt.Errorf("loca table of format %d too short or unknown", locaFormat)
		}
		if s.loca[g] > len(s.glyf) || (g > 0 && s.loca[g] < s.loca[g-1]) {
			return nil, fmt.Errorf("glyph %d is not within the glyf table", g)
		}
	}

	// Composite glyphs (getSymbols, and the renumbering in GenerateCutFont).
	s.components = make([][]glyphComponent, numGlyphs)
	for g := range numGlyphs {
		data := s.glyf[s.loca[g]:s.loca[g+1]]
		if len(data) == 0 || (len(data) >= 2 && int16(be16(data)) >= 0) {
			continue
		}
		if len(data) < 2 {
			return nil, fmt.Errorf("glyph %d has %d bytes", g, len(data))
		}
		for at, flags := 10, symbolContinue; flags&symbolContinue != 0; {
			if at+4 > len(data) {
				return nil, fmt.Errorf("composite glyph %d ends within a component", g)
			}
			flags = int(be16(data[at:]))
			c := int(be16(data[at+2:]))
			if c >= numGlyphs {
				return nil, fmt.Errorf("composite glyph %d draws glyph %d of %d", g, c, numGlyphs)
			}
			s.components[g] = append(s.components[g], glyphComponent{glyph: c, at: at + 2})
			at += componentSize(flags)
		}
	}

	var err error
	if s.glyphOf, err = readCmap(s.tables["cmap"], numGlyphs); err != nil {
		return nil, err
	}
	s.head = s.fixedParts()
	return s, nil
}

// The flags of a composite glyph's component that gofpdf reads.
const (
	symbolWords    = 1 << 0
	symbolScale    = 1 << 3
	symbolContinue = 1 << 5
	symbolAllScale = 1 << 6
	symbol2x2      = 1 << 7
)

// componentSize is the size of a component record with flags, as gofpdf
// steps over it.
func componentSize(flags int) int {
	n := 4
	if flags&symbolWords != 0 {
		n += 4
	} else {
		n += 2
	}
	switch {
	case flags&symbolScale != 0:
		n += 2
	case flags&symbolAllScale != 0:
		n += 4
	case flags&symbol2x2 != 0:
		n += 8
	}
	return n
}

// readCmap reads the first format 4 subtable for Unicode (platform 3
// encoding 1, or platform 0) of the cmap table as gofpdf's generateCMAP and
// generateSCCSDictionaries do: every rune from each segment's start to its
// end, the glyph of a rune whose glyph index lies past the subtable being
// 0.
func readCmap(cmap []byte, numGlyphs int) (map[int]int, error) {
	short := fmt.Errorf("the cmap table is shorter than it says")
	if len(cmap) < 4 {
		return nil, short
	}
	sub := -1
	for i := range int(be16(cmap[2:])) {
		rec := 4 + 8*i
		if rec+8 > len(cmap) {
			return nil, short
		}
		platform, encoding, at := be16(cmap[rec:]), be16(cmap[rec+2:]), int(be32(cmap[rec+4:]))
		if (platform == 3 && encoding == 1) || platform == 0 {
			if at+2 > len(cmap) {
				return nil, short
			}
			if be16(cmap[at:]) == 4 {
				sub = at
				break
			}
		}
	}
	if sub < 0 {
		return nil, fmt.Errorf("the font has no cmap for Unicode")
	}
	if sub+14 > len(cmap) {
		return nil, short
	}
	rim := sub + int(be16(cmap[sub+2:]))
	segs := int(be16(cmap[sub+6:])) / 2
	ends := sub + 14
	starts := ends + 2*segs + 2
	deltas := starts + 2*segs
	offsets := deltas + 2*segs
	if offsets+2*segs > len(cmap) {
		return nil, short
	}
	glyphOf := make(map[int]int)
	for n := range segs {
		end, start := int(be16(cmap[ends+2*n:])), int(be16(cmap[starts+2*n:]))
		delta, offset := int(int16(be16(cmap[deltas+2*n:]))), int(be16(cmap[offsets+2*n:]))
		for r := start; r <= end; r++ {
			var g int
			if offset == 0 {
				g = (r + delta) & 0xFFFF
			} else if at := offsets + 2*n + offset + 2*(r-start); at < rim {
				if at+2 > len(cmap) {
					return nil, short
				}
				if g = int(be16(cmap[at:])); g != 0 {
					g = (g + delta) & 0xFFFF
				}
			}
			if g >= numGlyphs {
				return nil, fmt.Errorf("the cmap maps U+%04X to glyph %d of %d", r, g, numGlyphs)
			}
			glyphOf[r] = g
		}
	}
	return glyphOf, nil
}

// fixedParts writes the parts of the font objects that are the same for
// every rune set, as putfonts writes them.
func (s *fontSubsetter) fixedParts() fontObjectParts {
	lit := func(s string) blockPiece { return blockPiece{lit: []byte(s)} }
	d := s.desc
	var desc bytes.Buffer
	fmt.Fprintf(&desc, "<</Type /FontDescriptor /FontName /%s\n /Ascent %d", s.name, d.Ascent)
	fmt.Fprintf(&desc, " /Descent %d", d.Descent)
	fmt.Fprintf(&desc, " /CapHeight %d", d.CapHeight)
	fmt.Fprintf(&desc, " /Flags %d", (d.Flags|4)&^32)
	fmt.Fprintf(&desc, "/FontBBox [%d %d %d %d] ", d.FontBBox.Xmin, d.FontBBox.Ymin, d.FontBBox.Xmax, d.FontBBox.Ymax)
	fmt.Fprintf(&desc, " /ItalicAngle %d", d.ItalicAngle)
	fmt.Fprintf(&desc, " /StemV %d", d.StemV)
	fmt.Fprintf(&desc, " /MissingWidth %d", d.MissingWidth)
	desc.WriteString("/FontFile2 ")
	dw := ""
	if d.MissingWidth != 0 {
		dw = "/DW " + strconv.Itoa(d.MissingWidth) + "\n"
	}
	return fontObjectParts{
		type0: []blockPiece{
			lit("<</Type /Font\n/Subtype /Type0\n/BaseFont /" + s.name + "\n/Encoding /Identity-H\n/DescendantFonts ["),
			{ref: 1}, lit(" 0 R]\n/ToUnicode "), {ref: 2}, lit(" 0 R>>\nendobj\n"),
		},
		cidFont: []blockPiece{
			lit("<</Type /Font\n/Subtype /CIDFontType2\n/BaseFont /" + s.name + "\n/CIDSystemInfo "),
			{ref: 3}, lit(" 0 R\n/FontDescriptor "), {ref: 4}, lit(" 0 R\n" + dw),
		},
		cidFontTail: []blockPiece{lit("/CIDToGIDMap "), {ref: 5}, lit(" 0 R>>\nendobj\n")},
		toUnicode: []blockPiece{lit("<</Length " + strconv.Itoa(len(gofpdfToUnicode)) + ">>\nstream\n" +
			gofpdfToUnicode + "\nendstream\nendobj\n")},
		cidSystemInfo: []blockPiece{lit("<</Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0>>\nendobj\n")},
		descriptor:    []blockPiece{{lit: desc.Bytes()}, {ref: 6}, lit(" 0 R>>\nendobj\n")},
	}
}

// block writes the font's objects for a document whose font drew used
// (gofpdf's usedRunes), as putfonts does.
func (s *fontSubsetter) block(used map[int]int) (*fontBlock, error) {
	sub, err := s.subset(used)
	if err != nil {
		return nil, err
	}
	if sub.lastRune >= len(s.cw) {
		// gofpdf would index its width table past its end.
		return nil, fmt.Errorf("rune U+%04X beyond the width table", sub.lastRune)
	}
	w := s.widthsArray(used, sub.lastRune)
	z := getCompressor()
	defer putCompressor(z)
	fontFile, err := z.compress(sub.file)
	if err != nil {
		return nil, fmt.Errorf("compress the font: %w", err)
	}
	fontFile = bytes.Clone(fontFile) // z compresses the map next
	cidToGID, err := compressCIDToGIDMap(z, sub.codes)
	if err != nil {
		return nil, fmt.Errorf("compress the CIDToGIDMap: %w", err)
	}

	cidFont := make([]blockPiece, 0, len(s.head.cidFont)+1+len(s.head.cidFontTail))
	cidFont = append(cidFont, s.head.cidFont...)
	cidFont = append(cidFont, blockPiece{lit: w})
	cidFont = append(cidFont, s.head.cidFontTail...)

	mapObj := make([]byte, 0, len(cidToGID)+64)
	mapObj = append(mapObj, "<</Length "...)
	mapObj = strconv.AppendInt(mapObj, int64(len(cidToGID)), 10)
	mapObj = append(mapObj, "/Filter /FlateDecode>>\nstream\n"...)
	mapObj = append(mapObj, cidToGID...)
	mapObj = append(mapObj, "\nendstream\nendobj\n"...)

	fileObj := make([]byte, 0, len(fontFile)+80)
	fileObj = append(fileObj, "<</Length "...)
	fileObj = strconv.AppendInt(fileObj, int64(len(fontFile)), 10)
	fileObj = append(fileObj, "\n/Filter /FlateDecode\n/Length1 "...)
	fileObj = strconv.AppendInt(fileObj, int64(len(sub.file)), 10)
	fileObj = append(fileObj, "\n>>\nstream\n"...)
	fileObj = append(fileObj, fontFile...)
	fileObj = append(fileObj, "\nendstream\nendobj\n"...)

	b := &fontBlock{objects: [fontObjects][]blockPiece{
		s.head.type0, cidFont, s.head.toUnicode, s.head.cidSystemInfo, s.head.descriptor,
		{{lit: mapObj}}, {{lit: fileObj}},
	}}
	for _, obj := range b.objects {
		b.size += len("0000000 0 obj\n")
		for _, piece := range obj {
			b.size += len(piece.lit) + 7
		}
	}
	return b, nil
}

// fontSubset is a subset of the font for one rune set.
type fontSubset struct {
	file []byte
	// codes maps each rune drawn that the font has, in order, to its glyph
	// in the subset (gofpdf's CodeSymbolDictionary without rune 0).
	codes    []runeGlyph
	lastRune int // the greatest rune drawn (gofpdf's LastRune)
}

type runeGlyph struct{ r, glyph int }

// subset cuts the font down to the glyphs of used's runes, as
// GenerateCutFont does.
func (s *fontSubsetter) subset(used map[int]int) (fontSubset, error) {
	var sub fontSubset
	numGlyphs := len(s.loca) - 1
	// newGlyph is each kept glyph's number in the subset, -1 for the rest.
	newGlyph := make([]int, numGlyphs)
	for i := range newGlyph {
		newGlyph[i] = -1
	}
	newGlyph[0] = 0 // gofpdf keeps glyph 0 in every subset
	// parseSymbols: the values of usedRunes, whose key 0 putfonts deleted.
	for k, r := range used {
		if k == 0 {
			continue
		}
		if g, ok := s.glyphOf[r]; ok {
			newGlyph[g] = 0
			if r != 0 {
				sub.codes = append(sub.codes, runeGlyph{r: r, glyph: g})
			}
		}
		sub.lastRune = max(sub.lastRune, r)
	}
	// The glyphs of the runes in the order of their numbers, then the
	// components of composite glyphs in the order they are found.
	order := make([]int, 0, 2*len(sub.codes)+1)
	for g, n := range newGlyph {
		if n >= 0 {
			newGlyph[g] = len(order)
			order = append(order, g)
		}
	}
	slices.SortFunc(sub.codes, func(a, b runeGlyph) int { return a.r - b.r })
	sub.codes = slices.CompactFunc(sub.codes, func(a, b runeGlyph) bool { return a.r == b.r })
	for i := range sub.codes {
		sub.codes[i].glyph = newGlyph[sub.codes[i].glyph]
	}
	var visit func(g, depth int) error
	visit = func(g, depth int) error {
		if depth > maxComponentDepth {
			return fmt.Errorf("composite glyphs nest deeper than %d", maxComponentDepth)
		}
		for _, c := range s.components[g] {
			if newGlyph[c.glyph] < 0 {
				newGlyph[c.glyph] = len(order)
				order = append(order, c.glyph)
			}
			if err := visit(c.glyph, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	for _, g := range order[:len(order):len(order)] {
		if err := visit(g, 0); err != nil {
			return sub, err
		}
	}

	// glyf, loca and hmtx.
	size := 0
	for _, g := range order {
		size += (s.loca[g+1] - s.loca[g] + 3) &^ 3
	}
	glyf := make([]byte, 0, size)
	offsets := make([]int, 0, len(order)+1)
	hmtx := make([]byte, 0, 4*len(order))
	for _, g := range order {
		hmtx = append(hmtx, s.hmtx[4*g:4*g+4]...)
		offsets = append(offsets, len(glyf))
		at := len(glyf)
		glyf = append(glyf, s.glyf[s.loca[g]:s.loca[g+1]]...)
		for _, c := range s.components[g] {
			binary.BigEndian.PutUint16(glyf[at+c.at:], uint16(newGlyph[c.glyph]))
		}
		for len(glyf)%4 != 0 {
			glyf = append(glyf, 0)
		}
	}
	offsets = append(offsets, len(glyf))
	var loca []byte
	locaFormat := 0
	if (len(glyf)+1)>>1 > 0xFFFF {
		locaFormat = 1
		loca = make([]byte, 0, 4*len(offsets))
		for _, o := range offsets {
			loca = binary.BigEndian.AppendUint32(loca, uint32(o))
		}
	} else {
		loca = make([]byte, 0, 2*len(offsets))
		for _, o := range offsets {
			loca = binary.BigEndian.AppendUint16(loca, uint16(o/2))
		}
	}

	head := bytes.Clone(s.tables["head"])
	binary.BigEndian.PutUint16(head[50:], uint16(locaFormat))
	clear(head[8:12]) // checkSumAdjustment, set once the file is whole
	hhea := bytes.Clone(s.tables["hhea"])
	binary.BigEndian.PutUint16(hhea[34:], uint16(len(order)))
	maxp := bytes.Clone(s.tables["maxp"])
	binary.BigEndian.PutUint16(maxp[4:], uint16(len(order)))
	post := make([]byte, 0, 32)
	post = append(post, 0, 3, 0, 0)
	post = append(post, s.tables["post"][4:16]...)
	post = append(post, make([]byte, 16)...)

	tables := []fontTable{
		{"cmap", s.cmapTable(sub.codes, len(order))},
		{"glyf", glyf}, {"hmtx", hmtx}, {"loca", loca},
		{"head", head}, {"hhea", hhea}, {"maxp", maxp}, {"post", post},
	}
	for _, tag := range []string{"name", "cvt ", "fpgm", "prep", "gasp", "OS/2"} {
		if t := s.tables[tag]; len(t) > 0 {
			tables = append(tables, fontTable{tag, t})
		}
	}
	sub.file = assembleFont(tables)
	return sub, nil
}

// fontTable is one table of a font file being written.
type fontTable struct {
	tag  string
	data []byte
}

// cmapTable writes the subset's cmap table as generateCMAPTable does: one
// format 4 subtable whose segments are runs of consecutive runes with
// consecutive glyphs, all mapped by delta. The subtable's length field is
// what gofpdf computes, not its size.
func (s *fontSubsetter) cmapTable(codes []runeGlyph, numGlyphs int) []byte {
	type segment struct{ start, n, glyph int }
	var segs []segment
	prev, prevGlyph := -2, -1
	for _, c := range codes {
		if c.r == prev+1 && c.glyph == prevGlyph+1 {
			segs[len(segs)-1].n++
		} else {
			segs = append(segs, segment{start: c.r, n: 1, glyph: c.glyph})
		}
		prev, prevGlyph = c.r, c.glyph
	}
	segCount := len(segs) + 1
	searchRange, entrySelector := 1, 0
	for searchRange*2 <= segCount {
		searchRange *= 2
		entrySelector++
	}
	searchRange *= 2
	rangeShift := segCount*2 - searchRange
	length := 16 + 8*segCount + numGlyphs + 1

	out := make([]byte, 0, 2*(13+4*segCount+len(codes)+3))
	put := func(v int) { out = binary.BigEndian.AppendUint16(out, uint16(v)) }
	for _, v := range []int{0, 1, 3, 1, 0, 12, 4, length, 0, segCount * 2, searchRange, entrySelector, rangeShift} {
		put(v)
	}
	for _, sg := range segs {
		put(sg.start + sg.n - 1)
	}
	put(0xFFFF)
	put(0)
	for _, sg := range segs {
		put(sg.start)
	}
	put(0xFFFF)
	for _, sg := range segs {
		put(-(sg.start - sg.glyph))
	}
	put(1)
	for range segs {
		put(0)
	}
	put(0)
	for _, sg := range segs {
		for i := range sg.n {
			put(sg.glyph + i)
		}
	}
	put(0)
	return out
}

// assembleFont writes a font file of tables as gofpdf's assembleTables
// does: tables in the order of their tags, each padded to four bytes, and
// the head table's checkSumAdjustment set.
func assembleFont(tables []fontTable) []byte {
	slices.SortFunc(tables, func(a, b fontTable) int {
		switch {
		case a.tag < b.tag:
			return -1
		case a.tag > b.tag:
			return 1
		}
		return 0
	})
	n := len(tables)
	searchRange, entrySelector := 1, 0
	for searchRange*2 <= n {
		searchRange *= 2
		entrySelector++
	}
	searchRange *= 16
	size := 12 + 16*n
	for _, t := range tables {
		size += (len(t.data) + 3) &^ 3
	}
	out := make([]byte, 0, size)
	out = binary.BigEndian.AppendUint32(out, 0x00010000)
	out = binary.BigEndian.AppendUint16(out, uint16(n))
	out = binary.BigEndian.AppendUint16(out, uint16(searchRange))
	out = binary.BigEndian.AppendUint16(out, uint16(entrySelector))
	out = binary.BigEndian.AppendUint16(out, uint16(n*16-searchRange))
	offset := 12 + 16*n
	head := -1
	for _, t := range tables {
		if t.tag == "head" {
			head = offset
		}
		out = append(out, t.tag...)
		out = binary.BigEndian.AppendUint32(out, tableChecksum(t.data))
		out = binary.BigEndian.AppendUint32(out, uint32(offset))
		out = binary.BigEndian.AppendUint32(out, uint32(len(t.data)))
		offset += (len(t.data) + 3) &^ 3
	}
	for _, t := range tables {
		out = append(out, t.data...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	if head >= 0 {
		binary.BigEndian.PutUint32(out[head+8:], checksumAdjustment(tableChecksum(out)))
	}
	return out
}

// tableChecksum is the sum of data's big-endian 32-bit words, the last
// padded with zeros, modulo 2^32.
func tableChecksum(data []byte) uint32 {
	var sum uint32
	for len(data) >= 4 {
		sum += binary.BigEndian.Uint32(data)
		data = data[4:]
	}
	if len(data) > 0 {
		var last [4]byte
		copy(last[:], data)
		sum += binary.BigEndian.Uint32(last[:])
	}
	return sum
}

// checksumAdjustment is what gofpdf writes in the head table for a file
// whose checksum is sum: 0xB1B0AFBA − sum computed in 16-bit halves (its
// calcInt32), where a borrow from the high half adds one to it instead of
// subtracting one, so it differs from the specification's value whenever
// the low half of sum exceeds 0xAFBA.
func checksumAdjustment(sum uint32) uint32 {
	x0, x1 := 0xB1B0, 0xAFBA
	y0, y1 := int(sum>>16), int(sum&0xFFFF)
	if y1 > x1 {
		x1 += 1 << 16
		x0++
	}
	lo := x1 - y1
	if y0 > x0 {
		x0 += 1 << 16
	}
	hi := (x0 - y0) & 0xFFFF
	return uint32(hi)<<16 | uint32(lo&0xFFFF)
}

// widthsArray writes the CIDFont's /W entry as generateCIDFontMap does,
// ending with its newline. It lists the runes up to lastRune that have a
// width, those beyond 255 only if drawn, split into ranges of consecutive
// runes. gofpdf builds the ranges rune by rune: a rune not next to the one
// before, or whose width differs from the one before when the range is a
// run, starts a range; one whose width differs otherwise joins the range;
// one whose width equals the one before joins the range if that is also
// the range's first width, or else starts a range with the rune before
// (which leaves the range it was in), and either way marks the range a
// run. It then merges each range into the one before it if the two are
// adjacent, the one before is not a run of three runes or more, and this
// one is not a run of three or more. A range of one width is written
// "first last width", any other "first [ widths ]" and a newline.
//
// gofpdf keeps each range in a PHP-like array in which the run mark is an
// element, hence the counts of three above (a mark and two widths make
// fewer than four elements). Every range is a stretch of the runes listed,
// in order, so here a range is where it starts in that list.
func (s *fontSubsetter) widthsArray(used map[int]int, lastRune int) []byte {
	var cids, widths []int
	type wrange struct {
		from int  // index in cids and widths
		run  bool // gofpdf's "interval" mark
	}
	var ranges []wrange
	prevCid, prevWidth := -2, -1
	run := false
	for _, cid := range s.widthRunes {
		if cid < 1 {
			continue
		}
		if cid > lastRune {
			break
		}
		width := s.cw[cid]
		if width == 65535 {
			width = 0
		}
		if n, ok := used[cid]; cid > 255 && (!ok || n == 0) {
			continue
		}
		switch {
		case cid != prevCid+1 || (width != prevWidth && run):
			ranges = append(ranges, wrange{from: len(cids)})
			run = false
		case width != prevWidth:
			run = false
		default:
			if last := &ranges[len(ranges)-1]; width != widths[last.from] {
				ranges = append(ranges, wrange{from: len(cids) - 1})
			}
			ranges[len(ranges)-1].run = true
			run = true
		}
		cids = append(cids, cid)
		widths = append(widths, width)
		prevCid, prevWidth = cid, width
	}

	// Merging: the mark counts as an element of a range.
	merged := ranges[:0]
	nextKey := -1
	afterRun := false
	for i, r := range ranges {
		to := len(cids)
		if i+1 < len(ranges) {
			to = ranges[i+1].from
		}
		start, elems := cids[r.from], to-r.from
		if r.run {
			elems++
		}
		if start != nextKey || afterRun || (r.run && elems >= 4) {
			merged = append(merged, r)
		}
		nextKey = start + elems
		afterRun = false
		if r.run {
			afterRun = elems > 3
			nextKey--
		}
	}

	out := make([]byte, 0, 16+8*len(merged)+5*len(cids))
	out = append(out, "/W ["...)
	for i, r := range merged {
		to := len(cids)
		if i+1 < len(merged) {
			to = merged[i+1].from
		}
		ws := widths[r.from:to]
		out = append(out, ' ')
		out = strconv.AppendInt(out, int64(cids[r.from]), 10)
		if !slices.ContainsFunc(ws, func(w int) bool { return w != ws[0] }) {
			out = append(out, ' ')
			out = strconv.AppendInt(out, int64(cids[r.from]+len(ws)-1), 10)
			out = append(out, ' ')
			out = strconv.AppendInt(out, int64(ws[0]), 10)
			continue
		}
		out = append(out, " ["...)
		for _, w := range ws {
			out = append(out, ' ')
			out = strconv.AppendInt(out, int64(w), 10)
		}
		out = append(out, " ]\n"...)
	}
	return append(out, " ]\n"...)
}

// cidToGIDMaps keeps zeroed 128 KB CIDToGIDMaps for the next subsets.
var cidToGIDMaps = make(chan []byte, 2)

// compressCIDToGIDMap returns, compressed, the CIDToGIDMap gofpdf writes:
// the glyph of each 16-bit character code, big-endian, codes without one
// mapping to 0. The result is a copy of its own.
func compressCIDToGIDMap(z *compressor, codes []runeGlyph) ([]byte, error) {
	var m []byte
	select {
	case m = <-cidToGIDMaps:
	default:
		m = make([]byte, 256*256*2)
	}
	for _, c := range codes {
		if c.r < 0x10000 {
			binary.BigEndian.PutUint16(m[2*c.r:], uint16(c.glyph))
		}
	}
	out, err := z.compressSum(m, cidToGIDChecksum(codes))
	out = bytes.Clone(out)
	for _, c := range codes {
		if c.r < 0x10000 {
			clear(m[2*c.r : 2*c.r+2])
		}
	}
	select {
	case cidToGIDMaps <- m:
	default:
	}
	return out, err
}

// cidToGIDChecksum is the Adler-32 checksum of the CIDToGIDMap of codes,
// which are in order, computed from its few bytes that are not 0: over a
// run of n zeros, the checksum's first sum stays and its second grows by
// n times the first. Most of a map is zeros, and checksumming it byte by
// byte took a quarter of the time a new rune set costs.
func cidToGIDChecksum(codes []runeGlyph) uint32 {
	const mod = 65521
	a, b := uint64(1), uint64(0)
	at := 0
	for _, c := range codes {
		if c.r >= 0x10000 {
			continue
		}
		b = (b + uint64(2*c.r-at)*a) % mod
		for _, x := range [2]byte{byte(c.glyph >> 8), byte(c.glyph)} {
			a = (a + uint64(x)) % mod
			b = (b + a) % mod
		}
		at = 2*c.r + 2
	}
	b = (b + uint64(2*0x10000-at)*a) % mod
	return uint32(b<<16 | a)
}

// render writes the block's objects numbered from first, as they appear
// in a file; for comparisons.
func (b *fontBlock) render(first int) []byte {
	var out bytes.Buffer
	b.write(&out, first, nil)
	return out.Bytes()
}

// write writes the block's objects numbered from first to out, recording
// where each begins in offsets (by object number) if offsets is not nil.
func (b *fontBlock) write(out *bytes.Buffer, first int, offsets []int) {
	for i, obj := range b.objects {
		if offsets != nil {
			offsets[first+i] = out.Len()
		}
		writeObjectHeader(out, first+i)
		for _, piece := range obj {
			if piece.lit != nil {
				out.Write(piece.lit)
			} else {
				out.Write(strconv.AppendInt(out.AvailableBuffer(), int64(first+piece.ref), 10))
			}
		}
	}
}

func be16(b []byte) uint16 { return binary.BigEndian.Uint16(b) }
func be32(b []byte) uint32 { return binary.BigEndian.Uint32(b) }

// gofpdfFontBlock has gofpdf write, compressed, a document of one page on
// which text is drawn in p, family being the name p was parsed under, and
// returns the document's font objects as gofpdf wrote them, the number of
// the first, and the runes gofpdf recorded as drawn (a copy of its
// usedRunes, taken before putfonts deletes its key 0).
func gofpdfFontBlock(p *parsedFont, family, text string) (*fontBlock, int, map[int]int, error) {
	pdf := newPDF()
	p.addTo(pdf)
	p.ownBytes(pdf)
	pdf.AddPage()
	pdf.SetFont(family, "", 10)
	pdf.Text(10, 20, text)
	if err := pdf.Error(); err != nil {
		return nil, 0, nil, err
	}
	fonts, ok := field(reflect.ValueOf(pdf).Elem(), "fonts", reflect.Map)
	if !ok {
		return nil, 0, nil, fmt.Errorf("gofpdf has no font map")
	}
	def := reflect.New(p.def.Type()).Elem()
	def.Set(fonts.MapIndex(p.key))
	u, ok := field(def, "usedRunes", reflect.Map)
	if !ok || u.Type() != reflect.TypeOf(map[int]int(nil)) {
		return nil, 0, nil, fmt.Errorf("gofpdf's usedRunes is not a map[int]int")
	}
	used := maps.Clone(u.Interface().(map[int]int))
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, 0, nil, err
	}
	first := int(fonts.MapIndex(p.key).FieldByName("N").Int())
	x, err := readGofpdfXref(out.Bytes())
	if err != nil {
		return nil, 0, nil, err
	}
	_, end := x.objectEnds()
	if first < 1 || first+fontObjects > len(x.offsets) {
		return nil, 0, nil, fmt.Errorf("font objects from %d beyond the %d objects", first, len(x.offsets))
	}
	var objs [fontObjects][]byte
	for i := range objs {
		objs[i] = out.Bytes()[x.offsets[first+i]:end[first+i]]
	}
	b, err := newFontBlock(first, objs)
	return b, first, used, err
}
