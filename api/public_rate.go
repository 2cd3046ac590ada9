package api

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// publicRoutes are the API's routes anyone may call without signing in
// that read the database, and so share the public rate limit per client
// address (Config.PublicRate): certificate verification, which a script
// could otherwise walk serial by serial, the published figures and the
// audit chain's signed checkpoints.
var publicRoutes = []string{
	"/api/v1/verify/key",
	"/api/v1/verify/:serial",
	"/v/:serial",
	"/api/v1/public/registry",
	"/api/v1/public/registry.pdf",
	"/api/v1/public/registry/rows",
	"/api/v1/public/audit/checkpoints",
	"/api/v1/public/audit/checkpoints/latest",
	"/Q/:code",
}

// PagesWithPublicRoutes is what Pages also implement when some of their
// routes are open to anyone: PublicRoutes names them (gin's full paths),
// and they share the API's public rate limit per client address;
// TooManyRequests answers, in the pages' own way, a request over it (the
// Retry-After header is set already).
type PagesWithPublicRoutes interface {
	PublicRoutes() []string
	TooManyRequests(c *gin.Context)
}

// publicRateError refuses a request over the public rate limit.
type publicRateError struct{ wait time.Duration }

func (e publicRateError) Error() string { return e.Unwrap().Error() }

// Unwrap gives the domain error, so that ErrorCode finds rate_limited.
func (e publicRateError) Unwrap() error {
	return &taahod.Error{Code: taahod.ERATELIMITED, Message: "too many requests from this address; try again later"}
}

// RetryAfter is when the address has a request again.
func (e publicRateError) RetryAfter() time.Duration { return e.wait }

// publicRate holds the public routes to Config.PublicRate requests a
// minute per client address (c.ClientIP: the connection's, or a trusted
// proxy's X-Forwarded-For), with a 429 rate_limited and Retry-After past
// it. Other routes pass untouched.
func (s *Server) publicRate(c *gin.Context) {
	page, limited := s.publicPaths[c.FullPath()]
	if !limited {
		c.Next()
		return
	}
	if ok, wait := s.publicLimiter.Allow(c.ClientIP()); !ok {
		err := publicRateError{wait: wait}
		if pp, isPage := s.cfg.Pages.(PagesWithPublicRoutes); page && isPage {
			c.Header("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
			pp.TooManyRequests(c)
			c.Abort()
			return
		}
		s.problem(c, err)
		return
	}
	c.Next()
}
