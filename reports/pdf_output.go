package reports

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"unsafe"

	"github.com/jung-kurt/gofpdf"
)

// Writing a finished document.
//
// gofpdf's Output was most of the cost of a certificate: it compresses
// the page content and, for the embedded font, a new subset of it and a
// 128 KB CIDToGIDMap, each with a zlib compressor of its own (about 1.1 MB
// allocated per compressor), and it subsets the font by parsing it again.
// gofpdf (archived at v1.16.2) offers no way to reuse any of that, so
// output asks it for less and finishes the file itself:
//
//   - the page contents are written uncompressed and compressed here, with
//     a compressor reused from a pool, at gofpdf's level (BestSpeed): a
//     reset compressor writes what a new one would, byte for byte;
//   - the font objects depend only on the font and on the runes the
//     document drew (gofpdf's usedRunes), and their object numbers. For
//     the first document to draw a set of runes, fontSubsetter writes the
//     seven font objects gofpdf would (font_subset.go), and they are kept
//     (fontBlocks), with their references relative to the first; a later
//     document that draws the same runes reuses them. Either way gofpdf
//     writes a one-object core-font stand-in instead, which output
//     replaces with the objects, renumbering the two objects that follow
//     (the document information and the catalog) and the cross-reference
//     table. Without a subsetter (a font it cannot write as gofpdf does),
//     gofpdf writes the font objects of a new rune set itself and they are
//     kept from its output.
//
// The result is the file gofpdf would have written with compression on:
// TestFastOutputSameBytes compares the two for documents of every kind,
// and the golden files pin both renderer versions. If gofpdf's internals
// are not what this expects, output leaves gofpdf to write the document.

// fastOutput is false only in tests that compare output with gofpdf's own.
var fastOutput = true

// subsetFonts is false only in tests of what output does without a
// fontSubsetter: have gofpdf write the font objects of a new rune set.
var subsetFonts = true

// fontObjects is the number of objects gofpdf writes for a UTF-8 font: the
// Type0 font, its CIDFont, ToUnicode, CIDSystemInfo, font descriptor,
// CIDToGIDMap and font file.
const fontObjects = 7

// fontBlock is a UTF-8 font's objects as gofpdf wrote them for one set of
// runes, to be written again at any object number.
type fontBlock struct {
	objects [fontObjects][]blockPiece
	size    int // bytes, for the buffer
}

// blockPiece is either bytes to copy or, when lit is nil, a reference to
// the object ref places after the block's first.
type blockPiece struct {
	lit []byte
	ref int
}

// fontBlockCacheSize bounds the number of kept font blocks (about 30 KB
// each): a certificate re-rendered for `taahod verify`, an annulled copy,
// a preview followed by its final rendering, and the benchmark draw the
// same runes again; certificates of different units mostly do not.
const fontBlockCacheSize = 128

// fontBlockCache keeps font blocks by the set of runes drawn, dropping the
// oldest beyond fontBlockCacheSize.
type fontBlockCache struct {
	mu     sync.Mutex
	blocks map[string]*fontBlock
	order  []string
	hits   int // blocks reused, for tests
}

var fontBlocks = &fontBlockCache{blocks: make(map[string]*fontBlock)}

func (c *fontBlockCache) get(key string) *fontBlock {
	c.mu.Lock()
	defer c.mu.Unlock()
	b := c.blocks[key]
	if b != nil {
		c.hits++
	}
	return b
}

func (c *fontBlockCache) put(key string, b *fontBlock) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.blocks[key]; ok {
		return
	}
	if len(c.order) >= fontBlockCacheSize {
		delete(c.blocks, c.order[0])
		c.order = c.order[1:]
	}
	c.blocks[key] = b
	c.order = append(c.order, key)
}

// reset forgets every block and returns the number of blocks reused
// since the last reset; for tests.
func (c *fontBlockCache) reset() (hits int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	hits = c.hits
	c.blocks = make(map[string]*fontBlock)
	c.order = nil
	c.hits = 0
	return hits
}

// usedRunesKey names what the font objects of a document depend on beyond
// the font: gofpdf's usedRunes map without its entry 0, which gofpdf
// deletes before subsetting (an entry is rune → rune once drawn, rune → 0
// for the runes below 57 gofpdf puts there at the start).
func usedRunesKey(family string, used map[int]int) string {
	keys := make([]int, 0, len(used))
	for k := range used {
		if k != 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	b := make([]byte, 0, len(family)+1+4*len(keys))
	b = append(b, family...)
	b = append(b, 0)
	for _, k := range keys {
		b = strconv.AppendInt(b, int64(k), 10)
		if v := used[k]; v == k {
			b = append(b, ',')
		} else {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(v), 10)
			b = append(b, ',')
		}
	}
	return string(b)
}

