package main

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/notify"
)

// stateReadTimeout bounds each database read of a scrape: a slow database
// leaves a gauge out of one scrape, not the scrape hung.
const stateReadTimeout = 2 * time.Second

// stateMetrics are the metrics of the service's background work, read when
// scraped: the webhooks' outbox (deliveries pending and given up) and what
// this server's deliverer did, and the audit entries waiting for the
// sequencer with the age of the oldest, which is the lag from a commit to
// the chain.
func stateMetrics(db *database.DB, deliverer *notify.Deliverer) []prometheus.Collector {
	read := func(f func(ctx context.Context) (float64, error)) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), stateReadTimeout)
			defer cancel()
			v, err := f(ctx)
			if err != nil {
				return -1 // a gauge that cannot be read says so, never 0
			}
			return v
		}
	}
	count := func(f func(context.Context, *database.DB) (int64, error)) func(ctx context.Context) (float64, error) {
		return func(ctx context.Context) (float64, error) {
			n, err := f(ctx, db)
			return float64(n), err
		}
	}
	queue := func(pick func(database.QueueState) float64) func(ctx context.Context) (float64, error) {
		return func(ctx context.Context) (float64, error) {
			q, err := database.AuditQueue(ctx, db)
			return pick(q), err
		}
	}
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "taahod_webhook_backlog",
			Help: "Webhook deliveries pending (the outbox's backlog); -1 when it cannot be read."},
			read(count(notify.Backlog))),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "taahod_webhook_deliveries_failed",
			Help: "Webhook deliveries given up after a day of attempts; -1 when it cannot be read."},
			read(count(notify.FailedDeliveries))),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "taahod_webhook_attempts_failed_total",
			Help: "Webhook delivery attempts of this server that failed."},
			func() float64 { return float64(deliverer.Stats().FailedAttempts) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "taahod_webhook_delivered_total",
			Help: "Webhook events this server delivered."},
			func() float64 { return float64(deliverer.Stats().Delivered) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "taahod_audit_queue_entries",
			Help: "Audit entries committed and waiting for the sequencer; -1 when it cannot be read."},
			read(queue(func(q database.QueueState) float64 { return float64(q.Entries) }))),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "taahod_audit_queue_oldest_seconds",
			Help: "Age of the oldest audit entry waiting for the sequencer (the lag to the chain); -1 when it cannot be read."},
			read(queue(func(q database.QueueState) float64 { return q.Oldest.Seconds() }))),
	}
}
