package reports

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"testing"

	"github.com/taahod/taahod/reports/fa"
)

// subsetter returns the documents' font, its subsetter (which must exist:
// without it every certificate of new runes has gofpdf subset the font)
// and the runes whose glyphs are composite.
func subsetter(t *testing.T) (face, *fontSubsetter, []rune) {
	t.Helper()
	faces, err := loadTypefaces()
	if err != nil {
		t.Fatal(err)
	}
	f := faces.regular
	if f.parsed == nil {
		t.Fatal("the font could not be parsed once")
	}
	if f.subset == nil {
		_, err := newFontSubsetter(f.parsed, f.family)
		t.Fatalf("the font has no subsetter: %v", err)
	}
	var composite []rune
	for r, g := range f.subset.glyphOf {
		if f.subset.components[g] != nil && r >= 0x20 {
			composite = append(composite, rune(r))
		}
	}
	slices.Sort(composite)
	return f, f.subset, composite
}

// sameFontObjects draws text in a document written by gofpdf alone and
// checks that the subsetter writes the font objects gofpdf wrote, naming
// the first object that differs (for the font file, the first table).
func sameFontObjects(t *testing.T, f face, s *fontSubsetter, name, text string) {
	t.Helper()
	want, first, used, err := gofpdfFontBlock(f.parsed, f.family, text)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	got, err := s.block(used)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if bytes.Equal(got.render(first), want.render(first)) {
		return
	}
	objects := []string{"Type0 font", "CIDFont", "ToUnicode", "CIDSystemInfo", "font descriptor", "CIDToGIDMap", "font file"}
	for i := range fontObjects {
		g := (&fontBlock{objects: [fontObjects][]blockPiece{got.objects[i]}}).render(first)
		w := (&fontBlock{objects: [fontObjects][]blockPiece{want.objects[i]}}).render(first)
		if bytes.Equal(g, w) {
			continue
		}
		if i < 5 {
			t.Fatalf("%s: the %s differs:\n%q\ngofpdf:\n%q", name, objects[i], g, w)
		}
		gs, ws := inflateStream(t, g), inflateStream(t, w)
		if i == 6 {
			gt, wt := fontTables(gs), fontTables(ws)
			// The directory last: it differs whenever a table does.
			tags := slices.Sorted(maps.Keys(wt))
			tags = append(slices.DeleteFunc(tags, func(tag string) bool { return tag == "dir" }), "dir")
			for _, tag := range tags {
				if !bytes.Equal(gt[tag], wt[tag]) {
					t.Fatalf("%s: the font file's %q table differs (%d bytes, gofpdf's %d)", name, tag, len(gt[tag]), len(wt[tag]))
				}
			}
		}
		t.Fatalf("%s: the %s differs: %d bytes inflated (equal: %v), gofpdf's %d", name, objects[i], len(gs), bytes.Equal(gs, ws), len(ws))
	}
}

