// Package metrics is what Taahod tells Prometheus about itself: HTTP
// requests, the database pool, idempotency replays, sign-ins, offset runs,
// certificates issued and the Go runtime, served as GET /metrics.
//
// The counters are package-level, so that the domain packages record what
// happens with a plain call (metrics.CertificateIssued()) and never touch a
// registry; each served registry (New) gathers them with the collectors of
// its own database. Another part of the service adds its own collectors
// with Register (from an init function, for collectors of its own) or with
// Metrics.MustRegister (for one that reads a given database): the outbox's
// backlog and delivery failures and the audit sequencer's lag are meant to
// come in this way.
package metrics

import (
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/taahod/taahod/internal/database"
)

// namespace prefixes every metric of the service's own.
const namespace = "taahod"

var (
	httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "http_requests_total",
		Help: "HTTP requests answered, by method, route template (\"unmatched\" for none) and status.",
	}, []string{"method", "route", "status"})
	httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by method, route template and status.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"method", "route", "status"})
	idempotencyReplays = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: "idempotency_replays_total",
		Help: "Requests answered with the stored answer of an earlier request with the same Idempotency-Key.",
	})
	signIns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "sign_ins_total",
		Help: "Sign-in attempts (API and pages) by outcome: success, failure (wrong name or password, disabled user) refused (a sign-in limit was reached) or error (the database failed).",
	}, []string{"outcome"})
	offsetRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "offset_runs_total",
		Help: "Offset runs of a unit-year by outcome: posted (the run added an offset), unchanged (nothing to add) or failed.",
	}, []string{"outcome"})
	certificatesIssued = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: "certificates_issued_total",
		Help: "Offset certificates issued.",
	})
)

// own are the package's collectors, gathered by every registry.
var own = []prometheus.Collector{httpRequests, httpDuration, idempotencyReplays, signIns, offsetRuns, certificatesIssued}

var (
	extraMu sync.Mutex
	extra   []prometheus.Collector
)

// Register adds collectors that every registry made by New afterwards
// gathers: the place for another package's own counters and gauges (call it
// from that package's init). A collector that needs a database of its own
// goes to Metrics.MustRegister instead.
func Register(cs ...prometheus.Collector) {
	extraMu.Lock()
	defer extraMu.Unlock()
	extra = append(extra, cs...)
}

// Metrics is one registry of the service's metrics, served by Handler.
type Metrics struct {
	reg *prometheus.Registry
}

// New makes a registry of the package's metrics, those given to Register,
// the Go runtime's and the process's, and the pool statistics
// (sql.DBStats) of db when it is not nil.
func New(db *database.DB) *Metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	reg.MustRegister(own...)
	extraMu.Lock()
	reg.MustRegister(extra...)
	extraMu.Unlock()
	if db != nil {
		reg.MustRegister(collectors.NewDBStatsCollector(db.DB.DB, "taahod"))
	}
	return &Metrics{reg: reg}
}

// MustRegister adds collectors to this registry; it panics on a name
// already taken, as prometheus.Registry.MustRegister does.
func (m *Metrics) MustRegister(cs ...prometheus.Collector) { m.reg.MustRegister(cs...) }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
