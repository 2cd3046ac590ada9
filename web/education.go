package web

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountEducation registers the education department's pages: schools, progress reports, the overview; each is kept to its role (any other
// role gets the 404 page, as the API answers what lies outside a caller's
// scope).
func (p *Pages) mountEducation(pages *gin.RouterGroup) {
	g := pages.Group(homePaths[taahod.RoleEducationOfficer], p.session(true), p.onlyRole(taahod.RoleEducationOfficer))
	g.GET("", p.home(taahod.RoleEducationOfficer))
}
