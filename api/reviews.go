package api

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

var (
	// reviewers decide on expenditures.
	reviewers = []taahod.Role{taahod.RoleTaxOfficer}
	// queueReaders see the review queue: the reviewers, and the admin and
	// the auditor who read everything.
	queueReaders = []taahod.Role{taahod.RoleTaxOfficer, taahod.RoleAdmin, taahod.RoleAuditor}
)

func (s *Server) reviewRoutes(g *gin.RouterGroup) {
	g.POST("/expenditures/:id/review", s.endpoint(reviewers, s.reviewExpenditure)...)
	g.GET("/reviews/queue", s.endpoint(queueReaders, s.reviewQueue, paged()...)...)
}

func (s *Server) reviewExpenditure(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req ledger.ReviewInput
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.ledger.Review(c.Request.Context(), actor(c), id, req)
	if err != nil {
		return err
	}
	return ok(c, e)
}

func (s *Server) reviewQueue(c *gin.Context) error {
	p, err := queuePageOf(c)
	if err != nil {
		return err
	}
	items, err := s.ledger.ReviewQueue(c.Request.Context(), actor(c), p.After, p.Limit+1)
	if err != nil {
		return err
	}
	return ok(c, queueAnswer(c, items, p))
}
