package reports

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports/fa"
)

// RegistryReport is the working group's yearly report: the figures of
// GET /reports/registry, the resolutions by status and by category, and the
// overdue resolutions by executive agency.
type RegistryReport struct {
	// Year is the Solar Hijri year reported on.
	Year int
	// GeneratedOn is the date the report was made; it also fixes the PDF's
	// creation date, so the same report renders the same bytes.
	GeneratedOn taahod.Date
	// Figures are the yearly figures in the order to print them.
	Figures []ReportFigure
	// ImplementationRate is the share of resolutions implemented as exact
	// decimal text, such as "0.8846"; "" when there is none (no
	// resolutions). It is printed as a percentage without rounding.
	ImplementationRate string
	// RateNote states the rate's denominator, in Persian.
	RateNote string
	// ByStatus and ByCategory are drawn as bar charts.
	ByStatus   []ReportBar
	ByCategory []ReportBar
	// Overdue lists the resolutions past their deadline, by agency.
	Overdue []OverdueAgency
	// OverdueAsOf is the day the overdue list was drawn up on, from which
	// the days overdue are counted; printed under the section's heading
	// when set.
	OverdueAsOf taahod.Date
}

// ReportFigure is one yearly figure: a Persian label and its value.
type ReportFigure struct {
	Label string
	Value int
}

// ReportBar is one bar of a chart: a Persian label and a count.
type ReportBar struct {
	Label string
	Count int
}

// OverdueAgency is an executive agency with the resolutions notified to it
// that are past their deadline and not implemented.
type OverdueAgency struct {
	Agency string
	// Count is the number of overdue resolutions; Items may list fewer.
	Count int
	Items []OverdueItem
}

// OverdueItem is one overdue resolution.
type OverdueItem struct {
	ID       int64
	Text     string
	Deadline taahod.Date
	// UnitName is the unit concerned, or "".
	UnitName string
	// DaysOverdue is the number of days from the deadline to the list's
	// date (registry.OverdueResolution.DaysOverdue).
	DaysOverdue int
}

// RenderRegistryReport draws the yearly report as an A4 Persian PDF. The
// same report always gives the same bytes. It returns an EINVALID
// *taahod.Error for a report without year or date, a malformed rate, a
// negative count or text the font cannot draw.
func RenderRegistryReport(r RegistryReport) ([]byte, error) {
	percent, err := r.check()
	if err != nil {
		return nil, err
	}
	year := fa.Digits(strconv.Itoa(r.Year))
	title := "گزارش سالانهٔ کارگروه تسهیل و رفع موانع تولید — سال " + year
	d, err := newDocument(docInfo{title: title, subject: fmt.Sprintf("Taahod registry report %d", r.Year), date: r.GeneratedOn})
	if err != nil {
		return nil, err
	}
	d.onNewPage = func() float64 {
		d.setFont(false, sizeSmall)
		d.setColor(colorMuted)
		y := d.paragraph(marginX, marginTop, contentWidth, title, alignStart)
		d.rule(marginX, y+1, contentWidth, colorRule, 0.3)
		d.setColor(colorText)
		return y + 4
	}
	y := reportHeading(d, title, r.GeneratedOn)
	y = reportFigures(d, y, r, percent)
	y = section(d, y+3, "مصوبات به تفکیک وضعیت")
	y = barChart(d, y, r.ByStatus, rgb{20, 70, 120})
	y = section(d, y+3, "مصوبات به تفکیک موضوع")
	y = barChart(d, y, r.ByCategory, rgb{46, 125, 50})
	reportOverdue(d, y, r)
	d.pageNumbers()
	return d.bytes()
}

// check returns EINVALID naming each field of r a report cannot be made
// of, and otherwise the implementation rate as a Persian percentage ("" when
// r has none).
func (r RegistryReport) check() (percent string, err error) {
	var p taahod.Problems
	if !taahod.ValidFiscalYear(r.Year) {
		p.Add("year", "out_of_range", "must be a Solar Hijri year between 1300 and 1500")
	}
	if r.GeneratedOn.IsZero() {
		p.Add("generated_on", "required", "is required")
	}
	if r.ImplementationRate != "" {
		rate, err := decimal.NewFromString(r.ImplementationRate)
		if err != nil || rate.Sign() < 0 || rate.GreaterThan(decimal.NewFromInt(1)) {
			p.Add("implementation_rate", "invalid", "must be a decimal between 0 and 1")
		} else {
			// Shift moves the decimal point: exact, unlike a division.
			percent = fa.GroupAmount(taahod.FormatAmount(rate.Shift(2))) + "٪"
		}
	}
	for _, bars := range [][]ReportBar{r.ByStatus, r.ByCategory} {
		for _, b := range bars {
			if b.Count < 0 {
				p.Add("bars", "negative", "a count must not be negative")
			}
		}
	}
	return percent, p.Err()
}