// output finishes the document and returns the bytes gofpdf's Output
// would write with compression on.
func (d *document) output() ([]byte, error) {
	v := reflect.ValueOf(d.pdf).Elem()
	p := d.faces.regular.parsed
	fonts, ok := field(v, "fonts", reflect.Map)
	var def reflect.Value
	if ok && p != nil && fastOutput {
		if stored := fonts.MapIndex(p.key); stored.IsValid() && stored.Kind() == reflect.Struct {
			def = reflect.New(stored.Type()).Elem()
			def.Set(stored)
		}
	}
	var used map[int]int
	if def.IsValid() {
		u, ok := field(def, "usedRunes", reflect.Map)
		tp, okTp := def.Type().FieldByName("Tp")
		n, okN := def.Type().FieldByName("N")
		if ok && okTp && okN && u.Type() == reflect.TypeOf(used) &&
			tp.Type.Kind() == reflect.String && n.Type.Kind() == reflect.Int {
			used = *(*map[int]int)(unsafe.Pointer(u.UnsafeAddr()))
		}
	}
	pages := pageBuffers(d.pdf)
	// gofpdf replaces aliases in the page contents as it writes them; the
	// documents register none (AliasNbPages, RegisterAlias).
	aliases, okA := field(v, "aliasMap", reflect.Map)
	nbAlias, okNb := field(v, "aliasNbPagesStr", reflect.String)
	var w capture
	if used == nil || pages == nil || !okA || aliases.Len() > 0 || !okNb || nbAlias.Len() > 0 {
		if p != nil {
			p.ownBytes(d.pdf)
		}
		err := d.pdf.Output(&w)
		recyclePages(pages)
		return w.b, err
	}

	key := usedRunesKey(d.faces.regular.family, used)
	block := fontBlocks.get(key)
	made := false
	if sub := d.faces.regular.subset; block == nil && sub != nil && subsetFonts {
		// A font the subsetter cannot write is left to gofpdf.
		if b, err := sub.block(used); err == nil {
			block, made = b, true
		}
	}
	if block != nil {
		// The stand-in: gofpdf writes a core font as one small object.
		def.FieldByName("Tp").SetString("Core")
		fonts.SetMapIndex(p.key, def)
	} else {
		p.ownBytes(d.pdf)
	}
	// The page contents are kept aside and gofpdf writes empty ones, which
	// finishOutput fills: gofpdf would copy each twice.
	contents := make([]*bytes.Buffer, len(pages))
	copy(contents, pages)
	var empty bytes.Buffer
	for n := 1; n < len(pages); n++ {
		pages[n] = &empty
	}
	d.pdf.SetCompression(false)
	err := d.pdf.Output(&w)
	if err == nil && empty.Len() > 0 {
		err = fmt.Errorf("gofpdf wrote to a page while finishing the document")
	}
	if err != nil {
		recyclePages(contents)
		return nil, err
	}
	first := int(fonts.MapIndex(p.key).FieldByName("N").Int())
	out, kept, err := finishOutput(w.b, first, block, contents[1:])
	recyclePages(contents)
	if err != nil {
		return nil, err
	}
	if made {
		kept = block
	}
	if kept != nil {
		fontBlocks.put(key, kept)
	}
	return out, nil
}

// capture keeps what gofpdf's Output writes, which is its buffer, written
// once: the document is discarded after, so the bytes need no copy.
type capture struct{ b []byte }

func (c *capture) Write(p []byte) (int, error) {
	if c.b == nil {
		c.b = p
	} else {
		c.b = append(c.b, p...)
	}
	return len(p), nil
}

// pageBuffers returns gofpdf's page contents, indexed by page from 1; nil
// if gofpdf's internals are not what this package expects.
func pageBuffers(pdf *gofpdf.Fpdf) []*bytes.Buffer {
	pages, ok := field(reflect.ValueOf(pdf).Elem(), "pages", reflect.Slice)
	if !ok || pages.Type() != reflect.TypeOf([]*bytes.Buffer(nil)) {
		return nil
	}
	return *(*[]*bytes.Buffer)(unsafe.Pointer(pages.UnsafeAddr()))
}

// pageBufferStore keeps a few page buffers for the next documents: a page
// of a certificate is about 50 KB of content, which a buffer grown from
// empty allocates twice over.
var pageBufferStore = make(chan *bytes.Buffer, 4)

