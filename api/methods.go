package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// methodOrder is the order in which Allow lists methods.
var methodOrder = []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
	http.MethodPatch, http.MethodDelete, http.MethodOptions}

// otherMethod answers a request whose path exists with another method. gin
// has set Allow to the methods registered for the path; HEAD is added where
// GET is (serveHTTP answers it) and OPTIONS everywhere. OPTIONS is answered
// 204 with Allow (and, for a preflight from an allowed origin, the CORS
// headers); anything else is 405.
func (s *Server) otherMethod(c *gin.Context) error {
	allow := allowedMethods(c.Writer.Header().Get("Allow"))
	c.Header("Allow", strings.Join(allow, ", "))
	if c.Request.Method == http.MethodOptions {
		s.preflight(c, allow)
		c.Status(http.StatusNoContent)
		return nil
	}
	return taahod.Errorf(codeMethodNotAllowed, "%s is not allowed here; this path takes %s",
		requestMethod(c), strings.Join(allow, ", "))
}

// allowedMethods reads gin's Allow and completes it with HEAD and OPTIONS.
func allowedMethods(registered string) []string {
	var have []string
	for m := range strings.SplitSeq(registered, ",") {
		if m = strings.TrimSpace(m); m != "" {
			have = append(have, m)
		}
	}
	if slices.Contains(have, http.MethodGet) {
		have = append(have, http.MethodHead)
	}
	have = append(have, http.MethodOptions)
	var out []string
	for _, m := range methodOrder {
		if slices.Contains(have, m) {
			out = append(out, m)
		}
	}
	return out
}
