package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// relatedLimit bounds the list of the unit's other expenditures on the
// same invoice or vendor.
const relatedLimit = 50

// reviewData is one expenditure as the tax office reviews it: the
// expenditure and its review rounds, its unit, pledge and school, its
// documents, and the unit's other expenditures on the same invoice or
// vendor.
type reviewData struct {
	E         ledger.Expenditure
	Unit      registry.Unit
	Pledge    ledger.Pledge
	School    ledger.School
	Documents []ledger.Document
	Related   []ledger.RelatedExpenditure
	// MoreRelated says Related was cut at relatedLimit.
	MoreRelated bool
	// Use is what the approval is used by (offsets, certificates), for an
	// approved expenditure: what a reversal would undo, or what refuses it.
	Use ledger.ApprovalUse
	// Filter is the queue's filter the page was opened with, carried on
	// to the decision and the next item.
	Filter queueFilter
	// Posted names the form that came back with errors ("full",
	// "partial", "reject", "reverse"), so that its values and errors show
	// in it and not in the others (they share field names).
	Posted string
}

// Reviewable reports whether a decision can be made: the expenditure waits
// in the queue.
func (d reviewData) Reviewable() bool { return d.E.Status == ledger.StatusSubmitted }

// Reversible reports whether the approval can be reversed.
func (d reviewData) Reversible() bool {
	return d.E.Status == ledger.StatusApproved || d.E.Status == ledger.StatusPartiallyApproved
}

// Action is the path of one of the page's forms ("review", "reverse"),
// the queue's filter in its query.
func (d reviewData) Action(form string) string {
	return d.Filter.with("/tax-office/expenditures/" + strconv.FormatInt(d.E.ID, 10) + "/" + form)
}

// Years is the list of the years an approval's offsets belong to, in
// Persian («۱۴۰۳ و ۱۴۰۴»).
func (d reviewData) Years() string {
	parts := make([]string, len(d.Use.Years))
	for i, y := range d.Use.Years {
		parts[i] = PersianDigits(strconv.Itoa(y))
	}
	return strings.Join(parts, "، ")
}

// QueueLink is the queue, filtered as it was.
func (d reviewData) QueueLink() string { return d.Filter.with("/tax-office/queue") }

// DocumentLink is the path of one of the expenditure's documents.
func (d reviewData) DocumentLink(doc ledger.Document) string {
	return "/tax-office/expenditures/" + strconv.FormatInt(d.E.ID, 10) + "/documents/" + strconv.FormatInt(doc.ID, 10)
}

// reviewPage renders /tax-office/expenditures/{id}.
func (p *Pages) reviewPage(c *gin.Context) {
	p.renderReview(c, http.StatusOK, nil, "", "")
}

// renderReview renders the review page with status; after a refused form,
// f holds what was typed and the errors, posted names the form, alert the
// problem as a whole. An unknown id is the 404 page.
func (p *Pages) renderReview(c *gin.Context, status int, f *form, posted, alert string) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	d := reviewData{Posted: posted}
	d.Filter, _ = readQueueFilter(c, newForm())
	var err error
	if d.E, err = p.ledger.FindExpenditure(ctx, u, id); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Pledge, err = p.ledger.FindPledge(ctx, u, d.E.PledgeID); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.School, err = p.ledger.FindSchool(ctx, u, d.E.SchoolID); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Unit, err = p.registry.FindUnit(ctx, u, d.E.UnitID); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Documents, err = p.ledger.ExpenditureDocuments(ctx, u, id); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Related, err = p.ledger.RelatedExpenditures(ctx, u, id, relatedLimit+1); err != nil {
		p.storeFailure(c, err)
		return
	}
	if len(d.Related) > relatedLimit {
		d.Related, d.MoreRelated = d.Related[:relatedLimit], true
	}
	if d.Reversible() || posted == "reverse" {
		if d.Use, err = p.ledger.ApprovalUseOf(ctx, u, id); err != nil {
			p.storeFailure(c, err)
			return
		}
	}
	if f == nil {
		f = newForm()
	}
	p.render(c, status, "review", page{User: &u, CSRF: csrfToken(c), Status: reviewStatusOf(c), Alert: alert, Form: f, Data: d})
}

// reviewDocument sends one document of an expenditure to the tax office,
// inline, so that an image shows in the page and a PDF opens in the
// browser. Its type is the one recognised from the content on upload.
func (p *Pages) reviewDocument(c *gin.Context) {
	if d, ok := p.documentOf(c); ok {
		sendDocument(c, d, "inline")
	}
}
