package reports

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jung-kurt/gofpdf"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports/fa"
)

// Page geometry of every document, in millimetres: A4 portrait.
const (
	pageWidth    = 210.0
	pageHeight   = 297.0
	marginX      = 15.0
	marginTop    = 15.0
	marginBottom = 14.0
	contentWidth = pageWidth - 2*marginX
	// ptToMM converts a font size in points to millimetres.
	ptToMM = 25.4 / 72
	// lineFactor is the line height as a multiple of the font size: Vazirmatn
	// reserves room above and below for the harakat and dots.
	lineFactor = 1.6
)

// align places a line within its box. The documents are right to left, so
// alignStart is the right edge.
type align int

const (
	alignStart align = iota // right
	alignCenter
)

// rgb is a colour with 0–255 components.
type rgb struct{ r, g, b int }

var (
	colorText   = rgb{25, 25, 25}
	colorMuted  = rgb{90, 90, 90}
	colorRule   = rgb{150, 150, 150}
	colorHeader = rgb{232, 236, 240}
	colorAccent = rgb{20, 70, 120}
)

// document is a Persian A4 PDF under construction: gofpdf with Vazirmatn
// embedded, text shaped and reordered by package fa, and positions in
// millimetres from the top left corner. Drawing methods record the first
// error in err, like gofpdf itself, and bytes reports it.
type document struct {
	pdf     *gofpdf.Fpdf
	faces   *typefaces
	err     error
	archive archiveInfo // the metadata of the archival form

	bold  bool
	size  float64 // current font size in points
	color rgb     // current text colour

	// onNewPage draws what every following page starts with (a running
	// head) and returns the y where content may begin.
	onNewPage func() float64

	// logical maps each visual line prepared by lines to the logical text
	// it shows, for its ActualText (see actual_text.go).
	logical map[string]string
	// version is the RendererVersion the document is rendered with.
	version int
	// shaped keeps the texts shape has shaped, by logical text.
	shaped map[string]string
	// texts writes text operators; nil if gofpdf is to.
	texts *textWriter
}

// docInfo is what the document metadata says.
type docInfo struct {
	title string
	// subject is ASCII, written as is so that tools can read it
	// (CertificateInfo).
	subject string
	// date fixes CreationDate and ModDate, so that the same input renders
	// the same bytes.
	date taahod.Date
	// watermark, if set, is drawn across every page under its content
	// (over it, translucent, in version 1: see overlay).
	watermark *watermark
	// version is the RendererVersion to render with; 0 is the current one.
	version int
}

// watermark is a word written large and diagonally across every page.
type watermark struct {
	text string
	// color is the colour the word would have at full strength; it is drawn
	// at a quarter of it, over white.
	color rgb
}

// newDocument starts a document with its first page.
func newDocument(info docInfo) (*document, error) {
	faces, err := loadTypefaces()
	if err != nil {
		return nil, fmt.Errorf("prepare fonts: %w", err)
	}
	if info.date.IsZero() {
		return nil, fmt.Errorf("document %q has no date", info.title)
	}
	if info.version == 0 {
		info.version = RendererVersion
	}
	if err := checkRendererVersion(info.version); err != nil {
		return nil, err
	}
	pdf := newPDF()
	// Noon UTC keeps the date itself the same in every time zone a reader
	// might display it in; the documents state it in Iran's time, 15:30
	// (version 1 in UTC).
	stamp := info.date.Time().Add(12 * time.Hour)
	if info.version > 1 {
		stamp = stamp.In(documentZone)
	}
	pdf.SetCreationDate(stamp)
	pdf.SetModificationDate(stamp)
	pdf.SetTitle(info.title, true)
	pdf.SetSubject(info.subject, false)
	faces.regular.addTo(pdf)
	d := &document{pdf: pdf, faces: faces, version: info.version,
		archive: archiveInfo{title: info.title, subject: info.subject, created: stamp},
		texts:   newTextWriter(pdf, faces.regular)}
	if w := info.watermark; w != nil && info.version > 1 {
		// gofpdf calls the header function as each page begins, before
		// anything else is drawn on it: the watermark lies under the
		// content, which stays fully legible without transparency.
		pdf.SetHeaderFunc(func() { d.underlay(*w) })
	}
	pdf.AddPage()
	d.ownPage()
	d.setFont(false, 10)
	d.setColor(colorText)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("start document: %w", err)
	}
	return d, nil
}

// newPDF makes an empty gofpdf document with the settings of every
// document, before its metadata and fonts.
func newPDF() *gofpdf.Fpdf {
	pdf := gofpdf.NewCustom(&gofpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "mm",
		Size:           gofpdf.SizeType{Wd: pageWidth, Ht: pageHeight},
	})
	pdf.SetCatalogSort(true)
	pdf.SetProducer("Taahod", false)
	pdf.SetCreator("Taahod", false)
	pdf.SetCompression(true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(marginX, marginTop, marginX)
	return pdf
}

