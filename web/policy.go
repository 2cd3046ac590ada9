package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// mountPolicies registers the offset policies' pages. The API lets admins
// set policies too; their pages come with the admin's, and these are the
// tax office's.
func (p *Pages) mountPolicies(tax area) {
	tax.read.GET("/policies", p.policies)
	tax.write.GET("/policies/new", p.newPolicy)
	tax.write.POST("/policies", p.createPolicy)
	tax.read.GET("/policies/:year", p.policy)
	tax.write.POST("/policies/:year", p.editPolicy)
}

// policyFields are the policy form's text fields, the API's names.
var policyFields = []string{"mode", "rate", "tax_rate", "deduction_cap_rate", "cap_amount", "carry_forward_years",
	"rounding_unit", "rounding", "legal_basis"}

// policiesData lists the stored policies.
type policiesData struct {
	Policies []ledger.Policy
}

// policies renders /tax-office/policies: each year's policy with its legal
// basis, and whether a certificate has frozen it.
func (p *Pages) policies(c *gin.Context) {
	u, _ := signedIn(c)
	list, err := p.ledger.Policies(c.Request.Context())
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	// The latest year first: it is the one being worked on.
	for i, j := 0, len(list)-1; i < j; i, j = i+1, j-1 {
		list[i], list[j] = list[j], list[i]
	}
	p.render(c, http.StatusOK, "policies", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: policiesData{list}})
}

// policyData is the page of one policy, or of a new one (Policy nil).
type policyData struct {
	Year   int
	Policy *ledger.Policy
	// Eligible are the categories ticked in the form.
	Eligible   map[string]bool
	Categories []string
	Modes      []string
	Roundings  []string
}

func newPolicyData(year int, pol *ledger.Policy, eligible map[string]bool) policyData {
	return policyData{Year: year, Policy: pol, Eligible: eligible, Categories: ledger.Categories,
		Modes: []string{ledger.ModeDeduction, ledger.ModeCredit}, Roundings: []string{ledger.RoundDown, ledger.RoundHalfEven}}
}

// newPolicy renders the form of a new year's policy, filled as Article 172
// reads (a deduction at the 25% rate of Article 105, every category).
func (p *Pages) newPolicy(c *gin.Context) {
	u, _ := signedIn(c)
	f := newForm()
	f.values["fiscal_year"] = PersianDigits(strings.TrimSpace(taahod.ASCIIDigits(c.Query("fiscal_year"))))
	f.values["mode"], f.values["rate"], f.values["tax_rate"], f.values["deduction_cap_rate"] = ledger.ModeDeduction, "۱", "۰٫۲۵", "۱"
	f.values["carry_forward_years"], f.values["rounding_unit"], f.values["rounding"] = "۰", "۱", ledger.RoundDown
	f.values["legal_basis"] = "ماده ۱۷۲ قانون مالیات‌های مستقیم"
	eligible := map[string]bool{}
	for _, c := range ledger.Categories {
		eligible[c] = true
	}
	p.render(c, http.StatusOK, "policy", page{User: &u, CSRF: csrfToken(c), Form: f, Data: newPolicyData(0, nil, eligible)})
}

// policy renders one year's policy and, until a certificate freezes it,
// the form that edits it.
func (p *Pages) policy(c *gin.Context) {
	u, _ := signedIn(c)
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	pol, err := p.ledger.Policy(c.Request.Context(), year)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	f, eligible := policyForm(pol)
	p.render(c, http.StatusOK, "policy", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Form: f,
		Data: newPolicyData(year, &pol, eligible)})
}

// policyForm is the form filled with a stored policy, in Persian digits.
func policyForm(pol ledger.Policy) (*form, map[string]bool) {
	f := newForm()
	f.values["mode"], f.values["rounding"], f.values["legal_basis"] = pol.Mode, pol.Rounding, pol.LegalBasis
	f.values["rate"], f.values["deduction_cap_rate"], f.values["rounding_unit"] = Number(pol.Rate), Number(pol.DeductionCapRate), Number(pol.RoundingUnit)
	if pol.TaxRate != nil {
		f.values["tax_rate"] = Number(*pol.TaxRate)
	}
	if pol.CapAmount != nil {
		f.values["cap_amount"] = Number(*pol.CapAmount)
	}
	f.values["carry_forward_years"] = PersianDigits(strconv.Itoa(pol.CarryForwardYears))
	eligible := map[string]bool{}
	for _, c := range pol.EligibleCategories {
		eligible[c] = true
	}
	return f, eligible
}

