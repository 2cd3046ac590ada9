package api

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// pledgeWriters record pledges: an accountant only for their own units.
var pledgeWriters = []taahod.Role{taahod.RoleAdmin, taahod.RoleSecretariat, taahod.RoleAccountant}

func (s *Server) pledgeRoutes(g *gin.RouterGroup) {
	g.POST("/pledges", s.endpoint(pledgeWriters, s.createPledge)...)
	g.GET("/pledges", s.endpoint(anySignedIn, s.exportable(oneList(pledgeList), s.listPledges),
		append(paged("unit_id", "school_id", "status"), exportParams...)...)...)
	g.GET("/pledges/:id", s.endpoint(anySignedIn, s.getPledge)...)
	g.POST("/pledges/:id/cancel", s.endpoint(registryWriters, s.cancelPledge)...)
}

func (s *Server) createPledge(c *gin.Context) error {
	var req ledger.NewPledge
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.ledger.CreatePledge(c.Request.Context(), actor(c), req)
	if err != nil {
		return err
	}
	return createdAt(c, resourcePath("pledges", p.ID), p)
}

func (s *Server) getPledge(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := s.ledger.FindPledge(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	return ok(c, p)
}

func (s *Server) listPledges(c *gin.Context) error {
	f, p, err := pledgeFilter(c)
	if err != nil {
		return err
	}
	pledges, err := s.ledger.ListPledges(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(pledges, p, func(x ledger.Pledge) int64 { return x.ID }))
}

// pledgeFilter reads the list's filters and page from the query: the
// list's pages and its file (export_lists.go) read the same.
func pledgeFilter(c *gin.Context) (ledger.PledgeFilter, page, error) {
	p, errs := listParams(c)
	f := ledger.PledgeFilter{
		UnitID:   queryID(c, errs, "unit_id"),
		SchoolID: queryID(c, errs, "school_id"),
		Status:   queryChoice(c, errs, "status", ledger.ValidPledgeStatus),
		AfterID:  p.AfterID, Limit: p.Limit + 1,
	}
	return f, p, errs.Err()
}

type cancelRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) cancelPledge(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req cancelRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.ledger.CancelPledge(c.Request.Context(), actor(c), id, req.Reason)
	if err != nil {
		return err
	}
	return ok(c, p)
}
