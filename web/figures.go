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

// The secretariat's yearly figures: the registry's figures as the public
// report gives them (registry.Figures, GET /reports/registry), each linking
// to the records behind it (registry.FigureRows, GET
// /reports/registry/rows) read as the secretariat reads them, so that the
// units of confidential records, which the public never sees, are named.

func (p *Pages) mountFigures(g *gin.RouterGroup) {
	g.GET("/figures", p.figures)
	g.GET("/figures/rows", p.figureRowsPage)
}

// figureLine is one figure of the page: its Persian title, its count and
// the link to its rows.
type figureLine struct {
	Title  string
	Count  int
	Name   string // the registry's figure name
	Indent bool   // a part of the line above
}

// figuresData is the figures page.
type figuresData struct {
	Year  int
	Lines []figureLine
	// Rate is the implementation rate as a Persian percent ("" when
	// nothing can be implemented); Numerator and Denominator its parts.
	Rate                   string
	Numerator, Denominator int
	PDF                    string
}

// yearOf reads the query's year (Persian digits too); the current fiscal
// year when there is none; false when it is not a year.
func (p *Pages) yearOf(c *gin.Context) (int, bool) {
	s := strings.TrimSpace(taahod.ASCIIDigits(c.Query("year")))
	if s == "" {
		return taahod.Today(p.now()).FiscalYear(), true
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, false
	}
	if _, _, err := registry.YearBounds(y); err != nil {
		return 0, false
	}
	return y, true
}

// figures renders /secretariat/figures?year=.
func (p *Pages) figures(c *gin.Context) {
	u, _ := signedIn(c)
	year, ok := p.yearOf(c)
	if !ok {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	f, err := p.registry.Figures(c.Request.Context(), year)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := figuresData{Year: year, Numerator: f.ImplementationRate.Numerator, Denominator: f.ImplementationRate.Denominator,
		PDF: "/api/v1/public/registry.pdf?year=" + strconv.Itoa(year)}
	if v := f.ImplementationRate.Value; v != nil {
		d.Rate = Percent(*v)
	}
	// The public site's figures, words and order (public_labels.go): the
	// secretariat reads the same report.
	for _, pf := range publicFigures {
		d.Lines = append(d.Lines, figureLine{pf.Label, f.Count(pf.Name), pf.Name, pf.Part})
	}
	p.render(c, http.StatusOK, "secretariat_figures", page{User: &u, CSRF: csrfToken(c), Data: d})
}

// figureRowsData is one page of a figure's rows.
type figureRowsData struct {
	Year           int
	Name, Title    string
	Count          int
	Headers        []string
	Rows           []figureRowView
	Next, Previous string
}

// figureRowView is a row of any kind, as the table shows it.
type figureRowView struct {
	Cells        []string
	Link         string
	Confidential bool
}

// figureRowsPage renders /secretariat/figures/rows?year=&figure=: the
// records behind one figure, paged with the API's cursor.
func (p *Pages) figureRowsPage(c *gin.Context) {
	u, _ := signedIn(c)
	year, ok := p.yearOf(c)
	name := c.Query("figure")
	title, known := figureLabel(name)
	after, trail, ok2 := readPosition(c)
	if !ok || !ok2 {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	if !known {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	count, rows, err := p.registry.FigureRows(c.Request.Context(), registry.SignedIn(u), year, name, after, recordsPageSize+1)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := figureRowsData{Year: year, Name: name, Title: title, Count: count}
	q := url.Values{"year": {strconv.Itoa(year)}, "figure": {name}}
	if after > 0 {
		d.Previous = pageLinkOn("/secretariat/figures/rows", q, trail)
	}
	if len(rows) > recordsPageSize {
		rows = rows[:recordsPageSize]
		d.Next = pageLinkOn("/secretariat/figures/rows", q, append(append(trail[:len(trail):len(trail)], after), rows[len(rows)-1].ID()))
	}
	for _, r := range rows {
		h, v := figureRowOf(r)
		d.Headers = h
		d.Rows = append(d.Rows, v)
	}
	p.render(c, http.StatusOK, "secretariat_figure_rows", page{User: &u, CSRF: csrfToken(c), Data: d,
		Downloads: downloadsWith("/api/v1/reports/registry/rows", url.Values{"year": {strconv.Itoa(year)}, "figure": {name}})})
}

// figureRowOf is a figure's row as the table shows it, with the table's
// headers for its kind.
func figureRowOf(r registry.FigureRow) ([]string, figureRowView) {
	id := func(n int64) string { return PersianDigits(strconv.FormatInt(n, 10)) }
	n := func(n int) string { return PersianDigits(strconv.Itoa(n)) }
	unit := func(name *string, withheld bool) string {
		if name == nil || withheld {
			return "محرمانه"
		}
		return *name
	}
	switch x := r.Record().(type) {
	case registry.Session:
		return []string{"شماره", "نوع", "تاریخ", "شهرستان", "عنوان", "مصوبه‌ها"}, figureRowView{
			Cells: []string{id(x.ID), registry.SessionKinds.Title(x.Kind), DateTable(x.HeldOn), deref(x.County), deref(x.Title), n(x.Resolutions)},
			Link:  "/secretariat/sessions/" + strconv.FormatInt(x.ID, 10)}
	case registry.Resolution:
		return []string{"شماره", "تاریخ", "واحد", "متن", "دسته", "وضعیت"}, figureRowView{
			Cells: []string{id(x.ID), DateTable(x.AdoptedOn), unit(x.UnitName, x.UnitWithheld), x.Text,
				registry.Categories.Title(x.Category), registry.Statuses.Title(x.Status)},
			Link: "/secretariat/resolutions/" + strconv.FormatInt(x.ID, 10), Confidential: x.Confidential}
	case registry.ExaminedUnit:
		return []string{"شماره واحد", "واحد", "شهرستان", "مصوبه‌ها"}, figureRowView{
			Cells: []string{id(r.ID()), unit(x.Name, x.UnitWithheld), deref(x.County), n(x.Resolutions)}}
	case registry.Case:
		return []string{"شماره", "تاریخ ثبت", "واحد", "موضوع", "نحوه رسیدگی", "نتیجه"}, figureRowView{
			Cells: []string{id(x.ID), DateTable(x.OpenedOn), unit(x.UnitName, x.UnitWithheld), x.Subject,
				registry.Channels.Title(x.Channel), registry.Outcomes.Title(x.Outcome)},
			Link: casePath(x.ID), Confidential: x.Confidential}
	case registry.RevivedUnit:
		return []string{"شماره واحد", "واحد", "شهرستان", "تاریخ احیا", "احیاها در سال"}, figureRowView{
			Cells: []string{id(x.UnitID), x.Name, x.County, DateTable(x.RevivedOn), n(x.Revivals)}}
	case registry.PledgedSchool:
		return []string{"شماره", "مدرسه", "شهرستان", "تعهدها", "نخستین تعهد"}, figureRowView{
			Cells: []string{id(x.SchoolID), x.Name, x.County, n(x.Pledges), DateTable(x.FirstPledgedOn)}}
	}
	return []string{"شماره"}, figureRowView{Cells: []string{id(r.ID())}}
}
