package notify

import (
	"context"

	"github.com/taahod/taahod/internal/database"
)

// Backlog counts the deliveries waiting to be sent (pending), whatever
// their next attempt: the outbox's backlog, for the metrics.
func Backlog(ctx context.Context, db *database.DB) (int64, error) {
	var n int64
	err := db.GetContext(ctx, &n, `SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'`)
	return n, database.MapError(err)
}

// FailedDeliveries counts the deliveries given up after the retry window,
// which an administrator may retry, for the metrics.
func FailedDeliveries(ctx context.Context, db *database.DB) (int64, error) {
	var n int64
	err := db.GetContext(ctx, &n, `SELECT count(*) FROM webhook_deliveries WHERE status = 'failed'`)
	return n, database.MapError(err)
}
