package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// editable reports whether the accountant may still edit, withdraw or add
// evidence to an expenditure: while it is submitted or rejected, as the
// ledger allows.
func editable(e ledger.Expenditure) bool {
	return e.Status == ledger.StatusSubmitted || e.Status == ledger.StatusRejected
}

// editExpenditurePage renders /accountant/expenditures/{id}/edit, the form
// filled with the expenditure as it stands. Another unit's expenditure is
// the 404 page; one that can no longer be edited goes back to its page.
func (p *Pages) editExpenditurePage(c *gin.Context) {
	e, pl, ok := p.loadExpenditure(c)
	if !ok {
		return
	}
	if !editable(e) {
		c.Redirect(http.StatusSeeOther, expenditurePath(e.ID))
		return
	}
	f := newForm()
	f.values["pledge_id"] = strconv.FormatInt(e.PledgeID, 10)
	f.values["amount"] = Number(e.Amount)
	f.values["spent_on_jalali"] = PersianDigits(e.SpentOn.Jalali())
	f.values["invoice_no"] = e.InvoiceNo
	f.values["vendor_name"] = e.VendorName
	f.values["vendor_national_id"] = deref(e.VendorNationalID)
	f.values["category"] = e.Category
	f.values["description"] = deref(e.Description)
	p.renderEditExpenditure(c, http.StatusOK, "", f, e, pl)
}

func (p *Pages) renderEditExpenditure(c *gin.Context, status int, alert string, f *form, e ledger.Expenditure, pl ledger.Pledge) {
	u, _ := signedIn(c)
	d := expenditureFormData{Edit: true, E: e, Pledge: pl, Categories: ledger.Categories}
	p.render(c, status, "expenditure_form", page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: d})
}

// editExpenditure changes every field of the form through
// ledger.UpdateExpenditure (a PATCH of them all; the pledge stays).
func (p *Pages) editExpenditure(c *gin.Context) {
	u, _ := signedIn(c)
	e, pl, ok := p.loadExpenditure(c)
	if !ok {
		return
	}
	f := newForm()
	readExpenditureFields(c, f)
	f.values["pledge_id"] = strconv.FormatInt(e.PledgeID, 10)
	patch := expenditurePatch(f)
	var err error
	if f.failed() {
		check := patch
		err = p.formFaults(check.Validate)
	} else {
		_, err = p.ledger.UpdateExpenditure(c.Request.Context(), u, e.ID, patch)
	}
	if err != nil {
		if !formFault(err) {
			p.storeFailure(c, err)
			return
		}
		if taahod.ErrorCode(err) == taahod.ENOTFOUND {
			p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
			return
		}
		alert, status := takeExpenditureError(f, err)
		p.renderEditExpenditure(c, status, alert, f, e, pl)
		return
	}
	c.Redirect(http.StatusSeeOther, expenditurePath(e.ID)+"?m=expenditure_updated")
}

// loadExpenditure reads the expenditure of the path's id and its pledge as
// the accountant sees them; on failure it has answered (the 404 page for
// an unknown id or another unit's).
func (p *Pages) loadExpenditure(c *gin.Context) (ledger.Expenditure, ledger.Pledge, bool) {
	u, _ := signedIn(c)
	id, ok := pathID(c, "id")
	if !ok {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return ledger.Expenditure{}, ledger.Pledge{}, false
	}
	e, err := p.ledger.FindExpenditure(c.Request.Context(), u, id)
	if err != nil {
		p.storeFailure(c, err)
		return e, ledger.Pledge{}, false
	}
	pl, err := p.ledger.FindPledge(c.Request.Context(), u, e.PledgeID)
	if err != nil {
		p.storeFailure(c, err)
		return e, pl, false
	}
	return e, pl, true
}

// expenditurePath is the page of expenditure id.
func expenditurePath(id int64) string { return "/accountant/expenditures/" + strconv.FormatInt(id, 10) }
