package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountAccountant registers the unit accountant's pages. Each reads the
// ledger and the registry with the signed-in accountant as the actor, so the
// stores keep them to their own units as they do for the API.
func (p *Pages) mountAccountant(pages *gin.RouterGroup) {
	acc := pages.Group("/accountant", p.session(true), p.onlyRole(taahod.RoleAccountant))
	acc.GET("", p.accountantHome)
	acc.GET("/expenditures", p.expenditures)
	acc.GET("/expenditures/new", p.newExpenditurePage)
	acc.GET("/expenditures/:id", p.expenditure)
	acc.GET("/expenditures/:id/edit", p.editExpenditurePage)
	acc.POST("/expenditures/:id/edit", p.editExpenditure)
	acc.POST("/expenditures/:id/withdraw", p.withdrawExpenditure)
	acc.POST("/expenditures/:id/resubmit", p.resubmitExpenditure)
	acc.GET("/expenditures/:id/documents/:document", p.expenditureDocument)
	acc.GET("/expenditures/:id/documents/:document/thumbnail", p.expenditureThumbnail)
	acc.GET("/tax-years", p.accountantTaxYears)
	acc.GET("/units/:unit/tax-years/:year", p.accountantTaxYear)
	acc.GET("/certificates/:serial/pdf", p.certificatePDF("attachment"))

	// The forms that send files limit their bodies before the session
	// reads the form for its CSRF token (see uploadRoutes).
	upload := pages.Group("/accountant", p.limitUpload, p.checkUploadText, p.session(true), p.onlyRole(taahod.RoleAccountant))
	upload.POST("/expenditures/new", p.newExpenditure)
	upload.POST("/expenditures/:id/documents", p.addExpenditureDocuments)
}

// uploadRoutes are the routes of the accountant's forms that send files.
var uploadRoutes = []string{"/accountant/expenditures/new", "/accountant/expenditures/:id/documents"}

// UploadRoutes names the routes whose bodies the pages limit themselves
// (api.PagesWithUploads), so that the API's 1 MiB limit of a JSON body
// leaves them alone and a person sending too much reads a Persian page.
func (p *Pages) UploadRoutes() []string { return uploadRoutes }

// onlyRole answers the 404 page to any other role, as the API answers what
// lies outside a caller's scope.
func (p *Pages) onlyRole(role taahod.Role) gin.HandlerFunc {
	return p.onlyRoles(role)
}

// storeFailure answers a store's error with the error page: not found as
// the web's 404, bad input as 400, anything else as the internal error,
// logged (the error's text may name rows; the page never shows it).
func (p *Pages) storeFailure(c *gin.Context, err error) {
	switch code := taahod.ErrorCode(err); code {
	case taahod.ENOTFOUND:
		p.failure(c, http.StatusNotFound, Message(code))
	case taahod.EINVALID:
		p.failure(c, http.StatusBadRequest, Message(code))
	default:
		p.log.ErrorContext(c.Request.Context(), "accountant page", "path", c.FullPath(), "error", err)
		p.failure(c, http.StatusInternalServerError, Message(taahod.EINTERNAL))
	}
}
