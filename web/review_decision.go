package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// reviewDecision takes one of the review page's three forms, each posting
// the API's fields: approve in full (decision=approve), approve in part
// (decision=approve, approved_amount, reason) or reject (decision=reject,
// reason). The decision is the ledger's Review, with the same rules and
// codes as the API's. A refused form comes back with what was typed and
// each error in Persian beside its field (422, or 409 for the state of the
// expenditure); nothing is saved. After a decision the next item opens:
// the oldest still waiting under the queue's filter the page was opened
// with, or the queue with «صف خالی است».
func (p *Pages) reviewDecision(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	f := newForm()
	decision := c.PostForm("decision")
	amount, partial := c.GetPostForm("approved_amount")
	reason := Text(c.PostForm("reason"))
	f.values["approved_amount"] = amount
	f.values["reason"] = c.PostForm("reason")

	in := ledger.ReviewInput{Decision: decision}
	if reason != "" {
		in.Reason = &reason
	}
	posted := "full"
	switch {
	case decision == ledger.DecisionReject:
		posted = "reject"
		if reason == "" {
			f.fail("reason", "required")
		}
	case decision == ledger.DecisionApprove && partial:
		posted = "partial"
		if strings.TrimSpace(amount) == "" {
			f.fail("approved_amount", "required")
		} else if d, err := ParseAmount(amount); err != nil {
			f.fail("approved_amount", parseCode(err))
		} else {
			in.ApprovedAmount = []byte(strconv.Quote(taahod.FormatAmount(d)))
		}
		if reason == "" {
			f.fail("reason", "required")
		}
	case decision == ledger.DecisionApprove:
	default:
		p.failure(c, http.StatusBadRequest, Message(taahod.EMALFORMED))
		return
	}
	if f.failed() {
		p.renderReview(c, http.StatusUnprocessableEntity, f, posted, Message(taahod.EINVALID))
		return
	}
	e, err := p.ledger.Review(ctx, u, id, in)
	if err != nil {
		p.refusedForm(c, f, posted, err, map[string]string{taahod.ECONFLICT: "review_not_waiting"})
		return
	}
	// The decision is saved: a filter gone bad in the link (edited by hand)
	// leads on through the whole queue rather than to an error page.
	ff := newForm()
	q, filter := readQueueFilter(c, ff)
	if ff.failed() {
		q, filter = queueFilter{}, ledger.QueueFilter{}
	}
	next, err := p.ledger.FilterReviewQueue(ctx, u, filter, ledger.QueuePosition{}, 1)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	if len(next) == 0 {
		c.Redirect(http.StatusSeeOther, q.with("/tax-office/queue", "m", "queue_empty"))
		return
	}
	c.Redirect(http.StatusSeeOther, q.with("/tax-office/expenditures/"+strconv.FormatInt(next[0].ID, 10), "m", "reviewed_"+e.Status))
}

// refusedForm shows the review page again after the ledger refused a form:
// bad fields (422) beside their fields, a conflict with the expenditure's
// state (409) as the sentence of conflicts names for the code (the page's
// own wording of a generic code), in the page's alert and beside the form's
// button ("decision"). An expenditure gone from sight is the 404 page.
func (p *Pages) refusedForm(c *gin.Context, f *form, posted string, err error, conflicts map[string]string) {
	code := taahod.ErrorCode(err)
	switch code {
	case taahod.ENOTFOUND:
		p.failure(c, http.StatusNotFound, Message(code))
	case taahod.EINVALID:
		p.renderReview(c, http.StatusUnprocessableEntity, f, posted, f.take(err))
	case taahod.EINTERNAL, taahod.EUNAVAILABLE, "":
		p.storeFailure(c, err)
	default:
		if own, ok := conflicts[code]; ok {
			code = own
		}
		f.fail("decision", code)
		p.renderReview(c, http.StatusConflict, f, posted, Message(code))
	}
}

// reviewStatuses are the messages a redirect of the review pages may ask
// for (?m=CODE): fixed sentences, never text from the URL.
var reviewStatuses = map[string]bool{
	"reviewed_" + ledger.StatusApproved:          true,
	"reviewed_" + ledger.StatusPartiallyApproved: true,
	"reviewed_" + ledger.StatusRejected:          true,
	"queue_empty":                                true,
	"approval_reversed":                          true,
}

// reviewStatusOf is the page's status message: the review pages' own, or
// those every page knows (statusOf).
func reviewStatusOf(c *gin.Context) string {
	if m := c.Query("m"); reviewStatuses[m] {
		return Message(m)
	}
	return statusOf(c)
}
