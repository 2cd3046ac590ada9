package api

import (
	"context"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// healthz answers while the process is up.
func (s *Server) healthz(c *gin.Context) error {
	return ok(c, map[string]string{"status": "ok"})
}

// readyz answers 200 while the database answers, and 503 while it does not;
// the pool reconnects by itself when it comes back.
func (s *Server) readyz(c *gin.Context) error {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.PingContext(ctx); err != nil {
		s.log.WarnContext(c.Request.Context(), "database not ready", "error", err)
		return taahod.Errorf(taahod.EUNAVAILABLE, "the database is not reachable")
	}
	return ok(c, map[string]string{"status": "ready"})
}
