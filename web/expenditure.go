package web

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// expenditureData is one expenditure as its accountant sees it: the
// expenditure (its review rounds within, redacted by the store as the API
// redacts them), its pledge and its documents.
type expenditureData struct {
	E         ledger.Expenditure
	Pledge    ledger.Pledge
	Documents []ledger.Document
	// Editable: it may be edited, withdrawn and given more evidence;
	// Resubmittable: it is rejected and may go back to review.
	Editable, Resubmittable bool
}

// expenditure renders /accountant/expenditures/{id}. An unknown id, or
// another unit's expenditure, is the web's 404 page.
func (p *Pages) expenditure(c *gin.Context) {
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	p.renderExpenditure(c, http.StatusOK, id, page{Status: statusOf(c)})
}

// renderExpenditure renders the page of expenditure id with status and
// pg's message and form (a refused action's fault beside its field).
func (p *Pages) renderExpenditure(c *gin.Context, status int, id int64, pg page) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	var d expenditureData
	var err error
	if d.E, err = p.ledger.FindExpenditure(ctx, u, id); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Pledge, err = p.ledger.FindPledge(ctx, u, d.E.PledgeID); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Documents, err = p.ledger.ExpenditureDocuments(ctx, u, id); err != nil {
		p.storeFailure(c, err)
		return
	}
	d.Editable = editable(d.E)
	d.Resubmittable = d.E.Status == ledger.StatusRejected
	pg.User, pg.CSRF, pg.Data = &u, csrfToken(c), d
	if pg.Form == nil {
		pg.Form = newForm()
	}
	p.render(c, status, "expenditure", pg)
}

// expenditureDocument sends one document of an expenditure, scoped by the
// store as the API's download is: another unit's document is the 404 page.
func (p *Pages) expenditureDocument(c *gin.Context) {
	if d, ok := p.documentOf(c); ok {
		sendDocument(c, d, "attachment")
	}
}

// documentOf reads the document the path names (":id", ":document") as
// the signed-in person may see it; when they may not, or it is not there,
// it has answered the 404 page and reports false.
func (p *Pages) documentOf(c *gin.Context) (ledger.Document, bool) {
	u, _ := signedIn(c)
	id, ok1 := pathID(c, "id")
	docID, ok2 := pathID(c, "document")
	if !ok1 || !ok2 {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return ledger.Document{}, false
	}
	d, err := p.ledger.ExpenditureDocument(c.Request.Context(), u, id, docID)
	if err != nil {
		p.storeFailure(c, err)
		return ledger.Document{}, false
	}
	return d, true
}

// sendDocument sends d as it was uploaded, with the type recognised from
// its content then, never sniffed, never cached; disposition is
// "attachment" (a download) or "inline" (shown in the page or the browser).
func sendDocument(c *gin.Context, d ledger.Document, disposition string) {
	c.Header("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": d.Name}))
	c.Header("X-Content-Type-Options", "nosniff")
	c.Header("Cache-Control", "private, no-store")
	c.Data(http.StatusOK, d.ContentType, d.Content)
}

// pathIDOr404 reads a positive id from the path; when there is none it has
// answered the 404 page, as for an unknown row, and reports false.
func (p *Pages) pathIDOr404(c *gin.Context, name string) (int64, bool) {
	n, ok := pathID(c, name)
	if !ok {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
	}
	return n, ok
}

// pathID reads a positive id from the path.
func pathID(c *gin.Context, name string) (int64, bool) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	return n, err == nil && n > 0
}
