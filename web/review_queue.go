package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// queuePageSize is how many items one page of the queue shows.
const queuePageSize = 50

// reviewQueueData is one page of the review queue.
type reviewQueueData struct {
	Items []ledger.QueueItem
	// Waiting counts every item under the filter, not this page's.
	Waiting int
	// Filter is the filter as typed; Units, Categories its choices.
	Filter     queueFilter
	Units      []ledger.QueueUnit
	Categories []string
	// UnitMissing is set when the unit asked for has nothing waiting, so
	// that the choice still shows what filters the list.
	UnitMissing bool
	// Next and Previous are the links to the following and the preceding
	// page; "" when there is none.
	Next, Previous string
}

// ReviewLink is the review page of an item, the filter carried along so
// that the decision leads on to the next item of the same selection.
func (d reviewQueueData) ReviewLink(id int64) string {
	return d.Filter.with("/tax-office/expenditures/" + strconv.FormatInt(id, 10))
}

// reviewQueue renders /tax-office/queue: the submitted expenditures,
// oldest (re)submission first, filtered as the API filters them, paged
// after a queue position. A bad filter comes back with its error beside
// its field (422) and no list.
func (p *Pages) reviewQueue(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	f := newForm()
	q, filter := readQueueFilter(c, f)
	for i, v := range []string{q.UnitID, q.County, q.Category, q.AmountMin, q.AmountMax} {
		f.values[queueFilterNames[i]] = v
	}
	d := reviewQueueData{Filter: q, Categories: ledger.Categories}
	var err error
	if d.Units, err = p.ledger.QueueUnits(ctx, u); err != nil {
		p.storeFailure(c, err)
		return
	}
	if filter.UnitID > 0 {
		d.UnitMissing = true
		for _, un := range d.Units {
			if un.ID == filter.UnitID {
				d.UnitMissing = false
			}
		}
	}
	after, ok := readQueuePosition(c.Query("after"))
	trail, ok2 := readQueueTrail(c.Query("trail"))
	if !ok || !ok2 {
		p.failure(c, http.StatusBadRequest, Message("invalid_cursor"))
		return
	}
	pg := page{User: &u, CSRF: csrfToken(c), Status: reviewStatusOf(c), Form: f, Data: &d}
	if f.failed() {
		pg.Alert = Message(taahod.EINVALID)
		p.render(c, http.StatusUnprocessableEntity, "review_queue", pg)
		return
	}
	if d.Items, err = p.ledger.FilterReviewQueue(ctx, u, filter, after, queuePageSize+1); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Waiting, err = p.ledger.CountReviewQueue(ctx, u, filter); err != nil {
		p.storeFailure(c, err)
		return
	}
	if after.ID > 0 {
		d.Previous = queuePageLink(q, trail)
	}
	if len(d.Items) > queuePageSize {
		d.Items = d.Items[:queuePageSize]
		last := d.Items[len(d.Items)-1]
		d.Next = queuePageLink(q, append(append(trail[:len(trail):len(trail)], after),
			ledger.QueuePosition{SubmittedAt: last.SubmittedAt, ID: last.ID}))
	}
	pg.Downloads = downloadsOf(c, "/api/v1/reviews/queue", "unit_id", "county", "category", "amount_min", "amount_max")
	p.render(c, http.StatusOK, "review_queue", pg)
}

// A queue position in a link is "MICROSECONDS-ID": the (re)submission
// time in microseconds since 1970 (as the database keeps it) and the id.
// «قبلی» works as on the accountant's list: each link carries the trail of
// the positions of the pages before it ("trail", "0" for the first page).

func writeQueuePosition(p ledger.QueuePosition) string {
	if p.ID == 0 {
		return "0"
	}
	return strconv.FormatInt(p.SubmittedAt.UnixMicro(), 10) + "-" + strconv.FormatInt(p.ID, 10)
}

// readQueuePosition reads a position; "" and "0" are the queue's start.
func readQueuePosition(s string) (ledger.QueuePosition, bool) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return ledger.QueuePosition{}, true
	}
	micros, id, ok := strings.Cut(s, "-")
	if !ok {
		return ledger.QueuePosition{}, false
	}
	m, err1 := strconv.ParseInt(micros, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if err1 != nil || err2 != nil || n <= 0 {
		return ledger.QueuePosition{}, false
	}
	return ledger.QueuePosition{SubmittedAt: time.UnixMicro(m).UTC(), ID: n}, true
}

func readQueueTrail(s string) ([]ledger.QueuePosition, bool) {
	if strings.TrimSpace(s) == "" {
		return nil, true
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxTrail {
		return nil, false
	}
	trail := make([]ledger.QueuePosition, 0, len(parts))
	for _, part := range parts {
		pos, ok := readQueuePosition(part)
		if !ok {
			return nil, false
		}
		trail = append(trail, pos)
	}
	return trail, true
}

// queuePageLink is the link to the page after the last position of
// positions, the ones before it kept as its trail; with none, the first
// page.
func queuePageLink(q queueFilter, positions []ledger.QueuePosition) string {
	var extra []string
	if n := len(positions); n > 0 {
		if positions[n-1].ID > 0 {
			extra = append(extra, "after", writeQueuePosition(positions[n-1]))
		}
		if n > 1 {
			before := positions[:n-1]
			if len(before) > maxTrail {
				before = before[len(before)-maxTrail:]
			}
			parts := make([]string, len(before))
			for i, pos := range before {
				parts[i] = writeQueuePosition(pos)
			}
			extra = append(extra, "trail", strings.Join(parts, ","))
		}
	}
	return q.with("/tax-office/queue", extra...)
}