// setFont selects Vazirmatn at size points, bold or not.
func (d *document) setFont(bold bool, size float64) {
	d.bold, d.size = bold, size
	d.pdf.SetFont(d.faces.regular.family, "", size)
}

// setColor sets the colour of the text drawn next.
func (d *document) setColor(c rgb) {
	d.color = c
	d.pdf.SetTextColor(c.r, c.g, c.b)
}

// emboldenFactor is the width of the outline stroked around bold glyphs, as
// a fraction of the font size: half of it widens each stem on either side,
// close to the stem weight of Vazirmatn Bold.
const emboldenFactor = 0.045

// lineHeight is the height of one line of text in the current font.
func (d *document) lineHeight() float64 { return d.size * ptToMM * lineFactor }

// width measures shaped, reordered text in the current font, in mm: what
// gofpdf's GetStringWidth returns, computed the same way (whole glyph units
// summed, then scaled) but without converting s to runes first; text is
// measured thousands of times per document, mostly while it is wrapped.
func (d *document) width(s string) float64 {
	cw := d.faces.regular.widths
	if cw == nil || d.pdf.Err() {
		return d.pdf.GetStringWidth(s)
	}
	w := 0
	for _, r := range s {
		switch c := int(r); {
		case c < len(cw) && cw[c] > 0:
			if cw[c] != 65535 {
				w += cw[c]
			}
		case d.faces.regular.missingWidth != 0:
			w += d.faces.regular.missingWidth
		default:
			w += 500
		}
	}
	_, size := d.pdf.GetFontSize()
	return float64(w) * size / 1000
}

// fail records err unless an error is already recorded.
func (d *document) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// checkDrawable records an error if s, as it will be drawn, has a rune the
// fonts lack: a certificate must not silently print a gap in a name.
func (d *document) checkDrawable(s string) {
	if bad := d.faces.undrawable(s); len(bad) > 0 {
		d.fail(taahod.Errorf(taahod.EINVALID,
			"the text %q cannot be printed: the certificate font has no glyph for %s", s, runeList(bad)))
	}
}

// lines prepares text for drawing in a box w mm wide in the current font:
// normalized, wrapped, shaped and in visual order. Text without a single
// right-to-left letter, such as a legal basis or a vendor's name entered in
// English, is laid out left to right as a whole: in a right-to-left
// paragraph the bidi rules would send a closing bracket or full stop at its
// end to the far left, as they do in any renderer.
func (d *document) lines(text string, w float64) []string {
	if d.version == 1 {
		return d.linesV1(text, w)
	}
	if !hasRTL(text) {
		ls := fa.Wrap(fa.Normalize(text), w, d.width)
		for _, l := range ls {
			d.checkDrawable(l)
		}
		return ls
	}
	ls := fa.Wrap(fa.Normalize(text), w, d.width)
	for i, l := range ls {
		ls[i] = d.visualLine(l)
	}
	return ls
}

// visualLine shapes and reorders one logical line for drawing, checks that
// the fonts can draw it, and remembers its logical text.
func (d *document) visualLine(logical string) string {
	v := d.shape(logical)
	d.checkDrawable(v)
	d.remember(v, logical)
	return v
}

// shape returns fa.Visual(fa.Shape(logical)), made once per document for
// each text: a line is shaped when it is laid out (visualLine) and again,
// whole or in pieces, when it is drawn (drawPieces), and labels and names
// recur.
func (d *document) shape(logical string) string {
	if v, ok := d.shaped[logical]; ok {
		return v
	}
	v := fa.Visual(fa.Shape(logical))
	if d.shaped == nil {
		d.shaped = make(map[string]string)
	}
	d.shaped[logical] = v
	return v
}

// hasRTL reports whether s has a right-to-left letter (Arabic script or
// Hebrew, with their presentation forms).
func hasRTL(s string) bool {
	for _, r := range s {
		if (r >= 0x0590 && r <= 0x08FF && !(r >= 0x0660 && r <= 0x066C) && !(r >= 0x06F0 && r <= 0x06F9)) ||
			(r >= 0xFB1D && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFE) {
			return true
		}
	}
	return false
}

// drawLine draws one visual-order line in the box [x, x+w] whose top is y.
func (d *document) drawLine(x, y, w float64, line string, a align) {
	lw := d.width(line)
	switch a {
	case alignStart:
		x += w - lw
	case alignCenter:
		x += (w - lw) / 2
	}
	// The baseline sits where Vazirmatn's ascent ends within the line box:
	// the box is lineFactor times the size, ascent about 1.05 of it, and the
	// rest split above and below.
	base := y + d.size*ptToMM*(lineFactor-1)/2 + d.size*ptToMM*0.95
	d.text(x, base, line)
}

