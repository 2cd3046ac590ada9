package api

import (
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// Who may read units' tax figures: taxpayer secrecy keeps them from the
// education officers and the secretariat; an accountant sees only their
// units' (the store scopes by unit).
var (
	taxReaders    = []taahod.Role{taahod.RoleAdmin, taahod.RoleTaxOfficer, taahod.RoleAuditor, taahod.RoleAccountant}
	taxOfficers   = []taahod.Role{taahod.RoleTaxOfficer}
	policySetters = []taahod.Role{taahod.RoleAdmin, taahod.RoleTaxOfficer}
)

func (s *Server) taxYearRoutes(g *gin.RouterGroup) {
	g.PUT("/units/:id/tax-years/:year", s.endpoint(taxOfficers, s.assess)...)
	g.GET("/units/:id/tax-years/:year", s.endpoint(taxReaders, s.exportable(oneList(statementList), s.statement), exportParams...)...)
	g.GET("/units/:id/tax-years/:year/assessments", s.endpoint(taxReaders, s.assessments)...)
	g.GET("/units/:id/tax-years/:year/offset-preview", s.endpoint(taxOfficers, s.previewOffset)...)
	g.POST("/units/:id/tax-years/:year/offset", s.endpoint(taxOfficers, s.runOffset, "fingerprint")...)
	g.PUT("/policies/:year", s.endpoint(policySetters, s.setPolicy)...)
	g.GET("/policies/:year", s.endpoint(anySignedIn, s.getPolicy)...)
	g.GET("/policies", s.endpoint(anySignedIn, s.listPolicies)...)
	g.POST("/expenditures/:id/reverse", s.endpoint(taxOfficers, s.reverseApproval)...)
}

// pathYear reads a fiscal year from the path; anything but a number names
// no record.
func pathYear(c *gin.Context) (int, error) {
	y, err := strconv.Atoi(c.Param("year"))
	if err != nil || y <= 0 || y > 9999 {
		return 0, taahod.Errorf(taahod.ENOTFOUND, "no fiscal year %q", c.Param("year"))
	}
	return y, nil
}

// unitYear reads the unit id and the fiscal year of a tax-year path.
func unitYear(c *gin.Context) (int64, int, error) {
	unit, err := pathID(c, "id")
	if err != nil {
		return 0, 0, err
	}
	year, err := pathYear(c)
	return unit, year, err
}

func (s *Server) assess(c *gin.Context) error {
	unit, year, err := unitYear(c)
	if err != nil {
		return err
	}
	var req ledger.TaxYearInput
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	ty, err := s.ledger.Assess(c.Request.Context(), actor(c), unit, year, req)
	if err != nil {
		return err
	}
	return ok(c, ty)
}

func (s *Server) statement(c *gin.Context) error {
	unit, year, err := unitYear(c)
	if err != nil {
		return err
	}
	st, err := s.ledger.Statement(c.Request.Context(), actor(c), unit, year)
	if err != nil {
		return err
	}
	return ok(c, st)
}

func (s *Server) assessments(c *gin.Context) error {
	unit, year, err := unitYear(c)
	if err != nil {
		return err
	}
	list, err := s.ledger.Assessments(c.Request.Context(), actor(c), unit, year)
	if err != nil {
		return err
	}
	return ok(c, wholeList(list))
}

func (s *Server) runOffset(c *gin.Context) error {
	unit, year, err := unitYear(c)
	if err != nil {
		return err
	}
	var st ledger.Statement
	if fingerprint, previewed := c.GetQuery("fingerprint"); previewed {
		// Confirmed from a preview: run only what it showed.
		st, err = s.ledger.RunPreviewedOffset(c.Request.Context(), actor(c), unit, year, fingerprint)
	} else {
		st, err = s.ledger.RunOffset(c.Request.Context(), actor(c), unit, year)
	}
	if err != nil {
		return err
	}
	return ok(c, st)
}

// previewOffset answers what running the offset now would do, posting
// nothing; its fingerprint confirms the run (POST …/offset?fingerprint=).
func (s *Server) previewOffset(c *gin.Context) error {
	unit, year, err := unitYear(c)
	if err != nil {
		return err
	}
	pv, err := s.ledger.PreviewOffset(c.Request.Context(), actor(c), unit, year)
	if err != nil {
		return err
	}
	c.Header("Cache-Control", "no-store")
	return ok(c, pv)
}

func (s *Server) setPolicy(c *gin.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	var req ledger.PolicyInput
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	p, err := s.ledger.SetPolicy(c.Request.Context(), actor(c), year, req)
	if err != nil {
		return err
	}
	return ok(c, p)
}

func (s *Server) getPolicy(c *gin.Context) error {
	year, err := pathYear(c)
	if err != nil {
		return err
	}
	p, err := s.ledger.Policy(c.Request.Context(), year)
	if err != nil {
		return err
	}
	return ok(c, p)
}

func (s *Server) listPolicies(c *gin.Context) error {
	list, err := s.ledger.Policies(c.Request.Context())
	if err != nil {
		return err
	}
	return ok(c, wholeList(list))
}

func (s *Server) reverseApproval(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req ledger.ReverseInput
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	if err := s.ledger.ReverseApproval(c.Request.Context(), actor(c), id, req); err != nil {
		return err
	}
	e, err := s.ledger.FindExpenditure(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	return ok(c, e)
}
