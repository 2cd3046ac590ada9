package api

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

func (s *Server) resolutionRoutes(g *gin.RouterGroup) {
	g.POST("/resolutions", s.endpoint(registryWriters, s.createResolution)...)
	g.POST("/resolutions/import", s.endpoint(registryWriters, s.importResolutions)...)
	g.GET("/resolutions", s.endpoint(anySignedIn, s.exportable(oneList(resolutionList), s.listResolutions),
		append(paged("session_id", "unit_id", "agency_id", "agency", "status", "category", "overdue", "year", "q"), exportParams...)...)...)
	g.GET("/resolutions/overdue", s.endpoint(anySignedIn, s.overdueResolutions, "year", "agency_id")...)
	g.GET("/resolutions/:id", s.endpoint(anySignedIn, s.getResolution)...)
	g.POST("/resolutions/:id/status", s.endpoint(registryWriters, s.changeResolutionStatus)...)
	g.GET("/agencies", s.endpoint(anySignedIn, s.listAgencies, paged("q")...)...)
	s.bodyLimits[g.BasePath()+"/resolutions/import"] = importBodyLimit
}

func (s *Server) createResolution(c *gin.Context) error {
	var req registry.NewResolution
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.registry.CreateResolution(c.Request.Context(), actor(c), req)
	if err != nil {
		return err
	}
	return createdAt(c, resourcePath("resolutions", out.ID), out)
}

func (s *Server) getResolution(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	out, err := s.registry.FindResolution(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	return ok(c, out)
}

func (s *Server) listResolutions(c *gin.Context) error {
	f, pg, err := resolutionFilter(c)
	if err != nil {
		return err
	}
	out, err := s.registry.ListResolutions(c.Request.Context(), viewer(c), f)
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(out, pg, func(x registry.Resolution) int64 { return x.ID }))
}

// resolutionFilter reads the list's filters and page from the query: the
// list's pages and its file (export_lists.go) read the same.
func resolutionFilter(c *gin.Context) (registry.ResolutionFilter, page, error) {
	pg, p := listParams(c)
	f := registry.ResolutionFilter{
		SessionID: queryID(c, p, "session_id"), UnitID: queryID(c, p, "unit_id"), AgencyID: queryID(c, p, "agency_id"),
		Agency: c.Query("agency"), Query: c.Query("q"), Status: c.Query("status"), Category: c.Query("category"),
		Overdue: queryBool(c, p, "overdue"), Year: queryYear(c, p, "year", false), AfterID: pg.AfterID, Limit: pg.Limit + 1,
	}
	return f, pg, p.Err()
}

func (s *Server) overdueResolutions(c *gin.Context) error {
	var p taahod.Problems
	year := queryYear(c, &p, "year", false)
	agency := queryID(c, &p, "agency_id")
	if err := p.Err(); err != nil {
		return err
	}
	out, err := s.registry.Overdue(c.Request.Context(), viewer(c), year, agency)
	if err != nil {
		return err
	}
	return ok(c, out)
}

func (s *Server) changeResolutionStatus(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req registry.StatusChange
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.registry.ChangeStatus(c.Request.Context(), actor(c), id, req)
	if err != nil {
		return err
	}
	return created(c, out)
}

func (s *Server) importResolutions(c *gin.Context) error {
	rows, source, err := readCSVImport(c, registry.ReadResolutionsCSV)
	if err != nil {
		return err
	}
	res, err := s.registry.ImportResolutions(c.Request.Context(), actor(c), rows, source)
	if err != nil {
		return err
	}
	return created(c, res)
}

func (s *Server) listAgencies(c *gin.Context) error {
	pg, p := listParams(c)
	if err := p.Err(); err != nil {
		return err
	}
	out, err := s.registry.ListAgencies(c.Request.Context(), registry.AgencyFilter{Query: c.Query("q"), AfterID: pg.AfterID, Limit: pg.Limit + 1})
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(out, pg, func(x registry.Agency) int64 { return x.ID }))
}
