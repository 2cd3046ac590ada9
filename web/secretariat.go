package web

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountSecretariat registers the secretariat's pages: the home
// (secretariat_home.go), sessions and resolutions (secretariat_sessions*.go),
// cases, revivals, imports and the yearly figures (secretariat_records*.go,
// import.go, figures.go). Each is kept to the secretariat (any other role
// gets the 404 page, as the API answers what lies outside a caller's scope)
// but for the auditor, who reads those that only show (see area).
func (p *Pages) mountSecretariat(pages *gin.RouterGroup) {
	g := p.newArea(pages, homePaths[taahod.RoleSecretariat], taahod.RoleSecretariat)
	g.read.GET("", p.secretariatHome)
	p.mountSessions(g)
	p.mountRegistryRecords(g)
}
