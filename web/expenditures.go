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
	// Next and First are the links to the following page and back to the
	// first; "" when there is none.
	Next, First string
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
	if f.AfterID, ok = positive(taahod.ASCIIDigits(c.Query("after"))); !ok {
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
	q := url.Values{}
	for k, v := range map[string]string{"status": d.Status, "pledge_id": d.PledgeID, "fiscal_year": d.FiscalYear} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.AfterID > 0 {
		d.First = "/accountant/expenditures?" + q.Encode()
	}
	if len(d.Rows) > expendituresPageSize {
		d.Rows = d.Rows[:expendituresPageSize]
		q.Set("after", strconv.FormatInt(d.Rows[len(d.Rows)-1].ID, 10))
		d.Next = "/accountant/expenditures?" + q.Encode()
	}
	p.render(c, http.StatusOK, "expenditures", page{User: &u, CSRF: csrfToken(c), Data: d})
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