// inflateStream returns the inflated stream of a PDF object.
func inflateStream(t *testing.T, obj []byte) []byte {
	t.Helper()
	i := bytes.Index(obj, []byte(">>\nstream\n"))
	j := bytes.LastIndex(obj, []byte("\nendstream\n"))
	if i < 0 || j < i {
		t.Fatalf("no stream in %.80q", obj)
	}
	r, err := zlib.NewReader(bytes.NewReader(obj[i+len(">>\nstream\n") : j]))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fontTables returns a TrueType file's tables by tag, and its directory
// as the table "dir".
func fontTables(ttf []byte) map[string][]byte {
	out := map[string][]byte{}
	if len(ttf) < 12 {
		return out
	}
	n := int(be16(ttf[4:]))
	out["dir"] = ttf[:min(len(ttf), 12+16*n)]
	for i := range n {
		if 12+16*i+16 > len(ttf) {
			break
		}
		rec := ttf[12+16*i:]
		at, size := int(be32(rec[8:])), int(be32(rec[12:]))
		if at+size <= len(ttf) {
			out[string(rec[:4])] = ttf[at : at+size]
		}
	}
	return out
}

// TestFontSubsetSameBytes: for texts that draw different sets of runes,
// the font objects the subsetter writes are those gofpdf writes, byte for
// byte: the compressed subset (its tables, their order, padding and
// checksums), the /W widths, the CIDToGIDMap and the dictionaries.
func TestFontSubsetSameBytes(t *testing.T) {
	f, s, composite := subsetter(t)
	if len(composite) == 0 {
		t.Fatal("no rune of the font has a composite glyph: the test would not check their components")
	}
	shaped := func(s string) string { return fa.Visual(fa.Shape(fa.Normalize(s))) }
	var all []rune
	for r := range s.glyphOf {
		if r >= 0x20 && r < 0xFFFF {
			all = append(all, rune(r))
		}
	}
	slices.Sort(all)
	texts := []struct{ name, text string }{
		{"nothing drawn", ""},
		{"a Persian name", shaped("شرکت صنایع غذایی نوین‌دشت قزوین (سهامی خاص)")},
		{"a name with a ZWNJ", shaped("هنرستان فنی «ژرف‌اندیش» (۲)") + "\u200c"},
		{"Latin digits", "0123456789"},
		{"Persian digits", fa.Digits("0123456789")},
		{"Arabic yeh and kaf as typed", "\u064a\u0643 علي كريم"},
		{"Arabic yeh and kaf shaped", shaped("علي كريم")},
		{"a serial and a URL", "QZV-1404-000017 https://taahod.example/v/QZV-1404-000017"},
		{"composite glyphs", string(composite)},
		{"one composite glyph", string(composite[len(composite)/2])},
		{"every rune of the font", string(all)},
	}
	for _, tc := range texts {
		sameFontObjects(t, f, s, tc.name, tc.text)
	}
	// Random sets of the font's runes, small and large: the widths array
	// and the cmap's segments depend on which runes are neighbours.
	rng := rand.New(rand.NewPCG(13, 4))
	for i := range 60 {
		n := 1 + rng.IntN(len(all))
		if i%2 == 0 {
			n = 1 + rng.IntN(12)
		}
		picked := make([]rune, n)
		for j := range picked {
			picked[j] = all[rng.IntN(len(all))]
		}
		sameFontObjects(t, f, s, "random set "+string(picked), string(picked))
	}
}

// TestFontSubsetWidths compares the /W array with gofpdf's for random
// width tables and random runes among the first 600, so that every
// arrangement of ranges gofpdf distinguishes occurs: equal widths in runs
// of one, two, three and more, runs starting a range or ending one, zero
// widths and widths gofpdf writes as 0 (65535).
func TestFontSubsetWidths(t *testing.T) {
	f, s, _ := subsetter(t)
	rng := rand.New(rand.NewPCG(172, 1404))
	for i := range 200 {
		cw := make([]int, len(s.cw))
		choices := []int{0, 65535, 500, 500, 600, 600, 700}[:3+i%5]
		for r := 1; r < 600; r++ {
			cw[r] = choices[rng.IntN(len(choices))]
		}
		var text []rune
		for range rng.IntN(300) {
			text = append(text, rune(32+rng.IntN(568)))
		}

		p := *f.parsed
		p.def = reflect.New(f.parsed.def.Type()).Elem()
		p.def.Set(f.parsed.def)
		p.def.FieldByName("Cw").Set(reflect.ValueOf(cw))
		want, first, used, err := gofpdfFontBlock(&p, f.family, string(text))
		if err != nil {
			t.Fatal(err)
		}
		sw := *s
		sw.cw, sw.widthRunes = cw, nil
		for r, w := range cw {
			if w != 0 {
				sw.widthRunes = append(sw.widthRunes, r)
			}
		}
		lastRune := 0
		for k, r := range used {
			if k != 0 {
				lastRune = max(lastRune, r)
			}
		}
		got := sw.widthsArray(used, lastRune)
		obj := (&fontBlock{objects: [fontObjects][]blockPiece{want.objects[1]}}).render(first)
		from, to := bytes.Index(obj, []byte("/W [")), bytes.Index(obj, []byte("/CIDToGIDMap"))
		if from < 0 || to < from {
			t.Fatalf("gofpdf's CIDFont has no /W: %q", obj)
		}
		if w := obj[from:to]; !bytes.Equal(got, w) {
			t.Fatalf("case %d, runes %q: the widths array is\n%s\ngofpdf's\n%s", i, string(text), got, w)
		}
	}
}

// TestFontObjectsWithoutSubsetter: were the subsetter off (a font it
// cannot write as gofpdf does), gofpdf writes the font objects of a new
// rune set and they are kept, and documents are still gofpdf's bytes.
func TestFontObjectsWithoutSubsetter(t *testing.T) {
	docs := everyKind(t)
	want := gofpdfRenderings(t, docs)
	subsetFonts = false
	defer func() { subsetFonts = true }()
	fontBlocks.reset()
	for round := range 2 {
		for i, render := range docs {
			pdf, err := render()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pdf, want[i]) {
				t.Errorf("round %d, document %d: %s, gofpdf alone %s", round, i, digestOf(pdf), digestOf(want[i]))
			}
		}
	}
	if hits := fontBlocks.reset(); hits < len(docs) {
		t.Errorf("the font objects gofpdf wrote were reused %d times in the second round of %d documents", hits, len(docs))
	}
}

