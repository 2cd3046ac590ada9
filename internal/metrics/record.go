package metrics

import (
	"strconv"
	"time"
)

// Request records an answered HTTP request: route is the route's template
// ("/api/v1/expenditures/:id"), "" for a path no route took, so that the
// label's values stay few whatever paths clients send.
func Request(method, route string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	code := strconv.Itoa(status)
	httpRequests.WithLabelValues(method, route, code).Inc()
	httpDuration.WithLabelValues(method, route, code).Observe(took.Seconds())
}

// IdempotencyReplay records a request answered by replaying a stored answer.
func IdempotencyReplay() { idempotencyReplays.Inc() }

// Sign-in outcomes.
const (
	SignInSuccess = "success"
	SignInFailure = "failure"
	SignInRefused = "refused"
)

// SignIn records a sign-in attempt's outcome (SignInSuccess, SignInFailure
// or SignInRefused).
func SignIn(outcome string) { signIns.WithLabelValues(outcome).Inc() }

// Offset run outcomes.
const (
	OffsetPosted    = "posted"
	OffsetUnchanged = "unchanged"
	OffsetFailed    = "failed"
)

// OffsetRun records a unit-year's offset run (OffsetPosted, OffsetUnchanged
// or OffsetFailed).
func OffsetRun(outcome string) { offsetRuns.WithLabelValues(outcome).Inc() }

// CertificateIssued records an issued certificate.
func CertificateIssued() { certificatesIssued.Inc() }

// The outcomes are there from the start, at 0, so that a rate over them
// is defined before the first of each happens.
func init() {
	for _, o := range []string{SignInSuccess, SignInFailure, SignInRefused} {
		signIns.WithLabelValues(o)
	}
	for _, o := range []string{OffsetPosted, OffsetUnchanged, OffsetFailed} {
		offsetRuns.WithLabelValues(o)
	}
}
