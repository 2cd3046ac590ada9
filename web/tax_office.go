package web

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountTaxOffice registers the tax office's pages, kept to tax officers
// (any other role gets the 404 page, as the API answers what lies outside a
// caller's scope) but for the auditor, who reads those that only show
// (see area):
//   - the home page and the review queue, review and reversal (review*.go);
//   - units' tax years: assessments, offset policies, offset runs and the
//     statement (tax_year*.go, policy*.go);
//   - certificates: preview, issue, list, revoke (certificate*.go).
func (p *Pages) mountTaxOffice(pages *gin.RouterGroup) {
	tax := p.newArea(pages, "/tax-office", taahod.RoleTaxOfficer)
	p.mountReviews(tax)
	p.mountTaxYears(tax)
	p.mountCertificates(tax)
}
