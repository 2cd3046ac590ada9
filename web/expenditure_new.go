package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// The statuses the accountant's forms end with (post/redirect/get: the page
// the redirect leads to shows the sentence of ?m=).
var accountantStatuses = []string{"expenditure_submitted", "expenditure_submitted_exceeds", "expenditure_updated",
	"expenditure_withdrawn", "expenditure_resubmitted", "expenditure_resubmitted_exceeds", "documents_added"}

func init() {
	for _, m := range accountantStatuses {
		statusMessages[m] = true
	}
}

// newExpenditurePage renders /accountant/expenditures/new, the pledge
// chosen beforehand when ?pledge_id= names one of the accountant's.
func (p *Pages) newExpenditurePage(c *gin.Context) {
	f := newForm()
	f.values["pledge_id"] = taahod.ASCIIDigits(c.Query("pledge_id"))
	p.renderNewExpenditure(c, http.StatusOK, "", f, nil)
}

// renderNewExpenditure renders the new expenditure form with the typed
// values of f, the alert, and the names of the files chosen before (which
// must be chosen again).
func (p *Pages) renderNewExpenditure(c *gin.Context, status int, alert string, f *form, filesChosen []string) {
	u, _ := signedIn(c)
	pledges, err := p.ledger.ListPledges(c.Request.Context(), u, ledger.PledgeFilter{Limit: 500})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := expenditureFormData{Categories: ledger.Categories, FilesChosen: filesChosen, MaxFiles: ledger.MaxSubmissionDocuments}
	for _, pl := range pledges {
		if pl.CancelledAt == nil {
			d.Pledges = append(d.Pledges, pl)
		}
	}
	if len(d.Pledges) == 1 && f.Value("pledge_id") == "" {
		f.values["pledge_id"] = strconv.FormatInt(d.Pledges[0].ID, 10)
	}
	p.render(c, status, "expenditure_form", page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: d})
}

// newExpenditure submits an expenditure with its evidence files, all or
// nothing (ledger.SubmitExpenditureWithDocuments): a refused file keeps
// nothing, and the form comes back with what was typed, each fault beside
// its field, and a word that the files must be chosen again.
func (p *Pages) newExpenditure(c *gin.Context) {
	u, _ := signedIn(c)
	f := newForm()
	readExpenditureFields(c, f)
	in := newExpenditureInput(f)
	docs, names := readDocuments(c, f)
	var (
		e   ledger.Expenditure
		err error
	)
	if f.failed() {
		// Nothing is submitted; the ledger's own check of the fields
		// still names every other fault at once.
		check := in
		err = p.formFaults(check.Validate)
	} else {
		e, _, err = p.ledger.SubmitExpenditureWithDocuments(c.Request.Context(), u, in, docs)
	}
	if err != nil {
		if !formFault(err) {
			p.storeFailure(c, err)
			return
		}
		alert, status := takeExpenditureError(f, err)
		if taahod.ErrorCode(err) == taahod.ENOTFOUND {
			// Only a pledge outside the list can be unknown.
			f.errors["pledge_id"] = Message("invalid_choice")
			alert = Message(taahod.EINVALID)
		}
		p.renderNewExpenditure(c, status, alert, f, names)
		return
	}
	m := "expenditure_submitted"
	if e.ExceedsPledge {
		m = "expenditure_submitted_exceeds"
	}
	c.Redirect(http.StatusSeeOther, "/accountant/expenditures/"+strconv.FormatInt(e.ID, 10)+"?m="+m)
}
