package reports

// column is one column of a table, in reading order: the first column is
// the rightmost.
type column struct {
	title string
	width float64 // mm
	align align
	// ltr draws the cells as left-to-right runs (serials, invoice numbers
	// in Latin), broken at any character rather than at spaces.
	ltr bool
}

// table draws rows under a header row of cols, starting at top y and
// spanning the sum of the column widths from the right margin leftwards.
// Cells wrap; a row that does not fit on the page moves to a new page, where
// the header is drawn again. Rows marked in emphasize (by index) are drawn
// bold on the header colour, for totals. It returns the y below the table.
func (d *document) table(y float64, cols []column, rows [][]string, size float64, emphasize map[int]bool) float64 {
	const padX, padY = 1.6, 0.9
	keepBold, keepSize := d.bold, d.size
	defer d.setFont(keepBold, keepSize)

	// xs[i] is the left edge of column i.
	xs := make([]float64, len(cols))
	right := marginX + contentWidth
	for i, c := range cols {
		right -= c.width
		xs[i] = right
	}
	total := marginX + contentWidth - right

	layout := func(cells []string, bold bool) ([][]string, float64) {
		d.setFont(bold, size)
		out := make([][]string, len(cols))
		most := 1
		for i, c := range cols {
			text := ""
			if i < len(cells) {
				text = cells[i]
			}
			w := c.width - 2*padX
			if c.ltr {
				d.checkDrawable(text)
				out[i] = d.breakLTR(text, w)
			} else {
				out[i] = d.lines(text, w)
			}
			if len(out[i]) > most {
				most = len(out[i])
			}
		}
		return out, float64(most)*d.lineHeight() + 2*padY
	}
	drawRow := func(y float64, cells [][]string, h float64, bold, filled, isHeader bool) {
		d.setFont(bold, size)
		if filled {
			d.pdf.SetFillColor(colorHeader.r, colorHeader.g, colorHeader.b)
			d.pdf.Rect(right, y, total, h, "F")
		}
		d.pdf.SetDrawColor(colorRule.r, colorRule.g, colorRule.b)
		d.pdf.SetLineWidth(0.2)
		d.pdf.Rect(right, y, total, h, "D")
		for i, c := range cols {
			if i > 0 {
				d.pdf.Line(xs[i]+c.width, y, xs[i]+c.width, y+h)
			}
			ly := y + padY
			for _, l := range cells[i] {
				a := c.align
				if isHeader {
					a = alignCenter
				}
				d.drawLine(xs[i]+padX, ly, c.width-2*padX, l, a)
				ly += d.lineHeight()
			}
		}
	}

	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	head, headH := layout(titles, true)
	header := func(y float64) float64 {
		drawRow(y, head, headH, true, true, true)
		return y + headH
	}

	firstRowH := headH
	if len(rows) > 0 {
		_, firstRowH = layout(rows[0], emphasize[0])
	}
	y = d.ensure(y, headH+firstRowH)
	y = header(y)
	for i, r := range rows {
		cells, h := layout(r, emphasize[i])
		if y+h > pageHeight-marginBottom {
			y = header(d.newPage())
		}
		drawRow(y, cells, h, emphasize[i], emphasize[i], false)
		y += h
	}
	return y
}
