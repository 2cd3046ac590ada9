package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// The buttons of an expenditure's page: withdraw it (with an optional
// reason), resubmit a rejected one, add evidence files. Each posts, and
// the page comes back by a redirect with a Persian status; a fault shows
// the page again with the fault beside its field.

// withdrawExpenditure withdraws a submitted or rejected expenditure
// (ledger.WithdrawExpenditure).
func (p *Pages) withdrawExpenditure(c *gin.Context) {
	u, _ := signedIn(c)
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	f := newForm()
	f.values["reason"] = c.PostForm("reason")
	reason := optionalText(f, "reason")
	if _, err := p.ledger.WithdrawExpenditure(c.Request.Context(), u, id, reason); err != nil {
		p.expenditureFault(c, id, f, err)
		return
	}
	c.Redirect(http.StatusSeeOther, expenditurePath(id)+"?m=expenditure_withdrawn")
}

// resubmitExpenditure puts a rejected expenditure back in review
// (ledger.Resubmit).
func (p *Pages) resubmitExpenditure(c *gin.Context) {
	u, _ := signedIn(c)
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	e, err := p.ledger.Resubmit(c.Request.Context(), u, id)
	if err != nil {
		p.expenditureFault(c, id, newForm(), err)
		return
	}
	m := "expenditure_resubmitted"
	if e.ExceedsPledge {
		m = "expenditure_resubmitted_exceeds"
	}
	c.Redirect(http.StatusSeeOther, expenditurePath(id)+"?m="+m)
}

// addExpenditureDocuments attaches the files chosen to the expenditure,
// all or none (ledger.AddExpenditureDocuments); every file is checked
// first, so that each refused is named beside the field.
func (p *Pages) addExpenditureDocuments(c *gin.Context) {
	u, _ := signedIn(c)
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	f := newForm()
	docs, names := readDocuments(c, f)
	if !f.failed() && len(names) == 0 {
		f.fail("documents", "no_file")
	}
	if f.failed() {
		p.expenditureFault(c, id, f, taahod.Errorf(taahod.EINVALID, "no file, or a file refused"))
		return
	}
	if _, err := p.ledger.AddExpenditureDocuments(c.Request.Context(), u, id, docs); err != nil {
		p.expenditureFault(c, id, f, err)
		return
	}
	c.Redirect(http.StatusSeeOther, expenditurePath(id)+"?m=documents_added")
}

// expenditureFault answers a refused action of the expenditure's page: the
// 404 page for another unit's expenditure, the error page when the books
// cannot be read, and otherwise the page again with the fault beside its
// field (422) or, for a change the expenditure's status no longer allows,
// in the alert (409).
func (p *Pages) expenditureFault(c *gin.Context, id int64, f *form, err error) {
	if !formFault(err) || taahod.ErrorCode(err) == taahod.ENOTFOUND {
		p.storeFailure(c, err)
		return
	}
	alert := f.take(err)
	p.renderExpenditure(c, formStatus(err), id, page{Alert: alert, Form: f})
}
