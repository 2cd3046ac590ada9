package web

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountAdmin registers the administrator's pages: users and production units; each is kept to its role (any other
// role gets the 404 page, as the API answers what lies outside a caller's
// scope).
func (p *Pages) mountAdmin(pages *gin.RouterGroup) {
	g := pages.Group(homePaths[taahod.RoleAdmin], p.session(true), p.onlyRole(taahod.RoleAdmin))
	g.GET("", p.home(taahod.RoleAdmin))
}
