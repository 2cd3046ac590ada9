package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/ledger"
)

// taxOfficeHomeData is the tax office's home: how many expenditures wait
// for review and how long the oldest has waited, with the ways to the
// queue and to the office's other areas.
type taxOfficeHomeData struct {
	Waiting int
	// Oldest is the oldest waiting item; nil when the queue is empty.
	Oldest *ledger.QueueItem
	// Waited is how long Oldest has waited, in Persian («۳ روز»).
	Waited string
}

// taxOfficeHome renders /tax-office.
func (p *Pages) taxOfficeHome(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	var d taxOfficeHomeData
	var err error
	if d.Waiting, err = p.ledger.CountReviewQueue(ctx, u, ledger.QueueFilter{}); err != nil {
		p.storeFailure(c, err)
		return
	}
	oldest, err := p.ledger.ReviewQueue(ctx, u, ledger.QueuePosition{}, 1)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	if len(oldest) > 0 {
		d.Oldest = &oldest[0]
		d.Waited = waited(p.ledger.DB.Now().Sub(d.Oldest.SubmittedAt))
	}
	p.render(c, http.StatusOK, "tax_office_home", page{User: &u, CSRF: csrfToken(c), Status: reviewStatusOf(c), Data: d})
}

// waited says a waiting time as a reviewer reads it: whole days from one
// day on, else whole hours, else minutes.
func waited(d time.Duration) string {
	n := func(i int64) string { return PersianDigits(strconv.FormatInt(i, 10)) }
	switch {
	case d >= 24*time.Hour:
		return n(int64(d/(24*time.Hour))) + " روز"
	case d >= time.Hour:
		return n(int64(d/time.Hour)) + " ساعت"
	case d >= time.Minute:
		return n(int64(d/time.Minute)) + " دقیقه"
	default:
		return "کمتر از یک دقیقه"
	}
}
