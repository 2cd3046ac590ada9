package api

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/registry"
)

func (s *Server) unitRoutes(g *gin.RouterGroup) {
	g.POST("/units", s.endpoint(registryWriters, s.createUnit)...)
	g.GET("/units", s.endpoint(anySignedIn, s.listUnits, paged("county", "q", "status")...)...)
	g.GET("/units/:id", s.endpoint(anySignedIn, s.getUnit)...)
	g.PATCH("/units/:id", s.endpoint(registryWriters, s.updateUnit)...)
}

func (s *Server) createUnit(c *gin.Context) error {
	var req registry.NewUnit
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.registry.CreateUnit(c.Request.Context(), actor(c), req)
	if err != nil {
		return err
	}
	return createdAt(c, resourcePath("units", u.ID), u)
}

func (s *Server) getUnit(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	u, err := s.registry.FindUnit(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	return ok(c, u)
}

func (s *Server) listUnits(c *gin.Context) error {
	p, problems := listParams(c)
	if err := problems.Err(); err != nil {
		return err
	}
	units, err := s.registry.ListUnits(c.Request.Context(), actor(c), registry.UnitFilter{
		County: c.Query("county"), Query: c.Query("q"), Status: c.Query("status"),
		AfterID: p.AfterID, Limit: p.Limit + 1,
	})
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(units, p, func(u registry.Unit) int64 { return u.ID }))
}

func (s *Server) updateUnit(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req registry.UnitPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	u, err := s.registry.UpdateUnit(c.Request.Context(), actor(c), id, req)
	if err != nil {
		return err
	}
	return ok(c, u)
}
