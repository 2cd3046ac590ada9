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
	acc.GET("/expenditures/:id", p.expenditure)
	acc.GET("/expenditures/:id/documents/:document", p.expenditureDocument)
}

// onlyRole answers the 404 page to any other role, as the API answers what
// lies outside a caller's scope.
func (p *Pages) onlyRole(role taahod.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if u, ok := signedIn(c); !ok || u.Role != role {
			p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
			c.Abort()
			return
		}
		c.Next()
	}
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
		p.log.Error("accountant page", "path", c.FullPath(), "error", err)
		p.failure(c, http.StatusInternalServerError, Message(taahod.EINTERNAL))
	}
}