// ownPage gives the page gofpdf has just begun a buffer kept from an
// earlier document, with what gofpdf wrote on it so far.
func (d *document) ownPage() {
	pages := pageBuffers(d.pdf)
	n := d.pdf.PageNo()
	if pages == nil || n <= 0 || n >= len(pages) {
		return
	}
	var b *bytes.Buffer
	select {
	case b = <-pageBufferStore:
	default:
		b = bytes.NewBuffer(make([]byte, 0, 64<<10))
	}
	b.Write(pages[n].Bytes())
	pages[n] = b
}

// recyclePages keeps the page buffers of a document that is written, for
// later documents, and removes them from the document.
func recyclePages(pages []*bytes.Buffer) {
	for n, b := range pages {
		if n == 0 || b == nil {
			continue
		}
		pages[n] = nil
		if b.Cap() > 1<<20 {
			continue
		}
		b.Reset()
		select {
		case pageBufferStore <- b:
		default:
		}
	}
}

// finishOutput turns gofpdf's output pdf, written with empty page contents
// and no compression, whose UTF-8 font starts at object first, into what
// it writes with compression on and the page contents contents (of page 1,
// 2, ...). With a block, the font at first is a stand-in of one object,
// replaced by the block; without one, the font's objects are returned as a
// block.
func finishOutput(pdf []byte, first int, block *fontBlock, contents []*bytes.Buffer) ([]byte, *fontBlock, error) {
	x, err := readGofpdfXref(pdf)
	if err != nil {
		return nil, nil, err
	}
	size := len(x.offsets)
	shift := 0
	if block != nil {
		shift = fontObjects - 1
		if x.info != first+1 || x.root != first+2 || size != first+3 {
			return nil, nil, fmt.Errorf("expected the document information and catalog right after the font (font %d, info %d, root %d, size %d)", first, x.info, x.root, size)
		}
	} else if first+fontObjects > size {
		return nil, nil, fmt.Errorf("font objects from %d beyond the %d objects", first, size)
	}

	order, end := x.objectEnds()
	body := func(n int) []byte { return pdf[x.offsets[n]:end[n]] }

	// The page contents: the objects the pages name as /Contents, in the
	// order of the pages, which gofpdf numbers in order.
	contentOf := make(map[int]*bytes.Buffer, len(contents))
	for n := 1; n < size; n++ {
		b := body(n)
		if !bytes.HasPrefix(b[bytes.IndexByte(b, '\n')+1:], []byte("<</Type /Page\n")) {
			continue
		}
		c, ok := contentsRef(b)
		if !ok {
			return nil, nil, fmt.Errorf("page object %d names no contents", n)
		}
		if len(contentOf) >= len(contents) {
			return nil, nil, fmt.Errorf("more pages than the %d page contents", len(contents))
		}
		contentOf[c] = contents[len(contentOf)]
	}
	if len(contentOf) != len(contents) {
		return nil, nil, fmt.Errorf("%d pages for %d page contents", len(contentOf), len(contents))
	}

	var out bytes.Buffer
	grow := len(pdf)
	if block != nil {
		grow += block.size
	}
	for _, c := range contents {
		grow += c.Len() / 2
	}
	out.Grow(grow)
	out.Write(pdf[:x.offsets[order[0]]])
	newSize := size + shift
	offsets := make([]int, newSize)
	z := getCompressor()
	defer putCompressor(z)
	for _, n := range order {
		b := body(n)
		switch c := contentOf[n]; {
		case c != nil:
			offsets[n] = out.Len()
			if err := writeCompressedContent(&out, z, n, b, c.Bytes()); err != nil {
				return nil, nil, err
			}
		case block != nil && n == first:
			if !bytes.HasPrefix(b, fmt.Appendf(nil, "%d 0 obj\n<</Type /Font\n/BaseFont /", n)) {
				return nil, nil, fmt.Errorf("object %d is not the font's stand-in", n)
			}
			block.write(&out, first, offsets)
		case block != nil && n > first:
			offsets[n+shift] = out.Len()
			header := fmt.Appendf(nil, "%d 0 obj\n", n)
			if !bytes.HasPrefix(b, header) {
				return nil, nil, fmt.Errorf("object %d does not start as gofpdf starts one", n)
			}
			writeObjectHeader(&out, n+shift)
			out.Write(b[len(header):])
		default:
			offsets[n] = out.Len()
			out.Write(b)
		}
	}

	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", newSize)
	for _, off := range offsets[1:] {
		var e [len("0000000000 00000 n \n")]byte
		copy(e[10:], " 00000 n \n")
		for i := 9; i >= 0; i-- {
			e[i] = byte('0' + off%10)
			off /= 10
		}
		out.Write(e[:])
	}
	fmt.Fprintf(&out, "trailer\n<<\n/Size %d\n/Root %d 0 R\n/Info %d 0 R\n>>\nstartxref\n%d\n%%%%EOF\n",
		newSize, x.root+shift, x.info+shift, xref)

	if block != nil {
		return out.Bytes(), nil, nil
	}
	var objs [fontObjects][]byte
	for i := range objs {
		objs[i] = body(first + i)
	}
	kept, err := newFontBlock(first, objs)
	if err != nil {
		return nil, nil, err
	}
	return out.Bytes(), kept, nil
}

