package api

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/registry"
)

func (s *Server) revivalRoutes(g *gin.RouterGroup) {
	g.POST("/units/:id/revival", s.endpoint(registryWriters, s.reviveUnit)...)
	g.GET("/revivals", s.endpoint(anySignedIn, s.listRevivals, paged("unit_id", "year")...)...)
}

func (s *Server) reviveUnit(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req registry.NewRevival
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	out, err := s.registry.ReviveUnit(c.Request.Context(), actor(c), id, req)
	if err != nil {
		return err
	}
	return created(c, out)
}

func (s *Server) listRevivals(c *gin.Context) error {
	pg, p := listParams(c)
	f := registry.RevivalFilter{UnitID: queryID(c, p, "unit_id"), Year: queryYear(c, p, "year", false), AfterID: pg.AfterID, Limit: pg.Limit + 1}
	if err := p.Err(); err != nil {
		return err
	}
	out, err := s.registry.ListRevivals(c.Request.Context(), f)
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(out, pg, func(x registry.Revival) int64 { return x.ID }))
}
