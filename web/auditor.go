package web

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountAuditor registers the auditor's read-only pages: the audit trail and verify on demand; each is kept to its role (any other
// role gets the 404 page, as the API answers what lies outside a caller's
// scope).
func (p *Pages) mountAuditor(pages *gin.RouterGroup) {
	g := pages.Group(homePaths[taahod.RoleAuditor], p.session(true), p.onlyRole(taahod.RoleAuditor))
	g.GET("", p.home(taahod.RoleAuditor))
}
