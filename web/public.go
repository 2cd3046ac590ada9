package web

import "github.com/gin-gonic/gin"

// mountPublic registers the public transparency site's pages, open to
// everyone: the working group's figures, their records, certificate
// verification.
func (p *Pages) mountPublic(pages *gin.RouterGroup) {}