// createPolicy stores a new year's policy (fiscal_year and the policy's
// fields); a year that has one already is edited on its own page.
func (p *Pages) createPolicy(c *gin.Context) {
	u, _ := signedIn(c)
	f, in, eligible := readPolicyForm(c)
	f.values["fiscal_year"] = c.PostForm("fiscal_year")
	typed := strings.TrimSpace(taahod.ASCIIDigits(f.values["fiscal_year"]))
	year, err := strconv.Atoi(typed)
	switch {
	case typed == "":
		f.fail("fiscal_year", "required")
	case err != nil:
		f.fail("fiscal_year", "invalid")
	default:
		if _, err := p.ledger.Policy(c.Request.Context(), year); err == nil {
			f.fail("fiscal_year", "duplicate")
		} else if taahod.ErrorCode(err) != taahod.ENOTFOUND {
			p.storeFailure(c, err)
			return
		}
	}
	if f.failed() {
		p.render(c, http.StatusUnprocessableEntity, "policy", page{User: &u, CSRF: csrfToken(c), Alert: Message(taahod.EINVALID),
			Form: f, Data: newPolicyData(0, nil, eligible)})
		return
	}
	if _, err := p.ledger.SetPolicy(c.Request.Context(), u, year, in); err != nil {
		alert := f.take(err)
		if msg, ok := f.errors["year"]; ok {
			f.errors["fiscal_year"] = msg
		}
		p.render(c, problemStatus(err), "policy", page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: newPolicyData(0, nil, eligible)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/tax-office/policies/"+strconv.Itoa(year)+"?m=policy_saved")
}

// editPolicy stores the year's policy anew; a policy a certificate relied
// on is frozen, and the refusal says so beside the values typed.
func (p *Pages) editPolicy(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	year, err := strconv.Atoi(c.Param("year"))
	if err != nil {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	pol, err := p.ledger.Policy(ctx, year)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	f, in, eligible := readPolicyForm(c)
	if f.failed() {
		p.render(c, http.StatusUnprocessableEntity, "policy", page{User: &u, CSRF: csrfToken(c), Alert: Message(taahod.EINVALID),
			Form: f, Data: newPolicyData(year, &pol, eligible)})
		return
	}
	if _, err := p.ledger.SetPolicy(ctx, u, year, in); err != nil {
		alert := f.take(err)
		p.render(c, problemStatus(err), "policy", page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: newPolicyData(year, &pol, eligible)})
		return
	}
	c.Redirect(http.StatusSeeOther, "/tax-office/policies/"+strconv.Itoa(year)+"?m=policy_saved")
}

// readPolicyForm reads the policy form as typed: rates and amounts in any
// digits with «٫» or "." (AmountText), a blank optional field as absent,
// the eligible categories as ticked.
func readPolicyForm(c *gin.Context) (*form, ledger.PolicyInput, map[string]bool) {
	f := newForm()
	for _, k := range policyFields {
		f.values[k] = c.PostForm(k)
	}
	in := ledger.PolicyInput{
		Mode:             strings.TrimSpace(f.values["mode"]),
		Rate:             typedAmount(f.values["rate"]),
		TaxRate:          typedAmount(f.values["tax_rate"]),
		DeductionCapRate: typedAmount(f.values["deduction_cap_rate"]),
		CapAmount:        typedAmount(f.values["cap_amount"]),
		RoundingUnit:     typedAmount(f.values["rounding_unit"]),
		Rounding:         strings.TrimSpace(f.values["rounding"]),
		LegalBasis:       Text(f.values["legal_basis"]),
		// None ticked is none eligible, not the API's default of all.
		EligibleCategories: []string{},
	}
	if s := strings.TrimSpace(taahod.ASCIIDigits(f.values["carry_forward_years"])); s != "" {
		if n, err := strconv.Atoi(s); err != nil {
			f.fail("carry_forward_years", "invalid")
		} else {
			in.CarryForwardYears = &n
		}
	}
	eligible := map[string]bool{}
	for _, cat := range c.PostFormArray("eligible_categories") {
		in.EligibleCategories = append(in.EligibleCategories, cat)
		eligible[cat] = true
	}
	return f, in, eligible
}
