package reports

import "github.com/taahod/taahod/reports/fa"

// This file keeps what renderer version 1 did differently, for the
// certificates it rendered (RendererVersion).

// linesV1 is version 1's lines: right-to-left text shaped and reordered by
// fa.Lines, which wraps the shaped text.
func (d *document) linesV1(text string, w float64) []string {
	var ls []string
	if hasRTL(text) {
		ls = fa.Lines(text, w, d.width)
	} else {
		ls = fa.Wrap(fa.Normalize(text), w, d.width)
	}
	for _, l := range ls {
		d.checkDrawable(l)
	}
	return ls
}

// overlayV1 is version 1's watermark: w's word written large and
// diagonally across every page once the pages are drawn, over the content
// but translucent. It is not emboldened: a translucent stroke over the
// translucent fill would outline every glyph in a darker band.
func (d *document) overlayV1(w watermark) {
	size := 110.0
	keep := d.size
	keepBold := d.bold
	d.setFont(false, size)
	line := fa.Visual(fa.Shape(fa.Normalize(w.text)))
	d.checkDrawable(line)
	for size > 24 && d.width(line) > 0.9*pageHeight {
		size -= 4
		d.setFont(false, size)
	}
	width := d.width(line)
	for p := 1; p <= d.pdf.PageCount(); p++ {
		d.goToPage(p)
		d.pdf.SetAlpha(0.25, "Normal")
		d.setColor(w.color)
		d.pdf.TransformBegin()
		d.pdf.TransformRotate(55, pageWidth/2, pageHeight/2)
		d.text(pageWidth/2-width/2, pageHeight/2+size*ptToMM*0.35, line)
		d.pdf.TransformEnd()
		d.pdf.SetAlpha(1, "Normal")
	}
	d.setFont(keepBold, keep)
	d.setColor(colorText)
}
