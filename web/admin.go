package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountAdmin registers the administrator's pages: users and production
// units; each is kept to its role (any other role gets the 404 page, as
// the API answers what lies outside a caller's scope).
func (p *Pages) mountAdmin(pages *gin.RouterGroup) {
	g := pages.Group(homePaths[taahod.RoleAdmin], p.session(true), p.onlyRole(taahod.RoleAdmin))
	g.GET("", p.adminHome)
	g.GET("/users", p.adminUsers)
	g.GET("/users/new", p.newUserPage)
	g.POST("/users", p.createUser)
	g.GET("/users/:id", p.adminUser)
	g.POST("/users/:id", p.changeUser)
	g.POST("/users/:id/disabled", p.setUserDisabled)
	g.POST("/users/:id/reset-password", p.resetUserPassword)
	g.GET("/users/:id/password", p.oneTimePasswordPage)
	g.GET("/units", p.adminUnits)
	g.GET("/units/new", p.newUnitPage)
	g.POST("/units", p.createUnit)
	g.GET("/units/:id", p.adminUnit)
	g.POST("/units/:id", p.editUnit)
	p.mountAdminWebhooks(g)
}

// The messages the administrator's redirects may ask a page to show.
func init() {
	for _, m := range []string{"user_created", "user_updated", "user_disabled", "user_enabled", "password_reset",
		"unit_created", "unit_updated"} {
		statusMessages[m] = true
	}
}

// adminHome renders /admin: the ways to users and production units.
func (p *Pages) adminHome(c *gin.Context) {
	u, _ := signedIn(c)
	p.render(c, http.StatusOK, "admin_home", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c)})
}
