package api

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/ratelimit"
)

// TestPublicRateLimit holds one client address to the public rate across
// the public routes (which share its budget), with 429 rate_limited and
// Retry-After past it, and leaves other addresses and the signed-in routes
// alone. Issue 12, item 8's rate limit.
func TestPublicRateLimit(t *testing.T) {
	e := newEnvWithConfig(t, func(c *Config) {
		c.PublicRate = 6
		c.TrustedProxies = []string{"127.0.0.1"}
	})
	token := e.userToken("aud1", taahod.RoleAuditor)
	const walker = "198.51.100.7"
	paths := []string{"/api/v1/verify/QZV-1404-000001", "/api/v1/verify/QZV-1404-000002", "/v/QZV-1404-000003",
		"/api/v1/public/registry?year=1404", "/api/v1/verify/key", "/api/v1/public/registry/rows?year=1404&figure=sessions_held"}
	for _, path := range paths {
		if r := e.do("GET", path, "", nil, "X-Forwarded-For", walker); r.status == http.StatusTooManyRequests {
			t.Fatalf("%s within the rate: %d %s", path, r.status, r.body)
		}
	}
	for _, path := range []string{"/api/v1/verify/QZV-1404-000004", "/v/QZV-1404-000004", "/api/v1/public/registry.pdf?year=1404"} {
		r := e.do("GET", path, "", nil, "X-Forwarded-For", walker)
		if r.status != http.StatusTooManyRequests || r.problemCode() != taahod.ERATELIMITED {
			t.Fatalf("%s past the rate: %d %s", path, r.status, r.body)
		}
		if s, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
			t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
		}
	}
	if r := e.do("GET", "/api/v1/verify/QZV-1404-000004", "", nil, "X-Forwarded-For", "203.0.113.9"); r.status == http.StatusTooManyRequests {
		t.Fatalf("another address was limited: %d", r.status)
	}
	if r := e.do("GET", "/api/v1/audit", token, nil, "X-Forwarded-For", walker); r.status != http.StatusOK {
		t.Fatalf("a signed-in route was limited: %d %s", r.status, r.body)
	}
}

// TestPublicRateDefault checks the generous default: ratelimit's per minute,
// and no more, from one address.
func TestPublicRateDefault(t *testing.T) {
	e := newEnv(t)
	for i := range ratelimit.DefaultPerMinute {
		if r := e.do("GET", "/api/v1/verify/QZV-1404-000001", "", nil); r.status != http.StatusNotFound {
			t.Fatalf("request %d: %d %s", i+1, r.status, r.body)
		}
	}
	if r := e.do("GET", "/api/v1/verify/QZV-1404-000001", "", nil); r.status != http.StatusTooManyRequests {
		t.Fatalf("past the default rate: %d", r.status)
	}
}