// contentsRef returns the object a page object names as its contents,
// which gofpdf writes last.
func contentsRef(page []byte) (int, bool) {
	rest, ok := bytes.CutSuffix(page, []byte(" 0 R>>\nendobj\n"))
	i := bytes.LastIndex(rest, []byte("/Contents "))
	if !ok || i < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(string(rest[i+len("/Contents "):]))
	return n, err == nil
}

// writeObjectHeader starts object n as gofpdf does.
func writeObjectHeader(out *bytes.Buffer, n int) {
	b := strconv.AppendInt(out.AvailableBuffer(), int64(n), 10)
	out.Write(append(b, " 0 obj\n"...))
}

// compressor writes zlib streams as zlib's writer at gofpdf's level
// (BestSpeed) does, with a deflate writer reset for each stream (see
// compress), and the buffer that holds a stream's compressed bytes until
// its length is written.
type compressor struct {
	w   *flate.Writer
	buf bytes.Buffer
}

// compressors keeps a few compressors for the next documents: a new one
// allocates about 1.1 MB. It is a channel rather than a sync.Pool, which
// the garbage collector empties every other cycle: at the rate documents
// allocate, that would be every few documents.
var compressors = make(chan *compressor, 4)

func getCompressor() *compressor {
	select {
	case c := <-compressors:
		return c
	default:
		w, _ := flate.NewWriter(nil, flate.BestSpeed)
		return &compressor{w: w}
	}
}

// zlibHeader starts every zlib stream zlib's writer writes at BestSpeed
// without a dictionary (RFC 1950: deflate, 32 KB window, fastest level).
var zlibHeader = [2]byte{0x78, 0x01}

// compress returns data compressed as zlib's writer at gofpdf's level
// compresses it, in z's buffer: valid until z is used again.
func (z *compressor) compress(data []byte) ([]byte, error) {
	return z.compressSum(data, adler32.Checksum(data))
}

// compressSum is compress for data whose Adler-32 checksum, which ends a
// zlib stream, the caller knows to be sum: zlib's writer is a header, the
// deflate stream and the checksum, written here the same way.
func (z *compressor) compressSum(data []byte, sum uint32) ([]byte, error) {
	z.buf.Reset()
	z.buf.Write(zlibHeader[:])
	z.w.Reset(&z.buf)
	if _, err := z.w.Write(data); err != nil {
		return nil, err
	}
	if err := z.w.Close(); err != nil {
		return nil, err
	}
	z.buf.Write(binary.BigEndian.AppendUint32(z.buf.AvailableBuffer(), sum))
	return z.buf.Bytes(), nil
}

func putCompressor(c *compressor) {
	if c.buf.Cap() > 1<<20 {
		c.buf = bytes.Buffer{} // not worth keeping
	}
	select {
	case compressors <- c:
	default:
	}
}

// writeCompressedContent writes content object n, which gofpdf wrote
// empty as obj, as gofpdf writes the content data compressed.
func writeCompressedContent(out *bytes.Buffer, z *compressor, n int, obj, data []byte) error {
	const tail = "\nendstream\nendobj\n"
	if !bytes.Equal(obj, fmt.Appendf(nil, "%d 0 obj\n<</Length 0>>\nstream\n"+tail, n)) {
		return fmt.Errorf("object %d is not the empty page content gofpdf writes", n)
	}
	c, err := z.compress(data)
	if err != nil {
		return fmt.Errorf("compress page content: %w", err)
	}
	writeObjectHeader(out, n)
	fmt.Fprintf(out, "<</Filter /FlateDecode /Length %d>>\nstream\n", len(c))
	out.Write(c)
	out.WriteString(tail)
	return nil
}

