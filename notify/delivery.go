package notify

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/taahod/taahod/internal/database"
)

// RetryWindow is how long a delivery is retried before it is marked
// failed.
const RetryWindow = 24 * time.Hour

// Backoff is the wait after the n-th failed attempt (n ≥ 1): 30 seconds,
// doubling, at most an hour — some thirty attempts in a day.
func Backoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// maxResponse is how much of a receiver's answer a delivery keeps.
const maxResponse = 2048

// Deliverer sends the outbox's deliveries to the endpoints. Several may run
// at once, in one process or in several: each delivery is sent inside a
// transaction that holds its row (FOR UPDATE SKIP LOCKED) until the attempt
// is recorded, so no two send one delivery at once; a delivery whose
// attempt was cut short (the process died) is sent again: at least once.
type Deliverer struct {
	DB  *database.DB
	Log *slog.Logger
	// Client sends the requests; nil is a client with a 10-second timeout
	// that follows no redirect (a redirect is a failed attempt).
	Client *http.Client
	// Now is the clock of the attempts and the back-off; nil is time.Now.
	Now func() time.Time
	// Backoff is the wait after the n-th failed attempt; nil is Backoff.
	Backoff func(n int) time.Duration

	delivered, failedAttempts, gaveUp atomic.Int64
}

// DeliveryStats counts what a Deliverer did since it started, for the
// metrics.
type DeliveryStats struct {
	Delivered      int64 // deliveries a receiver accepted
	FailedAttempts int64 // attempts that failed (and will be retried or given up)
	GaveUp         int64 // deliveries marked failed after the retry window
}

// Stats returns the counts of what d did.
func (d *Deliverer) Stats() DeliveryStats {
	return DeliveryStats{Delivered: d.delivered.Load(), FailedAttempts: d.failedAttempts.Load(), GaveUp: d.gaveUp.Load()}
}

func (d *Deliverer) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

var defaultClient = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// Body is the JSON a delivery posts.
type Body struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Time     time.Time       `json:"time"`
	Resource json.RawMessage `json:"resource"`
}

// DeliverOne sends one delivery that is due, if there is one, and records
// the attempt; it reports whether there was one. An attempt that fails is
// not an error: it is recorded and retried after the back-off, or, past
// the retry window, the delivery is marked failed.
func (d *Deliverer) DeliverOne(ctx context.Context) (bool, error) {
	tx, err := d.DB.BeginTxx(ctx, nil)
	if err != nil {
		return false, database.MapError(err)
	}
	defer func() { _ = tx.Rollback() }()
	now := d.now()
	var job struct {
		ID         int64     `db:"id"`
		EventID    string    `db:"event_id"`
		EndpointID int64     `db:"endpoint_id"`
		Attempts   int       `db:"attempts"`
		RetryUntil time.Time `db:"retry_until"`
		Type       string    `db:"type"`
		At         time.Time `db:"occurred_at"`
		Resource   []byte    `db:"resource"`
		URL        string    `db:"url"`
		Secret     string    `db:"secret"`
	}
	err = tx.GetContext(ctx, &job, `
		SELECT d.id, d.event_id, d.endpoint_id, d.attempts, d.retry_until, ev.type, ev.occurred_at, ev.resource, w.url, w.secret
		  FROM webhook_deliveries d
		  JOIN webhook_events ev ON ev.id = d.event_id
		  JOIN webhook_endpoints w ON w.id = d.endpoint_id
		 WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND NOT w.disabled
		 ORDER BY d.next_attempt_at, d.id
		 LIMIT 1
		   FOR UPDATE OF d SKIP LOCKED`, now)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, database.MapError(err)
	}
	body, err := json.Marshal(Body{ID: job.EventID, Type: job.Type, Time: job.At.UTC(), Resource: job.Resource})
	if err != nil {
		return false, err
	}
	status, answer, sendErr := d.send(ctx, job.URL, job.Secret, body, now)
	attempt := job.Attempts + 1
	var errText *string
	if sendErr != nil {
		s := sendErr.Error()
		errText = &s
	}
	switch {
	case sendErr == nil && status >= 200 && status < 300:
		_, err = tx.ExecContext(ctx, `
			UPDATE webhook_deliveries SET status = 'delivered', attempts = $2, last_attempt_at = $3, last_status = $4,
			       last_response = $5, last_error = NULL, finished_at = $3
			 WHERE id = $1`, job.ID, attempt, now, status, answer)
		d.delivered.Add(1)
	case !now.Before(job.RetryUntil):
		_, err = tx.ExecContext(ctx, `
			UPDATE webhook_deliveries SET status = 'failed', attempts = $2, last_attempt_at = $3, last_status = $4,
			       last_response = $5, last_error = $6, finished_at = $3
			 WHERE id = $1`, job.ID, attempt, now, nullStatus(status), answer, errText)
		d.failedAttempts.Add(1)
		d.gaveUp.Add(1)
		d.log().Warn("webhook delivery failed for good", "delivery", job.ID, "event", job.EventID,
			"endpoint", job.EndpointID, "attempts", attempt, "status", status)
	default:
		wait := Backoff
		if d.Backoff != nil {
			wait = d.Backoff
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE webhook_deliveries SET attempts = $2, last_attempt_at = $3, last_status = $4, last_response = $5,
			       last_error = $6, next_attempt_at = $7
			 WHERE id = $1`, job.ID, attempt, now, nullStatus(status), answer, errText, now.Add(wait(attempt)))
		d.failedAttempts.Add(1)
	}
	if err != nil {
		return true, fmt.Errorf("record the attempt of delivery %d: %w", job.ID, database.MapError(err))
	}
	if err := tx.Commit(); err != nil {
		return true, fmt.Errorf("record the attempt of delivery %d: %w", job.ID, database.MapError(err))
	}
	return true, nil
}

func nullStatus(s int) *int {
	if s == 0 {
		return nil
	}
	return &s
}

// send posts body to url, signed, and returns the answer's status and the
// start of its body; an error when no answer came. The URL and the error
// are the endpoint's own; the secret is never written anywhere but the
// signature.
func (d *Deliverer) send(ctx context.Context, url, secret string, body []byte, now time.Time) (int, *string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Taahod-Webhooks/1")
	req.Header.Set(SignatureHeader, Sign(secret, now, body))
	client := d.Client
	if client == nil {
		client = defaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(res.Body, maxResponse))
	answer := string(bytes.ToValidUTF8(bytes.ReplaceAll(raw, []byte{0}, nil), nil))
	return res.StatusCode, &answer, nil
}

func (d *Deliverer) log() *slog.Logger {
	if d.Log != nil {
		return d.Log
	}
	return slog.Default()
}

// Run delivers what is due until ctx ends, looking again every poll when
// nothing is due.
func (d *Deliverer) Run(ctx context.Context, poll time.Duration) {
	for {
		did, err := d.DeliverOne(ctx)
		if err != nil && ctx.Err() == nil {
			d.log().Error("webhook delivery", "err", err)
		}
		if did && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(poll):
		}
	}
}
