package api

import (
	"bytes"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
)

var (
	// accountants submit, edit and withdraw their units' expenditures.
	accountants = []taahod.Role{taahod.RoleAccountant}
	// evidenceReaders read expenditures' documents; the education officers
	// and the secretariat do not (see ledger.SeesEvidence).
	evidenceReaders = []taahod.Role{taahod.RoleAdmin, taahod.RoleTaxOfficer, taahod.RoleAuditor, taahod.RoleAccountant}
)

func (s *Server) expenditureRoutes(g *gin.RouterGroup) {
	g.POST("/expenditures", s.endpoint(accountants, s.submitExpenditure)...)
	s.keysInStatement[g.BasePath()+"/expenditures"] = true
	g.GET("/expenditures", s.endpoint(anySignedIn, s.exportable(oneList(expenditureList), s.listExpenditures),
		append(paged("unit_id", "pledge_id", "school_id", "status", "fiscal_year", "spent_from", "spent_to", "q", "missing_documents"), exportParams...)...)...)
	g.GET("/expenditures/:id", s.endpoint(anySignedIn, s.getExpenditure)...)
	g.PATCH("/expenditures/:id", s.endpoint(accountants, s.updateExpenditure)...)
	g.POST("/expenditures/:id/withdraw", s.endpoint(accountants, s.withdrawExpenditure)...)
	g.POST("/expenditures/:id/resubmit", s.endpoint(accountants, s.resubmitExpenditure)...)
	const docs = "/expenditures/:id/documents"
	s.bodyLimits[g.BasePath()+docs] = uploadBodyLimit
	g.POST(docs, s.endpoint(accountants, s.addExpenditureDocument)...)
	g.GET(docs, s.endpoint(evidenceReaders, s.expenditureDocuments)...)
	g.GET(docs+"/:doc_id", s.endpoint(evidenceReaders, s.expenditureDocument)...)
}

func (s *Server) submitExpenditure(c *gin.Context) error {
	var req ledger.NewExpenditure
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	// With an Idempotency-Key, the submission's statement stores this
	// answer with the key (createdForm), sparing a second write.
	ctx := database.WithAnswerForm(c.Request.Context(), createdForm("expenditures"))
	e, err := s.ledger.SubmitExpenditure(ctx, actor(c), req)
	if err != nil {
		return err
	}
	return createdAt(c, resourcePath("expenditures", e.ID), e)
}

func (s *Server) getExpenditure(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	e, err := s.ledger.FindExpenditure(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	return ok(c, e)
}

func (s *Server) listExpenditures(c *gin.Context) error {
	f, p, err := expenditureFilter(c)
	if err != nil {
		return err
	}
	list, err := s.ledger.ListExpenditures(c.Request.Context(), actor(c), f)
	if err != nil {
		return err
	}
	return ok(c, pageAnswer(list, p, func(e ledger.Expenditure) int64 { return e.ID }))
}

// expenditureFilter reads the list's filters and page from the query: the
// list's pages and its file (export_lists.go) read the same.
func expenditureFilter(c *gin.Context) (ledger.ExpenditureFilter, page, error) {
	p, errs := listParams(c)
	f := ledger.ExpenditureFilter{
		UnitID:     queryID(c, errs, "unit_id"),
		PledgeID:   queryID(c, errs, "pledge_id"),
		SchoolID:   queryID(c, errs, "school_id"),
		Status:     queryChoice(c, errs, "status", ledger.ValidExpenditureStatus),
		FiscalYear: queryYear(c, errs, "fiscal_year", false),
		From:       queryDate(c, errs, "spent_from"),
		To:         queryDate(c, errs, "spent_to"),
		Query:      c.Query("q"),
		AfterID:    p.AfterID, Limit: p.Limit + 1,
	}
	if missing := queryBool(c, errs, "missing_documents"); missing != nil && *missing {
		f.MissingDocuments = true
	}
	return f, p, errs.Err()
}

func (s *Server) updateExpenditure(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var req ledger.ExpenditurePatch
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	e, err := s.ledger.UpdateExpenditure(c.Request.Context(), actor(c), id, req)
	if err != nil {
		return err
	}
	return ok(c, e)
}

type withdrawRequest struct {
	Reason *string `json:"reason"`
}

func (s *Server) withdrawExpenditure(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	// The body is optional: nothing, or {"reason": "..."}.
	var req withdrawRequest
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) > 0 {
		c.Request.Body = readCloser{bytes.NewReader(body)}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	e, err := s.ledger.WithdrawExpenditure(c.Request.Context(), actor(c), id, req.Reason)
	if err != nil {
		return err
	}
	return ok(c, e)
}

// resubmitRequest is the body of a resubmission: nothing, or an empty
// object; the corrections come before it, by PATCH and by documents.
type resubmitRequest struct{}

func (s *Server) resubmitExpenditure(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) > 0 {
		var req resubmitRequest
		c.Request.Body = readCloser{bytes.NewReader(body)}
		if err := decodeJSON(c, &req); err != nil {
			return err
		}
	}
	e, err := s.ledger.Resubmit(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	return ok(c, e)
}

func (s *Server) addExpenditureDocument(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	in, err := readUpload(c)
	if err != nil {
		return err
	}
	d, isNew, err := s.ledger.AddExpenditureDocument(c.Request.Context(), actor(c), id, in)
	if err != nil {
		return err
	}
	return uploaded(c, d, isNew)
}

func (s *Server) expenditureDocuments(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	docs, err := s.ledger.ExpenditureDocuments(c.Request.Context(), actor(c), id)
	if err != nil {
		return err
	}
	return ok(c, wholeList(docs))
}

func (s *Server) expenditureDocument(c *gin.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	docID, err := pathID(c, "doc_id")
	if err != nil {
		return err
	}
	d, err := s.ledger.ExpenditureDocument(c.Request.Context(), actor(c), id, docID)
	if err != nil {
		return err
	}
	return download(c, d)
}