// text draws line with its baseline starting at (x, base), in marked-content
// spans that tell text extractors the logical text it shows (drawPieces).
func (d *document) text(x, base float64, line string) {
	if d.version == 1 {
		d.glyphs(x, base, line)
		return
	}
	if !d.drawPieces(x, base, line, func(x float64, glyphs string) { d.glyphs(x, base, glyphs) }) {
		d.glyphs(x, base, line)
	}
}

// glyphs draws line with its baseline starting at (x, base). Bold text is
// filled and stroked in the text colour (text rendering mode 2), inside its
// own graphics state so that gofpdf's idea of the line width and stroke
// colour stays true.
func (d *document) glyphs(x, base float64, line string) {
	if !d.bold {
		d.drawText(x, base, line)
		return
	}
	c := d.color
	// What fmt's "q 2 Tr %.3f w %.3f %.3f %.3f RG" writes, without its
	// allocations: bold text is drawn often.
	b := make([]byte, 0, 48)
	b = append(b, "q 2 Tr "...)
	b = strconv.AppendFloat(b, d.size*emboldenFactor, 'f', 3, 64)
	b = append(b, " w "...)
	for _, v := range []float64{float64(c.r) / 255, float64(c.g) / 255, float64(c.b) / 255} {
		b = strconv.AppendFloat(b, v, 'f', 3, 64)
		b = append(b, ' ')
	}
	d.pdf.RawWriteStr(string(append(b, "RG"...)))
	d.drawText(x, base, line)
	d.pdf.RawWriteStr("Q")
}

// drawText draws line as gofpdf's Text does (see textWriter).
func (d *document) drawText(x, base float64, line string) {
	if d.texts == nil || !d.texts.text(d.pdf, x, base, line) {
		d.pdf.Text(x, base, line)
	}
}

// paragraph draws Persian text right to left, wrapped to w mm and aligned
// within [x, x+w], starting at top y; it returns the y below the last line.
func (d *document) paragraph(x, y, w float64, text string, a align) float64 {
	lh := d.lineHeight()
	for _, l := range d.lines(text, w) {
		d.drawLine(x, y, w, l, a)
		y += lh
	}
	return y
}

// labelled draws a label in the muted colour at the right of the box
// [x, x+w] and value after it (to its left) in bold, wrapped within the rest
// of the box; value is drawn as a left-to-right run when ltr is set. It
// returns the y below the taller of the two.
func (d *document) labelled(x, y, w float64, label, value string, ltr bool) float64 {
	keep := d.bold
	d.setFont(false, d.size)
	lw := d.width(d.shape(fa.Normalize(label))) + 1.5
	d.setFont(keep, d.size)
	return d.labelledWidth(x, y, w, lw, label, value, ltr)
}

// labelledWidth is labelled with a label column labelW mm wide, so that
// several labelled lines align.
func (d *document) labelledWidth(x, y, w, labelW float64, label, value string, ltr bool) float64 {
	keepBold := d.bold
	d.setFont(false, d.size)
	d.setColor(colorMuted)
	yl := d.paragraph(x+w-labelW, y, labelW, label, alignStart)
	d.setColor(colorText)
	d.setFont(true, d.size)
	var yv float64
	if ltr {
		yv = d.ltr(x, y, w-labelW, value, alignStart)
	} else {
		yv = d.paragraph(x, y, w-labelW, value, alignStart)
	}
	d.setFont(keepBold, d.size)
	return max(yl, yv)
}

// ltr draws a left-to-right run as it is (a serial, a hash, a URL), neither
// shaped nor reordered, in the box [x, x+w] at top y; a run wider than w
// is broken at character boundaries. It returns the y below it.
func (d *document) ltr(x, y, w float64, text string, a align) float64 {
	d.checkDrawable(text)
	lh := d.lineHeight()
	for _, l := range d.breakLTR(text, w) {
		d.drawLine(x, y, w, l, a)
		y += lh
	}
	return y
}

// breakLTR splits an unspaced left-to-right run into pieces no wider than w.
func (d *document) breakLTR(text string, w float64) []string {
	if d.width(text) <= w {
		return []string{text}
	}
	var out []string
	var cur strings.Builder
	for _, r := range text {
		if cur.Len() > 0 && d.width(cur.String()+string(r)) > w {
			out = append(out, cur.String())
			cur.Reset()
		}
		cur.WriteRune(r)
	}
	return append(out, cur.String())
}

// rule draws a horizontal line across [x, x+w] at y.
func (d *document) rule(x, y, w float64, c rgb, thickness float64) {
	d.pdf.SetDrawColor(c.r, c.g, c.b)
	d.pdf.SetLineWidth(thickness)
	d.pdf.Line(x, y, x+w, y)
}

