package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// publicHomeData is the public home: the working group's figures of a year
// and the year before it, side by side as on the yearly report, each a link
// to its records; the year's resolutions by status and by category as
// charts with their tables; the report's PDF; the certificate check.
type publicHomeData struct {
	Year, Previous int
	// Lines are the figures, each with the year's and the previous year's
	// count.
	Lines []publicFigureLine
	// Rate is the implementation rate of each year.
	Rate [2]rateCell
	// ByStatus and ByCategory are the year's charts; Categories the
	// category table (every category, by status).
	ByStatus, ByCategory barChart
	Categories           []registry.CategoryCount
	// PDF is the yearly report of Year and of Previous (the API's bytes).
	PDF [2]string
	// Next is the year after Year while it is not past the current one
	// (0 otherwise): the page's links between years.
	Next int
}

// publicFigureLine is one figure in both years.
type publicFigureLine struct {
	publicFigure
	Cells [2]figureCell
}

// figureCell is one figure's count in one year, with the link to its rows.
type figureCell struct {
	Count int
	Link  string
}

// rateCell is the implementation rate of one year: Percent is "" when the
// year has no resolution to implement.
type rateCell struct {
	Percent                string
	Numerator, Denominator figureCell
}

// figureLink is the public list of the records behind figure in year.
func figureLink(figure string, year int) string {
	return "/public/figures/" + url.PathEscape(figure) + "?year=" + strconv.Itoa(year)
}

// reportPDFLink is the yearly report of year as the API publishes it.
func reportPDFLink(year int) string {
	return "/api/v1/public/registry.pdf?year=" + strconv.Itoa(year)
}

// publicYear reads the query's year ("year", Persian or ASCII digits), the
// current fiscal year when there is none; false when it is not a year of
// the calendar.
func (p *Pages) publicYear(c *gin.Context) (year, current int, ok bool) {
	current = taahod.Today(p.registry.DB.Now()).FiscalYear()
	s := strings.TrimSpace(taahod.ASCIIDigits(c.Query("year")))
	if s == "" {
		return current, current, true
	}
	year, err := strconv.Atoi(s)
	if err != nil {
		return 0, current, false
	}
	if _, _, err := registry.YearBounds(year); err != nil {
		return 0, current, false
	}
	return year, current, true
}

// publicHome renders "/" for a visitor who is not signed in.
func (p *Pages) publicHome(c *gin.Context) {
	p.renderPublicHome(c, http.StatusOK, nil)
}

// renderPublicHome renders the public home with status; f is the
// certificate check's form when it comes back with an error.
func (p *Pages) renderPublicHome(c *gin.Context, status int, f *form) {
	year, current, ok := p.publicYear(c)
	if !ok {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	two, err := p.registry.TwoYears(c.Request.Context(), year)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	// A form coming back with an error is rendered afresh; the plain page
	// is sent as last rendered when its figures are the same.
	plain := f == nil
	if plain {
		if html, ok := p.homes.get(year, two, current); ok {
			sendHTML(c, status, html)
			return
		}
	}
	d := p.publicFigures(two, year)
	if year < current {
		d.Next = year + 1
	}
	pg := page{Data: d, Form: f}
	if f != nil && f.failed() {
		pg.Alert = Message(taahod.EINVALID)
	}
	if !plain {
		p.render(c, status, "public_home", pg)
		return
	}
	html, err := p.renderHTML("public_home", pg)
	if err != nil {
		p.log.ErrorContext(c.Request.Context(), "render page", "view", "public_home", "error", err)
		p.failure(c, http.StatusInternalServerError, Message(taahod.EINTERNAL))
		return
	}
	p.homes.put(year, two, current, html)
	sendHTML(c, status, html)
}

// publicFigures lays out the home's figures: the registry's Figures (the
// function GET /api/v1/public/registry answers with) for year and the
// year before, and year's resolutions by category (registry.TwoYears).
func (p *Pages) publicFigures(two registry.TwoYears, year int) publicHomeData {
	d := publicHomeData{Year: year, Previous: year - 1,
		PDF: [2]string{reportPDFLink(year), reportPDFLink(year - 1)}}
	// two is read in one snapshot, so that the page's numbers agree with
	// each other; each year's figures are the JSON endpoint's computation
	// over the yearly counts (BenchmarkPublicHome compares the two).
	figs, categories := [2]registry.Figures{two.Figures, two.Previous}, two.ByCategory
	for _, pf := range publicFigures {
		line := publicFigureLine{publicFigure: pf}
		for i, f := range figs {
			line.Cells[i] = figureCell{Count: f.Count(pf.Name), Link: figureLink(pf.Name, f.Year)}
		}
		d.Lines = append(d.Lines, line)
	}
	for i, f := range figs {
		r := f.ImplementationRate
		d.Rate[i] = rateCell{
			Numerator:   figureCell{Count: r.Numerator, Link: figureLink(r.NumeratorFigure, f.Year)},
			Denominator: figureCell{Count: r.Denominator, Link: figureLink(r.DenominatorFigure, f.Year)},
		}
		if r.Value != nil {
			d.Rate[i].Percent = Percent(*r.Value)
		}
	}

	f := figs[0]
	statusBars := make([]bar, 0, len(registry.Statuses))
	for _, s := range registry.Statuses {
		figure := statusFigures[s.Value]
		statusBars = append(statusBars, bar{Label: s.Title, Count: f.Count(figure), Link: figureLink(figure, year)})
	}
	yearText := PersianDigits(strconv.Itoa(year))
	d.ByStatus = newBarChart("by-status", "مصوبات سال "+yearText+" بر پایه وضعیت",
		"نمودار میله‌ای افقی: شمار مصوبات سال "+yearText+" در هر وضعیت؛ همه "+PersianDigits(strconv.Itoa(f.Resolutions.Total))+" مصوبه. همین ارقام در جدول زیر نمودار آمده است.",
		statusBars)
	categoryBars := make([]bar, 0, len(categories))
	for _, c := range categories {
		categoryBars = append(categoryBars, bar{Label: c.Title, Count: c.Statuses.Total})
	}
	d.ByCategory = newBarChart("by-category", "مصوبات سال "+yearText+" بر پایه موضوع",
		"نمودار میله‌ای افقی: شمار مصوبات سال "+yearText+" در هر موضوع. همین ارقام، با وضعیت‌ها، در جدول زیر نمودار آمده است.",
		categoryBars)
	d.Categories = categories
	return d
}
