package web

import (
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// area is the routes of one role's pages, split by what they do: the
// pages that only show records are open to the role and to the auditor,
// who may read everything (the API's scope: admin, auditor and tax
// officers see all); forms and what they post are the role's alone, so an
// auditor's request to write answers the 404 page, as any other role's
// does. Templates hide a read page's forms from the auditor with
// page.ReadOnly.
type area struct {
	// read serves pages that only show: the role and the auditor.
	read *gin.RouterGroup
	// write serves forms and their posts: the role alone.
	write *gin.RouterGroup
}

// newArea makes the area of role's pages under path.
func (p *Pages) newArea(pages *gin.RouterGroup, path string, role taahod.Role) area {
	return area{
		read:  pages.Group(path, p.session(true), p.onlyRoles(role, taahod.RoleAuditor)),
		write: pages.Group(path, p.session(true), p.onlyRole(role)),
	}
}

// onlyRoles lets through the signed-in people of the roles named; anyone
// else gets the 404 page.
func (p *Pages) onlyRoles(roles ...taahod.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if u, ok := signedIn(c); !ok || !slices.Contains(roles, u.Role) {
			p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
			c.Abort()
			return
		}
		c.Next()
	}
}
