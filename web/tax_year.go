package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// mountTaxYears registers the pages of units' tax years: assessments,
// offset policies, offset runs and statements.
func (p *Pages) mountTaxYears(tax area) {
	tax.read.GET("/tax-years", p.taxYears)
	tax.read.GET("/units/:unit/tax-years", p.openTaxYear)
	tax.read.GET("/units/:unit/tax-years/:year", p.taxYear)
	tax.write.POST("/units/:unit/tax-years/:year", p.assess)
	tax.write.GET("/units/:unit/tax-years/:year/offset", p.offsetPreview)
	tax.write.POST("/units/:unit/tax-years/:year/offset", p.runOffset)
	p.mountPolicies(tax)
}

// The messages a tax office's redirect may ask its page to show (see
// statusOf): registered here so that each area keeps its own list.
func init() {
	for _, m := range []string{"assessed", "offset_run", "policy_saved", "certificate_issued", "certificate_revoked"} {
		statusMessages[m] = true
	}
}

// unitsPageSize is how many units one page of /tax-office/tax-years lists.
const unitsPageSize = 50

// unitYears is a unit with its recorded tax years.
type unitYears struct {
	Unit  registry.Unit
	Years []ledger.TaxYear
}

// taxYearsData is one page of the units and their tax years.
type taxYearsData struct {
	Q              string
	Rows           []unitYears
	Next, Previous string
}