// newPage starts a page and returns the y where content begins.
// The font and colour in use carry over to it.
func (d *document) newPage() float64 {
	bold, size, color := d.bold, d.size, d.color
	d.pdf.AddPage()
	d.ownPage()
	y := marginTop
	if d.onNewPage != nil {
		y = d.onNewPage()
	}
	d.setFont(bold, size)
	d.setColor(color)
	return y
}

// ensure starts a new page unless h mm still fit below y; it returns the y
// to draw at.
func (d *document) ensure(y, h float64) float64 {
	if y+h <= pageHeight-marginBottom {
		return y
	}
	return d.newPage()
}

// underlay writes w's word large and diagonally across the page being
// started, under everything drawn on it after, in a light solid colour (a
// quarter of w's colour over white): PDF/A files should not depend on
// transparency, and under the content the word hides nothing. It is not
// emboldened.
func (d *document) underlay(w watermark) {
	size := 110.0
	keep := d.size
	keepBold := d.bold
	keepColor := d.color
	d.setFont(false, size)
	line := d.visualLine(fa.Normalize(w.text))
	for size > 24 && d.width(line) > 0.9*pageHeight {
		size -= 4
		d.setFont(false, size)
	}
	width := d.width(line)
	light := func(c int) int { return 255 - (255-c)/4 }
	d.setColor(rgb{light(w.color.r), light(w.color.g), light(w.color.b)})
	d.pdf.TransformBegin()
	d.pdf.TransformRotate(55, pageWidth/2, pageHeight/2)
	d.text(pageWidth/2-width/2, pageHeight/2+size*ptToMM*0.35, line)
	d.pdf.TransformEnd()
	d.setFont(keepBold, keep)
	d.setColor(keepColor)
}

// goToPage makes page p (from 1) the one drawn on, to add to it after
// later pages exist. gofpdf selects a font in a page's content only when the
// font changes, and does not know that the page it returns to last selected
// another one; selecting a different size first makes it select the current
// font again on this page.
func (d *document) goToPage(p int) {
	d.pdf.SetPage(p)
	d.pdf.SetFontSize(d.size + 1)
	d.pdf.SetFontSize(d.size)
}

// pageNumbers writes «صفحه n از N» at the foot of every page; it runs once
// the page count is known.
func (d *document) pageNumbers() {
	n := d.pdf.PageCount()
	d.setFont(false, 8)
	for p := 1; p <= n; p++ {
		d.goToPage(p)
		d.setColor(colorMuted)
		d.paragraph(marginX, pageHeight-marginBottom+3, contentWidth,
			fmt.Sprintf("صفحه %s از %s", fa.Digits(strconv.Itoa(p)), fa.Digits(strconv.Itoa(n))), alignCenter)
	}
	d.setColor(colorText)
}

// bytes finishes the document and returns it, or the first error met.
func (d *document) bytes() ([]byte, error) {
	if d.err != nil {
		return nil, d.err
	}
	out, err := d.output()
	if err != nil {
		return nil, fmt.Errorf("write PDF: %w", err)
	}
	pdf, err := tagSubsets(out, d.faces.regular)
	if err != nil || d.version == 1 {
		return pdf, err
	}
	return finishArchival(pdf, d.archive)
}

// tagSubsets gives each embedded font the subset tag that PDF 32000-1
// §9.6.4 requires of a subset font (six capital letters and "+" before its
// name), which gofpdf omits although it embeds only the glyphs a document
// uses. Without it, readers and checkers such as pdffonts take the font for
// a complete one. The names sit in uncompressed font dictionaries; face
// names are chosen so that the tagged name is exactly as long as gofpdf's
// ("utf8"+family), so no byte offset in the cross-reference table moves.
// The tag is drawn from the document's own hash, so it is deterministic and
// differs between documents with different subsets. pdf is changed in
// place.
func tagSubsets(pdf []byte, faces ...face) ([]byte, error) {
	sum := sha256.Sum256(pdf)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	for _, f := range faces {
		old := []byte("/utf8" + f.family)
		tagged := []byte("/" + string(tag) + "+" + f.name)
		if len(old) != len(tagged) {
			return nil, fmt.Errorf("subset name for %s: %q and %q differ in length", f.name, old, tagged)
		}
		// Each embedded font is named three times: the Type0 font, its
		// CIDFont and the font descriptor.
		if n := bytes.Count(pdf, old); n != 3 {
			return nil, fmt.Errorf("subset name for %s: found its PDF name %d times, want 3", f.name, n)
		}
		// In place: the names are as long as gofpdf's, and pdf is the
		// document's own.
		for at := 0; ; {
			i := bytes.Index(pdf[at:], old)
			if i < 0 {
				break
			}
			at += i + copy(pdf[at+i:], tagged)
		}
	}
	return pdf, nil
}
