package web

import (
	"strconv"
)

// barChart is a horizontal bar chart drawn on the server as inline SVG
// (public_home.html's "bar-chart"): no script and no chart library, and
// nothing the CSP forbids — only SVG presentation attributes and app.css
// classes, never a style attribute. It reads without colour: each bar
// carries its label and its count in Persian digits, and its fill is a
// pattern of its own; the SVG has a <title> and a <desc>, and the page a
// table with the same numbers.
type barChart struct {
	// ID prefixes the ids inside the SVG (title, desc, patterns), unique
	// on the page.
	ID    string
	Title string
	Desc  string
	Bars  []bar
	// Width and Height are the viewBox's; Right is the x of the bars'
	// common start (the axis), LabelX of the labels' start.
	Width, Height, Right, LabelX int
}

// bar is one bar: its label above it, its count at its end.
type bar struct {
	Label string
	Count int
	// Link is where the bar's count leads in the chart's table (the
	// figure's rows), "" for none.
	Link string
	// Fill is the SVG fill: the url of one of the chart's patterns.
	Fill string
	// LabelY, BarY are the baselines of the label and the top of the bar;
	// BarX and Width its left edge and width; CountX the x of the count's
	// text, which follows the bar's end to its left (the chart reads right
	// to left, as the page).
	LabelY, BarY, BarX, Width, CountX int
}

// The chart's geometry, in viewBox units: the bars start at the right
// edge and the longest takes barSpan, leaving room for its count.
// The viewBox is narrow so that its text stays readable on a phone, where
// it is drawn about as wide as the screen.
const (
	chartWidth = 400
	chartRight = 396
	barSpan    = 290
	rowHeight  = 44
)

// chartPatterns is how many fills the charts cycle through
// (public_home.html defines them per chart: solid, stripes, dots, cross
// hatch, …), so that neighbouring bars differ without colour.
const chartPatterns = 6

// newBarChart lays out bars (label, count, link) with the longest bar the
// largest count.
func newBarChart(id, title, desc string, bars []bar) barChart {
	most := 0
	for _, b := range bars {
		most = max(most, b.Count)
	}
	for i := range bars {
		b := &bars[i]
		b.LabelY = i*rowHeight + 16
		b.BarY = i*rowHeight + 22
		if most > 0 {
			b.Width = b.Count * barSpan / most
		}
		if b.Count > 0 {
			b.Width = max(b.Width, 2) // a count above zero shows
		}
		b.BarX = chartRight - b.Width
		b.CountX = b.BarX - 6
		b.Fill = "url(#" + id + "-p" + strconv.Itoa(i%chartPatterns) + ")"
	}
	return barChart{ID: id, Title: title, Desc: desc, Bars: bars,
		Width: chartWidth, Height: len(bars)*rowHeight + 4, Right: chartRight, LabelX: chartRight - 6}
}
