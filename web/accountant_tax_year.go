package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// The accountant's tax years: their units' years that have a recorded tax
// (each has a statement), one year's statement as the ledger shows it to
// them (the contract lets a unit's accountant read its statement and
// certificates), and the certificates' PDFs. Another unit's year or
// certificate is the same 404 page as an unknown one.

// accountantTaxYearRow is one line of /accountant/tax-years.
type accountantTaxYearRow struct {
	ledger.TaxYear
	UnitName string
}

// accountantTaxYearsData is the accountant's tax years, the latest first.
type accountantTaxYearsData struct {
	Rows []accountantTaxYearRow
	// More says the list was cut at taxYearsLimit.
	More bool
}

// taxYearsLimit bounds the list: a unit has one line a year.
const taxYearsLimit = 500

// accountantTaxYears renders /accountant/tax-years.
func (p *Pages) accountantTaxYears(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	units, err := p.registry.ListUnits(ctx, u, registry.UnitFilter{Limit: 500})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	names := map[int64]string{}
	for _, un := range units {
		names[un.ID] = un.Name
	}
	years, err := p.ledger.ListTaxYears(ctx, u, ledger.TaxYearFilter{Limit: taxYearsLimit + 1})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	var d accountantTaxYearsData
	if len(years) > taxYearsLimit {
		years, d.More = years[:taxYearsLimit], true
	}
	for _, y := range years {
		d.Rows = append(d.Rows, accountantTaxYearRow{TaxYear: y, UnitName: names[y.UnitID]})
	}
	p.render(c, http.StatusOK, "accountant_tax_years", page{User: &u, CSRF: csrfToken(c), Data: d})
}

// accountantTaxYearData is one unit-year: its statement and its certificates.
type accountantTaxYearData struct {
	Unit         registry.Unit
	Statement    ledger.Statement
	Certificates []certificate.Record
}

// accountantTaxYear renders /accountant/units/{unit}/tax-years/{year}.
func (p *Pages) accountantTaxYear(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	unitID, year, ok := pathUnitYear(c)
	if !ok {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	var d accountantTaxYearData
	var err error
	if d.Unit, err = p.registry.FindUnit(ctx, u, unitID); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Statement, err = p.ledger.Statement(ctx, u, unitID, year); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Certificates, err = p.certs.List(ctx, u, certificate.ListFilter{UnitID: unitID, FiscalYear: year, Limit: 100}); err != nil {
		p.storeFailure(c, err)
		return
	}
	p.render(c, http.StatusOK, "accountant_tax_year", page{User: &u, CSRF: csrfToken(c), Data: d})
}
