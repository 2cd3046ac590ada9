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
	g.GET("/reviews/queue", s.endpoint(queueReaders, s.exportable(oneList(reviewQueueList), s.reviewQueue),
		append(paged("unit_id", "county", "category", "amount_min", "amount_max"), exportParams...)...)...)
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

// reviewQueue answers a page of the queue, narrowed by the filters, with
// the count waiting under those filters (total). The cursor is bound to the
// filters (cursorScope), so it cannot page through another selection.
func (s *Server) reviewQueue(c *gin.Context) error {
	p, err := queuePageOf(c)
	if err != nil {
		return err
	}
	f, err := queueFilter(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	items, err := s.ledger.FilterReviewQueue(ctx, actor(c), f, p.After, p.Limit+1)
	if err != nil {
		return err
	}
	total, err := s.ledger.CountReviewQueue(ctx, actor(c), f)
	if err != nil {
		return err
	}
	return ok(c, queueListPage{listPage: queueAnswer(c, items, p), Total: total})
}

// queueFilter reads the queue's filters from the query: the queue's pages
// and its file (export_lists.go) read the same.
func queueFilter(c *gin.Context) (ledger.QueueFilter, error) {
	var errs taahod.Problems
	f := ledger.QueueFilter{
		UnitID:    queryID(c, &errs, "unit_id"),
		County:    c.Query("county"),
		Category:  queryChoice(c, &errs, "category", ledger.ValidCategory),
		AmountMin: queryAmount(c, &errs, "amount_min"),
		AmountMax: queryAmount(c, &errs, "amount_max"),
	}
	return f, errs.Err()
}

// queueListPage is a page of the review queue and the count waiting under
// its filters.
type queueListPage struct {
	listPage[ledger.QueueItem]
	Total int `json:"total"`
}
