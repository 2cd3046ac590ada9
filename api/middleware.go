package api

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"github.com/taahod/taahod/internal/metrics"
	"log/slog"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

const requestIDHeader = "X-Request-ID"

// A client may send its own request id if it is short and plain.
var clientRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{8,64}$`)

// withRequestID names each request: the client's X-Request-ID when it is
// sane, a random one otherwise. The id goes back in the response, into the
// access log and into audit entries.
func withRequestID(c *gin.Context) {
	id := c.GetHeader(requestIDHeader)
	if !clientRequestID.MatchString(id) {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		id = hex.EncodeToString(b)
	}
	c.Set(requestIDHeader, id)
	c.Header(requestIDHeader, id)
	c.Request = c.Request.WithContext(database.WithRequestID(c.Request.Context(), id))
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(requestIDHeader) }

// recovery turns a panic into a 500 problem document and logs the stack.
func (s *Server) recovery(c *gin.Context) {
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic", slog.String("request_id", requestID(c)), slog.String("panic", fmt.Sprint(p)),
				slog.String("stack", string(debug.Stack())))
			if !c.Writer.Written() {
				s.problem(c, fmt.Errorf("panic: %v", p))
			}
			c.Abort()
		}
	}()
	c.Next()
}

// accessLog writes one structured line per request: never the query string,
// the headers or the body, which may carry tokens, passwords or tax data.
func (s *Server) accessLog(c *gin.Context) {
	start := time.Now()
	c.Next()
	attrs := []slog.Attr{
		slog.String("request_id", requestID(c)),
		slog.String("method", requestMethod(c)),
		slog.String("route", c.FullPath()),
		slog.String("path", c.Request.URL.Path),
		slog.Int("status", c.Writer.Status()),
		slog.Int("bytes", c.Writer.Size()),
		slog.Float64("duration_ms", float64(time.Since(start).Microseconds())/1000),
	}
	if a, ok := actorOf(c); ok {
		attrs = append(attrs, slog.Int64("user_id", a.UserID))
	}
	level := slog.LevelInfo
	if c.Writer.Status() >= 500 {
		level = slog.LevelError
	}
	s.log.LogAttrs(c.Request.Context(), level, "request", attrs...)
	metrics.Request(requestMethod(c), c.FullPath(), c.Writer.Status(), time.Since(start))
}

// JSON bodies are limited to 1 MiB; routes that take files say so.
const defaultBodyLimit = 1 << 20

// pagesLimitTheirOwn marks, in bodyLimits, a route of the pages that
// limits its body itself (PagesWithUploads).
const pagesLimitTheirOwn = -1

// bodyLimit caps the request body: 413 at once when the declared length is
// over the route's limit, and a reader that stops at the limit otherwise.
func (s *Server) bodyLimit(c *gin.Context) {
	limit := int64(defaultBodyLimit)
	if l, ok := s.bodyLimits[c.FullPath()]; ok {
		limit = l
	}
	if limit == pagesLimitTheirOwn {
		c.Next()
		return
	}
	if c.Request.ContentLength > limit {
		s.problem(c, taahod.Errorf(taahod.ETOOLARGE, "the request body is larger than %d bytes", limit))
		return
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, limit)
	c.Next()
}

// noSniff forbids browsers to guess a content type other than the one sent:
// a JSON answer or an uploaded document is never run as a script or shown
// as a page.
func noSniff(c *gin.Context) {
	c.Header("X-Content-Type-Options", "nosniff")
	c.Next()
}