// taxYears renders /tax-office/tax-years: the units, searched by name or
// national id (q, as the API's), 50 a page with the API's after-id cursor,
// each with the years whose tax is recorded and a way to open another.
func (p *Pages) taxYears(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	d := taxYearsData{Q: Text(c.Query("q"))}
	after, trail, ok := readPosition(c)
	if !ok {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	units, err := p.registry.ListUnits(ctx, u, registry.UnitFilter{Query: d.Q, AfterID: after, Limit: unitsPageSize + 1})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	q := url.Values{}
	if d.Q != "" {
		q.Set("q", d.Q)
	}
	if after > 0 {
		d.Previous = pageLinkOn("/tax-office/tax-years", q, trail)
	}
	if len(units) > unitsPageSize {
		units = units[:unitsPageSize]
		d.Next = pageLinkOn("/tax-office/tax-years", q, append(append(trail[:len(trail):len(trail)], after), units[len(units)-1].ID))
	}
	ids := make([]int64, len(units))
	for i, un := range units {
		ids[i] = un.ID
	}
	// A unit has a year or two; the bound is only against the absurd.
	years, err := p.ledger.ListTaxYears(ctx, u, ledger.TaxYearFilter{UnitIDs: ids, Limit: 100 * unitsPageSize})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	byUnit := map[int64][]ledger.TaxYear{}
	for _, y := range years {
		byUnit[y.UnitID] = append(byUnit[y.UnitID], y)
	}
	for _, un := range units {
		d.Rows = append(d.Rows, unitYears{Unit: un, Years: byUnit[un.ID]})
	}
	p.render(c, http.StatusOK, "tax_years", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}

// openTaxYear answers the form beside each unit that opens one of its years
// (fiscal_year, as typed): the year's page, recorded or not.
func (p *Pages) openTaxYear(c *gin.Context) {
	unit, ok := p.pathIDOr404(c, "unit")
	if !ok {
		return
	}
	year, err := strconv.Atoi(strings.TrimSpace(taahod.ASCIIDigits(c.Query("fiscal_year"))))
	if err != nil || !taahod.ValidFiscalYear(year) {
		p.failure(c, http.StatusBadRequest, Message("out_of_range"))
		return
	}
	c.Redirect(http.StatusSeeOther, taxYearPath(unit, year))
}

// taxYearPath is the page of a unit-year.
func taxYearPath(unit int64, year int) string {
	return "/tax-office/units/" + strconv.FormatInt(unit, 10) + "/tax-years/" + strconv.Itoa(year)
}

// pathUnitYear reads the unit and the fiscal year of a unit-year's path;
// false when either names nothing. The year may be typed in Persian
// digits.
func pathUnitYear(c *gin.Context) (int64, int, bool) {
	unit, ok := pathID(c, "unit")
	year, err := strconv.Atoi(taahod.ASCIIDigits(c.Param("year")))
	return unit, year, ok && err == nil && taahod.ValidFiscalYear(year)
}

// taxYearData is the page of one unit-year.
type taxYearData struct {
	Unit registry.Unit
	Year int
	Path string
	// Statement is nil while no tax is recorded for the year.
	Statement    *ledger.Statement
	Assessments  []ledger.Assessment
	Certificates []certificate.Record
	// Valid is the year's valid certificate, which issuing supersedes.
	Valid *certificate.Record
}

// taxYear renders a unit-year: its statement, the history of its
// assessments with the form that records another, and its certificates
// with the form that issues one.
func (p *Pages) taxYear(c *gin.Context) {
	p.renderTaxYear(c, http.StatusOK, nil, "")
}

// renderTaxYear renders the unit-year of the path with status; f is the
// form that came back with errors (nil: none) and alert what went wrong.
func (p *Pages) renderTaxYear(c *gin.Context, status int, f *form, alert string) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	unit, year, ok := pathUnitYear(c)
	if !ok {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	d := taxYearData{Year: year, Path: taxYearPath(unit, year)}
	var err error
	if d.Unit, err = p.registry.FindUnit(ctx, u, unit); err != nil {
		p.storeFailure(c, err)
		return
	}
	st, err := p.ledger.Statement(ctx, u, unit, year)
	switch {
	case err == nil:
		d.Statement = &st
	case taahod.ErrorCode(err) != taahod.ENOTFOUND: // not found: no tax recorded yet
		p.storeFailure(c, err)
		return
	}
	if d.Assessments, err = p.ledger.Assessments(ctx, u, unit, year); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Certificates, err = p.certs.List(ctx, u, certificate.ListFilter{UnitID: unit, FiscalYear: year, Limit: 500}); err != nil {
		p.storeFailure(c, err)
		return
	}
	for i, r := range d.Certificates {
		if r.Status == certificate.StatusValid {
			d.Valid = &d.Certificates[i]
		}
	}
	if f == nil {
		f = newForm()
	}
	// The assessment form starts from the year's current figures.
	if _, typed := f.values["tax_due"]; !typed && d.Statement != nil {
		f.values["tax_due"] = Number(d.Statement.TaxDue)
		if ti := d.Statement.TaxableIncome; ti != nil {
			f.values["taxable_income"] = Number(*ti)
		}
		f.values["income_source"] = deref(d.Statement.IncomeSource)
	}
	p.render(c, status, "tax_year", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Alert: alert, Form: f, Data: d})
}

// assess records an assessment of the unit-year (the API's fields tax_due,
// taxable_income, income_source, amounts as people type them).
func (p *Pages) assess(c *gin.Context) {
	u, _ := signedIn(c)
	unit, year, ok := pathUnitYear(c)
	if !ok {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	f := newForm()
	for _, k := range []string{"tax_due", "taxable_income", "income_source"} {
		f.values[k] = c.PostForm(k)
	}
	in := ledger.TaxYearInput{TaxDue: typedAmount(f.values["tax_due"]), TaxableIncome: typedAmount(f.values["taxable_income"])}
	if s := Text(f.values["income_source"]); s != "" {
		in.IncomeSource = &s
	}
	if in.TaxDue == nil {
		// Blank is not zero: a year with nothing due is assessed 0.
		f.fail("tax_due", "required")
		p.renderTaxYear(c, http.StatusUnprocessableEntity, f, Message(taahod.EINVALID))
		return
	}
	if _, err := p.ledger.Assess(c.Request.Context(), u, unit, year, in); err != nil {
		if taahod.ErrorCode(err) == taahod.ENOTFOUND {
			p.storeFailure(c, err)
			return
		}
		alert := f.take(err)
		p.renderTaxYear(c, problemStatus(err), f, alert)
		return
	}
	c.Redirect(http.StatusSeeOther, taxYearPath(unit, year)+"?m=assessed")
}

// typedAmount is an amount field as typed, made the canonical JSON string
// the domain reads (AmountText); nil when the field is blank.
func typedAmount(s string) json.RawMessage {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	raw, _ := json.Marshal(AmountText(s))
	return raw
}

// problemStatus is the status a form answers with when the domain refused
// it: 422 for bad input, 409 for a state that forbids it.
func problemStatus(err error) int {
	if taahod.ErrorCode(err) == taahod.EINVALID {
		return http.StatusUnprocessableEntity
	}
	return http.StatusConflict
}

// taxFailure answers a store's error on a tax office page that shows no
// form: the domain's refusals (no policy, no assessment, nothing to offset,
// …) as 409 with their Persian sentence, the rest as storeFailure does.
func (p *Pages) taxFailure(c *gin.Context, err error) {
	switch code := taahod.ErrorCode(err); code {
	case taahod.ENOTFOUND, taahod.EINVALID, taahod.EINTERNAL, taahod.EUNAVAILABLE:
		p.storeFailure(c, err)
	case taahod.EFORBIDDEN:
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
	default:
		p.failure(c, http.StatusConflict, Message(code))
	}
}