// reportHeading draws the report's title and the date it was made, and
// returns the y below them.
func reportHeading(d *document, title string, generatedOn taahod.Date) float64 {
	d.setFont(true, sizeTitle)
	d.setColor(colorAccent)
	y := d.paragraph(marginX, marginTop, contentWidth, title, alignCenter)
	d.setColor(colorMuted)
	d.setFont(false, sizeSmall+0.5)
	gy, gm, gd := generatedOn.JalaliYMD()
	y = d.paragraph(marginX, y, contentWidth, "تاریخ تهیه: "+fa.LongDate(gy, gm, gd)+" — همهٔ ارقام از سوابق ثبت‌شده در سامانه محاسبه شده است.", alignCenter)
	d.setColor(colorText)
	d.rule(marginX, y+1.5, contentWidth, colorAccent, 0.5)
	return y + 4
}

// reportFigures draws the year's figures, the implementation rate and its
// note, and returns the y below them.
func reportFigures(d *document, y float64, r RegistryReport, percent string) float64 {
	y = section(d, y, "ارقام سال")
	rows := make([][]string, 0, len(r.Figures)+1)
	for _, f := range r.Figures {
		rows = append(rows, []string{f.Label, fa.GroupAmount(strconv.Itoa(f.Value))})
	}
	if percent != "" {
		rows = append(rows, []string{"نرخ اجرای مصوبات", percent})
	}
	y = d.table(y, []column{
		{title: "عنوان", width: 130, align: alignStart},
		{title: "مقدار", width: contentWidth - 130, align: alignCenter},
	}, rows, sizeBody, nil)
	if r.RateNote != "" {
		d.setFont(false, sizeSmall)
		d.setColor(colorMuted)
		y = d.paragraph(marginX, y+1, contentWidth, "نرخ اجرا: "+r.RateNote, alignStart)
		d.setColor(colorText)
	}
	return y
}

// reportOverdue draws the overdue resolutions, agency by agency.
func reportOverdue(d *document, y float64, r RegistryReport) {
	y = section(d, y+3, "مصوبات معوق به تفکیک دستگاه اجرایی")
	if !r.OverdueAsOf.IsZero() {
		ay, am, ad := r.OverdueAsOf.JalaliYMD()
		d.setFont(false, sizeSmall)
		d.setColor(colorMuted)
		y = d.paragraph(marginX, y, contentWidth,
			"مصوباتی که مهلتشان گذشته و اجرا یا لغو نشده‌اند؛ روزهای تأخیر تا "+fa.LongDate(ay, am, ad)+" شمرده شده است.", alignStart)
		d.setColor(colorText)
	}
	if len(r.Overdue) == 0 {
		d.setFont(false, sizeBody)
		d.paragraph(marginX, y, contentWidth, "مصوبهٔ معوقی ثبت نشده است.", alignStart)
	}
	for _, a := range r.Overdue {
		y = overdueAgency(d, y, a)
	}
}

