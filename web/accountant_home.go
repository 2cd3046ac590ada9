package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// accountantHomeData is the accountant's home: their units, every pledge of
// those units with its totals, and what awaits them (their rejected
// expenditures, to correct and resubmit or withdraw, and those still
// without a document).
type accountantHomeData struct {
	Units    []registry.Unit
	Pledges  []ledger.Pledge
	Rejected []ledger.Expenditure
	// Undocumented are the submitted and rejected expenditures with no
	// document: none can be approved without one.
	Undocumented []ledger.Expenditure
	// More says a list was cut at homeListLimit.
	MorePledges, MoreRejected, MoreUndocumented bool
}

// homeListLimit bounds each list of the home page; the expenditures page
// holds the rest.
const homeListLimit = 200

// accountantHome renders /accountant.
func (p *Pages) accountantHome(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	var d accountantHomeData
	var err error
	if d.Units, err = p.registry.ListUnits(ctx, u, registry.UnitFilter{Limit: 500}); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Pledges, err = p.ledger.ListPledges(ctx, u, ledger.PledgeFilter{Limit: homeListLimit + 1}); err != nil {
		p.storeFailure(c, err)
		return
	}
	if len(d.Pledges) > homeListLimit {
		d.Pledges, d.MorePledges = d.Pledges[:homeListLimit], true
	}
	if d.Rejected, err = p.ledger.ListExpenditures(ctx, u, ledger.ExpenditureFilter{Status: ledger.StatusRejected, Limit: homeListLimit + 1}); err != nil {
		p.storeFailure(c, err)
		return
	}
	if len(d.Rejected) > homeListLimit {
		d.Rejected, d.MoreRejected = d.Rejected[:homeListLimit], true
	}
	if d.Undocumented, err = p.ledger.ListExpenditures(ctx, u, ledger.ExpenditureFilter{MissingDocuments: true, Limit: homeListLimit + 1}); err != nil {
		p.storeFailure(c, err)
		return
	}
	if len(d.Undocumented) > homeListLimit {
		d.Undocumented, d.MoreUndocumented = d.Undocumented[:homeListLimit], true
	}
	p.render(c, http.StatusOK, "accountant_home", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}
