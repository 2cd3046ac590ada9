package web

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// reverseApproval takes the review page's reversal form (the API's field
// reason) and reverses the approval through the ledger's ReverseApproval,
// which also reverses the offsets that used it. A missing reason comes back
// beside its field (422); each conflict (the expenditure no longer
// approved, e.g. reversed already; a valid certificate on a year the
// reversal would change) is explained in Persian (409). Done, the page
// shows the reversed expenditure.
func (p *Pages) reverseApproval(c *gin.Context) {
	u, _ := signedIn(c)
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	f := newForm()
	f.values["reason"] = c.PostForm("reason")
	reason := Text(c.PostForm("reason"))
	if reason == "" {
		f.fail("reason", "required")
		p.renderReview(c, http.StatusUnprocessableEntity, f, "reverse", Message(taahod.EINVALID))
		return
	}
	if err := p.ledger.ReverseApproval(c.Request.Context(), u, id, ledger.ReverseInput{Reason: reason}); err != nil {
		p.refusedForm(c, f, "reverse", err, map[string]string{
			taahod.ECONFLICT:  "reversal_not_approved",
			ledger.ECERTIFIED: "reversal_certified",
		})
		return
	}
	q, _ := readQueueFilter(c, newForm())
	c.Redirect(http.StatusSeeOther, q.with("/tax-office/expenditures/"+strconv.FormatInt(id, 10), "m", "approval_reversed"))
}