// objectRef finds the references in a font object's dictionary.
var objectRef = regexp.MustCompile(`(\d+) 0 R\b`)

// newFontBlock keeps the font objects objs, which gofpdf numbered from
// first, each with its header: their references to one another become
// relative. Only the dictionaries of the Type0 font, CIDFont and font
// descriptor refer to other objects; the four streams are copied whole.
func newFontBlock(first int, objs [fontObjects][]byte) (*fontBlock, error) {
	b := &fontBlock{}
	for i, obj := range objs {
		header := fmt.Appendf(nil, "%d 0 obj\n", first+i)
		rest, ok := bytes.CutPrefix(obj, header)
		if !ok {
			return nil, fmt.Errorf("font object %d does not start as gofpdf starts one", first+i)
		}
		rest = bytes.Clone(rest)
		b.size += len(obj) + 4
		if i == 0 && !bytes.HasPrefix(rest, []byte("<</Type /Font\n/Subtype /Type0\n")) {
			return nil, fmt.Errorf("object %d is not the Type0 font gofpdf writes", first)
		}
		if bytes.Contains(rest, []byte("stream\n")) {
			b.objects[i] = []blockPiece{{lit: rest}}
			continue
		}
		at := 0
		for _, m := range objectRef.FindAllSubmatchIndex(rest, -1) {
			n, _ := strconv.Atoi(string(rest[m[2]:m[3]]))
			if n < first || n >= first+fontObjects {
				return nil, fmt.Errorf("font object %d refers to object %d outside the font", first+i, n)
			}
			b.objects[i] = append(b.objects[i], blockPiece{lit: rest[at:m[2]]}, blockPiece{ref: n - first})
			at = m[3]
		}
		b.objects[i] = append(b.objects[i], blockPiece{lit: rest[at:]})
	}
	return b, nil
}

// gofpdfXref is gofpdf's cross-reference table and trailer.
type gofpdfXref struct {
	offsets    []int // by object number; offsets[0] unused
	root, info int
	xref       int // where the table starts
}

// objectEnds returns the objects in the order of the file, and where each
// ends (by object number): where the next begins, the last where the
// cross-reference table does.
func (x gofpdfXref) objectEnds() (order, end []int) {
	size := len(x.offsets)
	order = make([]int, 0, size-1)
	for i := 1; i < size; i++ {
		order = append(order, i)
	}
	slices.SortFunc(order, func(a, b int) int { return x.offsets[a] - x.offsets[b] })
	end = make([]int, size)
	for i, n := range order {
		if i+1 < len(order) {
			end[n] = x.offsets[order[i+1]]
		} else {
			end[n] = x.xref
		}
	}
	return order, end
}

// readGofpdfXref reads the cross-reference table and trailer gofpdf
// writes at the end of pdf.
func readGofpdfXref(pdf []byte) (gofpdfXref, error) {
	var x gofpdfXref
	// The trailer is short; only the table needs the whole file.
	at := bytes.LastIndex(pdf, []byte("\nxref\n"))
	if at < 0 {
		return x, fmt.Errorf("no cross-reference table")
	}
	m := gofpdfTrailer.FindSubmatchIndex(pdf[at:])
	if m == nil {
		return x, fmt.Errorf("the file does not end with gofpdf's cross-reference table and trailer")
	}
	group := func(i int) []byte { return pdf[at+m[2*i] : at+m[2*i+1]] }
	size, _ := strconv.Atoi(string(group(1)))
	x.root, _ = strconv.Atoi(string(group(4)))
	x.info, _ = strconv.Atoi(string(group(5)))
	x.xref = at + 1
	if s, _ := strconv.Atoi(string(group(3))); s != size {
		return x, fmt.Errorf("the trailer's size %d is not the table's %d", s, size)
	}
	if start, _ := strconv.Atoi(string(group(6))); start != x.xref {
		return x, fmt.Errorf("startxref %d is not where the table is, %d", start, x.xref)
	}
	table := group(2)
	const entry = len("0000000000 65535 f \n")
	if len(table) != size*entry {
		return x, fmt.Errorf("%d bytes of cross-reference entries for %d objects", len(table), size)
	}
	x.offsets = make([]int, size)
	for i := 1; i < size; i++ {
		off, err := strconv.Atoi(string(table[i*entry : i*entry+10]))
		if err != nil || off <= 0 || off >= x.xref {
			return x, fmt.Errorf("cross-reference entry %d is not an offset in the file", i)
		}
		x.offsets[i] = off
	}
	return x, nil
}