// TestRenderCertificateNewRunesAllocates: a certificate whose runes no
// document drew before (its font objects written anew) allocates at most
// 1 MB, as a re-rendered one does (issue 13;
// BenchmarkRenderCertificateNewRunes measures it and the time). gofpdf's
// own subsetting allocated about 4.1 MB.
func TestRenderCertificateNewRunesAllocates(t *testing.T) {
	if raceDetector() {
		t.Skip("allocations are counted without -race (see TestRenderCertificateAllocates)")
	}
	c, _ := issuedSample(t)
	const runs = 10
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		fontBlocks.reset()
		if _, err := RenderCertificate(c, ModeFinal); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 1<<20 {
		t.Errorf("a certificate of new runes allocates %d bytes, over 1 MB", per)
	}
}

// BenchmarkFontSubset writes the font objects for the runes of the sample
// certificate, which is what a certificate of new runes adds to one
// re-rendered.
func BenchmarkFontSubset(b *testing.B) {
	faces, err := loadTypefaces()
	if err != nil || faces.regular.subset == nil {
		b.Fatal("no subsetter", err)
	}
	f := faces.regular
	_, _, used, err := gofpdfFontBlock(f.parsed, f.family, fa.Visual(fa.Shape(fa.Normalize(
		"گواهی شرکت صنایع غذایی نوین‌دشت قزوین (سهامی خاص) QZV-1404-000017 ۱۲۳۴۵۶۷۸۹۰"))))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := f.subset.block(used); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFontSubsetConcurrent renders documents of different runes at once,
// none of whose font objects are kept yet, so that the subsetter writes
// several at the same time (run with -race), and checks each against its
// rendering alone.
func TestFontSubsetConcurrent(t *testing.T) {
	docs := renderings(t)
	var want [][]byte
	for _, render := range docs {
		pdf, err := render()
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, pdf)
	}
	fontBlocks.reset()
	errs := make(chan error, 3*len(docs))
	for range 3 {
		for i, render := range docs {
			go func() {
				pdf, err := render()
				if err == nil && !bytes.Equal(pdf, want[i]) {
					err = fmt.Errorf("document %d rendered concurrently, its font objects new, is %s, not %s", i, digestOf(pdf), digestOf(want[i]))
				}
				errs <- err
			}()
		}
	}
	for range 3 * len(docs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
