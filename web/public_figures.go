package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// publicRowsPageSize is how many records one page of a figure's list shows.
const publicRowsPageSize = 50

// publicRowsData is one page of the records behind a figure, as GET
// /api/v1/public/registry/rows lists them: confidential resolutions'
// units withheld, no minutes, no national ids.
type publicRowsData struct {
	Figure, Label string
	Year          int
	// Count is the figure itself; paging through the list yields exactly
	// that many rows.
	Count int
	// Kind is the kind of the figure's records; one of the slices below
	// holds the page's rows.
	Kind        registry.RowKind
	Sessions    []registry.Session
	Resolutions []registry.Resolution
	Units       []registry.ExaminedUnit
	Cases       []registry.Case
	Revived     []registry.RevivedUnit
	Schools     []registry.PledgedSchool
	// Next and Previous are the neighbouring pages, "" for none.
	Next, Previous string
	Home           string
}

// publicFigureRows renders /public/figures/{figure}?year=: the records
// behind one figure of the year, 50 a page with the API's after-id cursor
// («بعدی»/«قبلی»). An unknown figure is the 404 page.
func (p *Pages) publicFigureRows(c *gin.Context) {
	figure := c.Param("figure")
	label, known := figureLabel(figure)
	if !known {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	year, _, ok := p.publicYear(c)
	after, trail, posOK := readPosition(c)
	if !ok || !posOK {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	count, rows, err := p.registry.FigureRows(c.Request.Context(), registry.Public(), year, figure, after, publicRowsPageSize+1)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := publicRowsData{Figure: figure, Label: label, Year: year, Count: count, Home: "/?year=" + strconv.Itoa(year)}
	path := "/public/figures/" + url.PathEscape(figure)
	filter := url.Values{"year": {strconv.Itoa(year)}}
	if after > 0 {
		d.Previous = pageLinkOn(path, filter, trail)
	}
	if len(rows) > publicRowsPageSize {
		rows = rows[:publicRowsPageSize]
		d.Next = pageLinkOn(path, filter, append(append(trail[:len(trail):len(trail)], after), rows[len(rows)-1].ID()))
	}
	for _, r := range rows {
		d.Kind = r.Kind()
		switch rec := r.Record().(type) {
		case registry.Session:
			d.Sessions = append(d.Sessions, rec)
		case registry.Resolution:
			d.Resolutions = append(d.Resolutions, rec)
		case registry.ExaminedUnit:
			d.Units = append(d.Units, rec)
		case registry.Case:
			d.Cases = append(d.Cases, rec)
		case registry.RevivedUnit:
			d.Revived = append(d.Revived, rec)
		case registry.PledgedSchool:
			d.Schools = append(d.Schools, rec)
		}
	}
	p.render(c, http.StatusOK, "public_figure", page{Data: d})
}
