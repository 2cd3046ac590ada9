package web

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountTaxOffice registers the tax office's pages, each kept to tax
// officers (any other role gets the 404 page, as the API answers what lies
// outside a caller's scope):
//   - the home page and the review queue, review and reversal (review*.go);
//   - units' tax years: assessments, offset policies, offset runs and the
//     statement (tax_year*.go, policy*.go);
//   - certificates: preview, issue, list, revoke (certificate*.go).
func (p *Pages) mountTaxOffice(pages *gin.RouterGroup) {
	tax := pages.Group("/tax-office", p.session(true), p.onlyRole(taahod.RoleTaxOfficer))
	p.mountReviews(tax)
	p.mountTaxYears(tax)
	p.mountCertificates(tax)
}