// overdueAgency draws one agency's overdue resolutions under its name: a
// row per resolution with its days overdue, and a total row with the
// number of resolutions and their days overdue added up. It returns the y
// below them.
func overdueAgency(d *document, y float64, a OverdueAgency) float64 {
	d.setFont(true, sizeBody)
	y = d.ensure(y+1, 3*d.lineHeight()+8)
	y = d.paragraph(marginX, y, contentWidth,
		a.Agency+" — "+fa.Digits(strconv.Itoa(a.Count))+" مصوبهٔ معوق", alignStart)
	if len(a.Items) == 0 {
		return y + 2
	}
	rows := make([][]string, 0, len(a.Items)+1)
	days := 0
	for _, it := range a.Items {
		deadline := "—"
		if !it.Deadline.IsZero() {
			dy, dm, dd := it.Deadline.JalaliYMD()
			deadline = fa.JalaliDate(dy, dm, dd)
		}
		unit := it.UnitName
		if unit == "" {
			unit = "—"
		}
		days += it.DaysOverdue
		rows = append(rows, []string{fa.Digits(strconv.FormatInt(it.ID, 10)), it.Text, deadline,
			fa.GroupAmount(strconv.Itoa(it.DaysOverdue)), unit})
	}
	// The total counts the resolutions listed, which are all of Count
	// when the list is whole.
	rows = append(rows, []string{"", "جمع " + fa.Digits(strconv.Itoa(len(a.Items))) + " مصوبه", "",
		fa.GroupAmount(strconv.Itoa(days)), ""})
	y = d.table(y+0.5, []column{
		{title: "شماره", width: 14, align: alignCenter},
		{title: "متن مصوبه", width: 92, align: alignStart},
		{title: "مهلت", width: 20, align: alignCenter},
		{title: "روز تأخیر", width: 16, align: alignCenter},
		{title: "واحد تولیدی", width: contentWidth - 142, align: alignStart},
	}, rows, sizeTable, map[int]bool{len(rows) - 1: true})
	return y + 2
}

// section draws a section heading and returns the y below it, moving to a
// new page rather than leaving a heading alone at the foot of one.
func section(d *document, y float64, heading string) float64 {
	d.setFont(true, sizeBody+1.5)
	d.setColor(colorAccent)
	y = d.ensure(y, 4*d.lineHeight())
	y = d.paragraph(marginX, y, contentWidth, heading, alignStart)
	d.setColor(colorText)
	return y + 0.5
}

// barLength is the length in millimetres of the bar for count when the
// longest bar, for most, spans span hundredths of a millimetre: the integer
// quotient span·count/most, so no rounding of floating point can make equal
// counts unequal or a bar overshoot the span.
func barLength(span int64, count, most int) float64 {
	if most <= 0 || count <= 0 {
		return 0
	}
	return float64(span*int64(count)/int64(most)) / 100
}

// barChart draws one horizontal bar per entry, right to left: the label at
// the right, the bar growing leftwards from it, the count at its end. The
// longest bar is the largest count; lengths are computed in whole
// hundredths of a millimetre by integer arithmetic, so equal counts get
// exactly equal bars.
func barChart(d *document, y float64, bars []ReportBar, c rgb) float64 {
	const labelW, countW, rowH, barH = 52.0, 16.0, 6.5, 4.2
	const span = int64((contentWidth - labelW - countW - 4) * 100) // hundredths of mm
	if len(bars) == 0 {
		d.setFont(false, sizeBody)
		return d.paragraph(marginX, y, contentWidth, "موردی ثبت نشده است.", alignStart)
	}
	most := 0
	for _, b := range bars {
		most = max(most, b.Count)
	}
	right := marginX + contentWidth
	barRight := right - labelW - 2
	for _, b := range bars {
		d.setFont(false, sizeBody)
		lines := d.lines(b.Label, labelW-2)
		h := max(rowH, float64(len(lines))*d.lineHeight())
		y = d.ensure(y, h)
		ly := y + (h-float64(len(lines))*d.lineHeight())/2
		for _, l := range lines {
			d.drawLine(right-labelW, ly, labelW-2, l, alignStart)
			ly += d.lineHeight()
		}
		length := barLength(span, b.Count, most)
		if length > 0 {
			d.pdf.SetFillColor(c.r, c.g, c.b)
			d.pdf.Rect(barRight-length, y+(h-barH)/2, length, barH, "F")
		}
		d.setFont(true, sizeBody)
		d.drawLine(barRight-length-countW-1, y+(h-d.lineHeight())/2, countW, fa.GroupAmount(strconv.Itoa(b.Count)), alignStart)
		// The axis the bars grow from, drawn per row so that it follows
		// the chart onto a new page.
		d.pdf.SetDrawColor(colorRule.r, colorRule.g, colorRule.b)
		d.pdf.SetLineWidth(0.3)
		d.pdf.Line(barRight, y, barRight, y+h)
		y += h
	}
	return y + 1
}
