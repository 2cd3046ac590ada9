package web

import "github.com/gin-gonic/gin"

// mountPublic registers the public transparency site's pages, open to
// everyone: the working group's figures, their records, certificate
// verification. "/" itself is the root handler's (web.go): signed out, it
// is the public home.
func (p *Pages) mountPublic(pages *gin.RouterGroup) {
	pages.GET("/public/figures/:figure", p.session(false), p.publicFigureRows)
	pages.GET("/verify", p.session(false), p.publicVerify)
}
