package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountAuditor registers the auditor's own pages: the audit trail and
// verify on demand; each is kept to its role (any other role gets the 404
// page, as the API answers what lies outside a caller's scope). The only
// form, verify's, starts checks that read. The auditor also reads the
// other roles' pages that only show (see area).
func (p *Pages) mountAuditor(pages *gin.RouterGroup) {
	g := pages.Group(homePaths[taahod.RoleAuditor], p.session(true), p.onlyRole(taahod.RoleAuditor))
	g.GET("", p.auditorHome)
	g.GET("/audit", p.auditTrail)
	g.GET("/verify", p.verifyPage)
	g.POST("/verify", p.startVerify)
}

// The messages the auditor's redirects may ask a page to show.
func init() {
	for _, m := range []string{"verify_started", "verify_running"} {
		statusMessages[m] = true
	}
}

// auditorHome renders /auditor: the ways to the trail and to verify, and
// the latest verify run's outcome.
func (p *Pages) auditorHome(c *gin.Context) {
	u, _ := signedIn(c)
	p.render(c, http.StatusOK, "auditor_home", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c),
		Data: verifyData{Run: p.verifier.snapshot()}})
}
