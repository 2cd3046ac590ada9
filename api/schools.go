package api

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// Role sets of the commitments' routes.
var (
	schoolWriters   = []taahod.Role{taahod.RoleAdmin, taahod.RoleEducationOfficer}
	progressWriters = []taahod.Role{taahod.RoleEducationOfficer}
)

// commitmentRoutes registers schools, pledges, expenditures with their
// documents, and the review.
func (s *Server) commitmentRoutes(g *gin.RouterGroup) {
	s.schoolRoutes(g)
	s.pledgeRoutes(g)
	s.expenditureRoutes(g)
	s.reviewRoutes(g)
}

func (s *Server) schoolRoutes(g *gin.RouterGroup) {
	g.POST("/schools", s.endpoint(schoolWriters, s.createSchool)...)
	g.GET("/schools", s.endpoint(anySignedIn, s.exportable(oneList(schoolList), s.listSchools),
		append(paged("county", "status", "kind", "q"), exportParams...)...)...)
	g.GET("/schools/overview", s.endpoint(anySignedIn, s.schoolOverview)...)
	g.GET("/schools/:id", s.endpoint(anySignedIn, s.getSchool)...)
	g.PATCH("/schools/:id", s.endpoint(schoolWriters, s.updateSchool)...)
	g.POST("/schools/:id/progress", s.endpoint(progressWriters, s.addProgress)...)
	g.GET("/schools/:id/progress", s.endpoint(anySignedIn, s.schoolProgress)...)
	const docs = "/schools/:id/progress/:progress_id/documents"
	s.bodyLimits[g.BasePath()+docs] = uploadBodyLimit
	g.POST(docs, s.endpoint(progressWriters, s.addProgressDocument)...)
	g.GET(docs+"/:doc_id", s.endpoint(anySignedIn, s.progressDocument)...)
}

func (s *Server) createSchool(c *gin.Context) error {
	var req ledger.NewSchool
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sc, err := s.ledger.CreateSchool(c.Request.Context(), actor(c), req)
	if err != nil {
		return err
	}
	return createdAt(c, resourcePath("schools", sc.ID), sc)
}

// schoolOverview answers the schools by status and county and the pledges
// past their due date while their school is not completed (as an
// accountant may see them: their own units' pledges).
func (s *Server) schoolOverview(c *gin.Context) error {
	o, err := s.ledger.SchoolOverview(c.Request.Context(), actor(c))
	if err != nil {
		return err
	}
	return ok(c, o)
}

func (s *Server) getSchool(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	sc, err := s.ledger.FindSchool(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	return ok(c, sc)
}

func (s *Server) listSchools(c *gin.Context) error {
	f, p, err := schoolFilter(c)
	if err != nil {
		return err
	}
	schools, err := s.ledger.ListSchools(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(schools, p, func(sc ledger.School) int64 { return sc.ID }))
}

func (s *Server) updateSchool(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req ledger.SchoolPatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	sc, err := s.ledger.UpdateSchool(c.Request.Context(), actor(c), id, req)
	if err != nil {
		return err
	}
	return ok(c, sc)
}

func (s *Server) addProgress(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req ledger.NewProgress
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	r, err := s.ledger.AddProgress(c.Request.Context(), actor(c), id, req)
	if err != nil {
		return err
	}
	return created(c, r)
}

func (s *Server) schoolProgress(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	reports, err := s.ledger.SchoolProgress(c.Request.Context(), id)
	if err != nil {
		return err
	}
	return ok(c, wholeList(reports))
}

func (s *Server) addProgressDocument(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	progressID, err := pathID(c, "progress_id")
	if err != nil {
		return err
	}
	in, err := readUpload(c)
	if err != nil {
		return err
	}
	d, isNew, err := s.ledger.AddProgressDocument(c.Request.Context(), actor(c), id, progressID, in)
	if err != nil {
		return err
	}
	return uploaded(c, d, isNew)
}

func (s *Server) progressDocument(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	progressID, err := pathID(c, "progress_id")
	if err != nil {
		return err
	}
	docID, err := pathID(c, "doc_id")
	if err != nil {
		return err
	}
	d, err := s.ledger.ProgressDocument(c.Request.Context(), id, progressID, docID)
	if err != nil {
		return err
	}
	return download(c, d)
}

// schoolFilter reads the list's filters and page from the query: the
// list's pages and its file (export_lists.go) read the same.
func schoolFilter(c *gin.Context) (ledger.SchoolFilter, page, error) {
	p, errs := listParams(c)
	f := ledger.SchoolFilter{
		County: c.Query("county"),
		Query:  c.Query("q"),
		Status: queryChoice(c, errs, "status", func(v string) bool {
			switch v {
			case ledger.SchoolPlanned, ledger.SchoolUnderConstruction, ledger.SchoolEquipping, ledger.SchoolCompleted, ledger.SchoolHandedOver:
				return true
			}
			return false
		}),
		Kind: queryChoice(c, errs, "kind", func(v string) bool {
			return v == ledger.KindSchool || v == ledger.KindEducationalCenter
		}),
		AfterID: p.AfterID, Limit: p.Limit + 1,
	}
	return f, p, errs.Err()
}
