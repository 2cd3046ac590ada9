package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// expendituresPageSize is how many rows one page of the table shows.
const expendituresPageSize = 50

// expendituresData is one page of the accountant's expenditures.
type expendituresData struct {
	Rows []ledger.Expenditure
	// Status, PledgeID and FiscalYear are the filter as asked (the API's
	// query parameters status, pledge_id, fiscal_year), to show it again.
	Status, PledgeID, FiscalYear string
	Statuses                     []string
	Pledges                      []ledger.Pledge
	// Next and Previous are the links to the following and the preceding
	// page; "" when there is none.
	Next, Previous string
}

// expenditures renders /accountant/expenditures: the accountant's
// expenditures by id, filtered as the API filters them, paged with the
// API's after-id cursor.
func (p *Pages) expenditures(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	d := expendituresData{
		Status:     strings.TrimSpace(c.Query("status")),
		PledgeID:   strings.TrimSpace(taahod.ASCIIDigits(c.Query("pledge_id"))),
		FiscalYear: strings.TrimSpace(taahod.ASCIIDigits(c.Query("fiscal_year"))),
		Statuses:   expenditureStatuses,
	}
	f := ledger.ExpenditureFilter{Status: d.Status, Limit: expendituresPageSize + 1}
	bad := d.Status != "" && !ledger.ValidExpenditureStatus(d.Status)
	var ok bool
	if f.PledgeID, ok = positive(d.PledgeID); !ok {
		bad = true
	}
	year, ok := positive(d.FiscalYear)
	if !ok {
		bad = true
	}
	f.FiscalYear = int(year)
	var trail []int64
	if f.AfterID, trail, ok = readPosition(c); !ok {
		bad = true
	}
	if bad {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	var err error
	if d.Pledges, err = p.ledger.ListPledges(ctx, u, ledger.PledgeFilter{Limit: 500}); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Rows, err = p.ledger.ListExpenditures(ctx, u, f); err != nil {
		p.storeFailure(c, err)
		return
	}
	q := filterQuery(map[string]string{"status": d.Status, "pledge_id": d.PledgeID, "fiscal_year": d.FiscalYear})
	if f.AfterID > 0 {
		d.Previous = pageLink(q, trail)
	}
	if len(d.Rows) > expendituresPageSize {
		d.Rows = d.Rows[:expendituresPageSize]
		d.Next = pageLink(q, append(append(trail[:len(trail):len(trail)], f.AfterID), d.Rows[len(d.Rows)-1].ID))
	}
	p.render(c, http.StatusOK, "expenditures", page{User: &u, CSRF: csrfToken(c), Data: d,
		Downloads: downloadsOf(c, "/api/v1/expenditures", "status", "pledge_id", "fiscal_year")})
}

// positive reads an optional positive whole number of a query: 0 and true
// when it is empty, false when it is anything but a positive number.
func positive(s string) (int64, bool) {
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// The store pages forward only, after an id (the API's cursor). To go back,
// each link carries the trail of the cursors of the pages before it, in the
// query parameter "trail" ("0,50,100"): the previous page starts after the
// trail's last cursor. maxTrail bounds it.
const maxTrail = 200

// readPosition reads a list's place from the query: the after-id cursor
// ("after", as the API's) and the trail of the earlier ones that «قبلی»
// goes back along ("trail"); false when either is not what the pages
// write.
func readPosition(c *gin.Context) (after int64, trail []int64, ok bool) {
	after, ok = positive(taahod.ASCIIDigits(c.Query("after")))
	if !ok {
		return 0, nil, false
	}
	trail, ok = readTrail(c.Query("trail"))
	return after, trail, ok
}

// readTrail reads the trail: ids, 0 for the first page.
func readTrail(s string) ([]int64, bool) {
	s = strings.TrimSpace(taahod.ASCIIDigits(s))
	if s == "" {
		return nil, true
	}
	parts := strings.Split(s, ",")
	if len(parts) > maxTrail {
		return nil, false
	}
	trail := make([]int64, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 {
			return nil, false
		}
		trail = append(trail, n)
	}
	return trail, true
}

// pageLink is the link to the page after the last cursor of cursors, the
// ones before it kept as its trail; with no cursor, the first page. q is the
// filter.
func pageLink(filter url.Values, cursors []int64) string {
	return pageLinkOn("/accountant/expenditures", filter, cursors)
}

// pageLinkOn is pageLink for the list at path.
func pageLinkOn(path string, filter url.Values, cursors []int64) string {
	q := url.Values{}
	for k, v := range filter {
		q[k] = v
	}
	if n := len(cursors); n > 0 {
		if cursors[n-1] > 0 {
			q.Set("after", strconv.FormatInt(cursors[n-1], 10))
		}
		if n > 1 {
			if n-1 > maxTrail {
				cursors = cursors[n-1-maxTrail:]
				n = len(cursors)
			}
			parts := make([]string, n-1)
			for i, c := range cursors[:n-1] {
				parts[i] = strconv.FormatInt(c, 10)
			}
			q.Set("trail", strings.Join(parts, ","))
		}
	}
	return path + "?" + q.Encode()
}
