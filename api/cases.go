package api

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/registry"
)

func (s *Server) caseRoutes(g *gin.RouterGroup) {
	g.POST("/cases", s.endpoint(registryWriters, s.createCase)...)
	g.POST("/cases/import", s.endpoint(registryWriters, s.importCases)...)
	g.GET("/cases", s.endpoint(anySignedIn, s.exportable(oneList(caseList), s.listCases),
		append(paged("unit_id", "channel", "outcome", "category", "year", "q"), exportParams...)...)...)
	g.GET("/cases/:id", s.endpoint(anySignedIn, s.getCase)...)
	g.PATCH("/cases/:id", s.endpoint(registryWriters, s.updateCase)...)
	s.bodyLimits[g.BasePath()+"/cases/import"] = importBodyLimit
}

func (s *Server) createCase(c *gin.Context) error {
	var req registry.NewCase
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.registry.CreateCase(c.Request.Context(), actor(c), req)
	if err != nil {
		return err
	}
	return createdAt(c, resourcePath("cases", out.ID), out)
}

func (s *Server) getCase(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	out, err := s.registry.FindCase(c.Request.Context(), viewer(c), id)
	if err != nil {
		return err
	}
	return ok(c, out)
}

func (s *Server) listCases(c *gin.Context) error {
	f, pg, err := caseFilter(c)
	if err != nil {
		return err
	}
	out, err := s.registry.ListCases(c.Request.Context(), viewer(c), f)
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(out, pg, func(x registry.Case) int64 { return x.ID }))
}

// caseFilter reads the list's filters and page from the query: the list's
// pages and its file (export_lists.go) read the same.
func caseFilter(c *gin.Context) (registry.CaseFilter, page, error) {
	pg, p := listParams(c)
	f := registry.CaseFilter{
		UnitID: queryID(c, p, "unit_id"), Channel: c.Query("channel"), Outcome: c.Query("outcome"),
		Category: c.Query("category"), Query: c.Query("q"), Year: queryYear(c, p, "year", false), AfterID: pg.AfterID, Limit: pg.Limit + 1,
	}
	return f, pg, p.Err()
}

func (s *Server) updateCase(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req registry.CasePatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.registry.UpdateCase(c.Request.Context(), actor(c), id, req)
	if err != nil {
		return err
	}
	return ok(c, out)
}

func (s *Server) importCases(c *gin.Context) error {
	rows, source, err := readCSVImport(c, registry.ReadCasesCSV)
	if err != nil {
		return err
	}
	res, err := s.registry.ImportCases(c.Request.Context(), actor(c), rows, source)
	if err != nil {
		return err
	}
	return created(c, res)
}
