package api

import (
	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// importBodyLimit is the body limit of the CSV imports: room for 10,000
// rows of Persian text (two bytes a letter) and more.
const importBodyLimit = 16 << 20

// registryRoutes registers the working group's registry: sessions,
// resolutions, agencies, cases, revivals and the yearly figures, signed in
// under v1 and the published figures under public.
func (s *Server) registryRoutes(public, v1 *gin.RouterGroup) {
	s.sessionRoutes(v1)
	s.resolutionRoutes(v1)
	s.caseRoutes(v1)
	s.revivalRoutes(v1)
	s.registryReportRoutes(public, v1)
}

// viewer is the registry's view of the signed-in caller.
func viewer(c *gin.Context) registry.Viewer { return registry.SignedIn(actor(c)) }

// queryBool reads an optional true/false parameter.
func queryBool(c *gin.Context, p *taahod.Problems, name string) *bool {
	switch c.Query(name) {
	case "":
		return nil
	case "true", "1":
		t := true
		return &t
	case "false", "0":
		f := false
		return &f
	}
	p.Add(name, "invalid_flag", name+" must be true or false")
	return nil
}
