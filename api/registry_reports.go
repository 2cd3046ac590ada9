package api

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
	"github.com/taahod/taahod/reports"
)

func (s *Server) registryReportRoutes(public, v1 *gin.RouterGroup) {
	v1.GET("/reports/registry", s.endpoint(anySignedIn, s.registryFigures, "year")...)
	v1.GET("/reports/registry/rows", s.endpoint(anySignedIn, s.exportable(figureRowsList(viewer), func(c *gin.Context) error {
		return s.registryRows(c, viewer(c))
	}), append(paged("year", "figure"), exportParams...)...)...)
	v1.GET("/reports/registry.pdf", s.endpoint(anySignedIn, s.registryReportPDF, "year")...)
	public.GET("/public/registry", s.handle(s.registryFigures, "year"))
	public.GET("/public/registry.pdf", s.handle(s.registryReportPDF, "year"))
	public.GET("/public/registry/rows", s.handle(s.exportable(figureRowsList(publicViewer), func(c *gin.Context) error {
		return s.registryRows(c, registry.Public())
	}), append(paged("year", "figure"), exportParams...)...))
}

// registryFigures answers the yearly figures; they are the same for every
// reader, signed in or not.
func (s *Server) registryFigures(c *gin.Context) error {
	var p taahod.Problems
	year := queryYear(c, &p, "year", true)
	if err := p.Err(); err != nil {
		return err
	}
	f, err := s.registry.Figures(c.Request.Context(), year)
	if err != nil {
		return err
	}
	return ok(c, f)
}

// figureRows is the answer of the rows endpoints: a page of the records
// behind one figure, with the figure's count.
type figureRows struct {
	Year       int                  `json:"year"`
	Figure     string               `json:"figure"`
	Count      int                  `json:"count"`
	Items      []registry.FigureRow `json:"items"`
	NextCursor *string              `json:"next_cursor"`
}

func (s *Server) registryRows(c *gin.Context, v registry.Viewer) error {
	year, figure, pg, err := figureRowsFilter(c)
	if err != nil {
		return err
	}
	count, rows, err := s.registry.FigureRows(c.Request.Context(), v, year, figure, pg.AfterID, pg.Limit+1)
	if err != nil {
		return err
	}
	ans := pageAnswer(rows, pg, registry.FigureRow.ID)
	return ok(c, figureRows{Year: year, Figure: figure, Count: count, Items: ans.Items, NextCursor: ans.NextCursor})
}

// figureRowsFilter reads the year, the figure and the page of the rows
// endpoints: their pages and their file (export_lists.go) read the same.
func figureRowsFilter(c *gin.Context) (int, string, page, error) {
	pg, p := listParams(c)
	year := queryYear(c, p, "year", true)
	figure := c.Query("figure")
	if _, known := registry.FigureDoc(figure); !known {
		p.Add("figure", "invalid_choice", "figure must be one of the report's figures, such as resolutions.implemented; see the OpenAPI description")
	}
	return year, figure, pg, p.Err()
}

// publicViewer is the viewer of the public routes, whoever asks.
func publicViewer(*gin.Context) registry.Viewer { return registry.Public() }

// registryReportPDF answers the yearly report as a Persian PDF. It is the
// published report, so confidential resolutions' units are withheld in it
// whoever asks.
func (s *Server) registryReportPDF(c *gin.Context) error {
	var p taahod.Problems
	year := queryYear(c, &p, "year", true)
	if err := p.Err(); err != nil {
		return err
	}
	rep, err := s.registry.YearReport(c.Request.Context(), registry.Public(), year)
	if err != nil {
		return err
	}
	pdf, err := reports.RenderRegistryReport(reports.RegistryReportOf(rep, taahod.Today(s.db.Now())))
	if err != nil {
		return err
	}
	c.Header("Content-Disposition", `inline; filename="registry-`+strconv.Itoa(year)+`.pdf"`)
	c.Data(http.StatusOK, "application/pdf", pdf)
	return nil
}
