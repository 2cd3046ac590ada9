package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// mountPublic registers the public transparency site's pages, open to
// everyone: the working group's figures, their records, certificate
// verification. "/" itself is the root handler's (web.go): signed out, it
// is the public home.
func (p *Pages) mountPublic(pages *gin.RouterGroup) {
	pages.GET("/public/figures/:figure", p.session(false), p.publicFigureRows)
	pages.GET("/verify", p.session(false), p.publicVerify)
}

// PublicRoutes are the pages anyone may open that read the database; the
// server holds them, with the API's public routes, to a rate per client
// address (api.PagesWithPublicRoutes). /verify is also where the public
// pages' verification box sends its serial.
func (p *Pages) PublicRoutes() []string {
	return []string{"/verify", "/public/figures/:figure"}
}

// TooManyRequests answers a public page asked for too often from one
// address, with the Persian page of the rate limit (the server has set
// Retry-After).
func (p *Pages) TooManyRequests(c *gin.Context) {
	setSecurityHeaders(c)
	p.failure(c, http.StatusTooManyRequests, Message(taahod.ERATELIMITED))
}
