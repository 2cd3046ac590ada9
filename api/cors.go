package api

import (
	"strings"

	"github.com/gin-gonic/gin"
)

// Cross-origin calls. The API is off limits to other sites' pages unless
// TAAHOD_CORS_ORIGINS names their origins. Tokens travel in the
// Authorization header, never in cookies, so credentials are never allowed
// (no Access-Control-Allow-Credentials): a page of an allowed origin may
// send a token it holds, and nothing the browser would add by itself.

// corsRequestHeaders are the request headers a page may send.
const corsRequestHeaders = "Authorization, Content-Type, Idempotency-Key, X-Request-ID"

// corsExposedHeaders are the response headers a page may read besides the
// simple ones.
const corsExposedHeaders = "Location, Idempotent-Replayed, X-Request-ID, Retry-After, Content-Disposition, WWW-Authenticate"

// preflightMaxAge is how long, in seconds, a browser may keep a preflight's
// answer.
const preflightMaxAge = "600"

// crossOrigin adds the CORS headers for an allowed origin; other origins
// get none, and the browser keeps their pages from reading the answer.
// With origins configured, every answer varies by Origin.
func (s *Server) crossOrigin(c *gin.Context) {
	if len(s.cors) == 0 {
		c.Next()
		return
	}
	h := c.Writer.Header()
	h.Add("Vary", "Origin")
	if origin := c.GetHeader("Origin"); s.cors[origin] {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", corsExposedHeaders)
	}
	c.Next()
}

// preflight completes the answer to an OPTIONS request that a browser sends
// before a cross-origin call, when the origin is allowed.
func (s *Server) preflight(c *gin.Context, allow []string) {
	h := c.Writer.Header()
	if c.GetHeader("Access-Control-Request-Method") == "" || h.Get("Access-Control-Allow-Origin") == "" {
		return
	}
	h.Add("Vary", "Access-Control-Request-Method")
	h.Add("Vary", "Access-Control-Request-Headers")
	h.Del("Access-Control-Expose-Headers")
	h.Set("Access-Control-Allow-Methods", strings.Join(allow, ", "))
	h.Set("Access-Control-Allow-Headers", corsRequestHeaders)
	h.Set("Access-Control-Max-Age", preflightMaxAge)
}
