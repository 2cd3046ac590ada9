package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// Endpoint is a registered webhook endpoint, without its secret.
type Endpoint struct {
	ID          int64          `db:"id" json:"id"`
	URL         string         `db:"url" json:"url"`
	EventTypes  pq.StringArray `db:"event_types" json:"event_types"`
	Description *string        `db:"description" json:"description"`
	Disabled    bool           `db:"disabled" json:"disabled"`
	CreatedAt   time.Time      `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time      `db:"updated_at" json:"updated_at"`
	// Pending and Failed count its deliveries in those states.
	Pending int `db:"pending" json:"pending"`
	Failed  int `db:"failed" json:"failed"`

	CreatedAtJalali string `db:"-" json:"created_at_jalali"`
	UpdatedAtJalali string `db:"-" json:"updated_at_jalali"`
}

func (e *Endpoint) fillJalali() {
	e.CreatedAtJalali, e.UpdatedAtJalali = taahod.JalaliTime(e.CreatedAt), taahod.JalaliTime(e.UpdatedAt)
}

// NewEndpoint is what an administrator registers. An empty Secret is
// made up (32 random bytes, hex).
type NewEndpoint struct {
	URL         string   `json:"url"`
	EventTypes  []string `json:"event_types"`
	Secret      string   `json:"secret"`
	Description *string  `json:"description"`
}

// EndpointPatch changes an endpoint; nil fields stay.
type EndpointPatch struct {
	URL         *string  `json:"url"`
	EventTypes  []string `json:"event_types"`
	Description *string  `json:"description"`
	Disabled    *bool    `json:"disabled"`
}

func checkURL(p *taahod.Problems, s string) {
	u, err := url.Parse(s)
	switch {
	case s == "":
		p.Add("url", "required", "give the endpoint's URL")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > 2000:
		p.Add("url", "invalid_url", "the URL must be an absolute http:// or https:// URL of at most 2000 characters")
	case u.User != nil:
		p.Add("url", "invalid_url", "the URL must not carry a user name or password: the signature authenticates the deliveries")
	}
}

func checkEventTypes(p *taahod.Problems, types []string) {
	if len(types) == 0 {
		p.Add("event_types", "required", "name at least one event type: "+strings.Join(EventTypes, ", "))
		return
	}
	for _, t := range types {
		if !slices.Contains(EventTypes, t) {
			p.Add("event_types", "invalid_choice", "unknown event type "+t+": the types are "+strings.Join(EventTypes, ", "))
			return
		}
	}
}

func checkDescription(p *taahod.Problems, d *string) {
	if d != nil && (!utf8.ValidString(*d) || utf8.RuneCountInString(*d) > 500) {
		p.Add("description", "too_long", "the description has at most 500 characters")
	}
}

// Validate checks the fields and makes up a secret when none was given.
func (n *NewEndpoint) Validate() error {
	var p taahod.Problems
	checkURL(&p, n.URL)
	checkEventTypes(&p, n.EventTypes)
	checkDescription(&p, n.Description)
	switch {
	case n.Secret == "":
		b := make([]byte, 32)
		if _, err := rand.Read(b); err != nil {
			return err
		}
		n.Secret = hex.EncodeToString(b)
	case len(n.Secret) < 16 || len(n.Secret) > 200 || strings.TrimSpace(n.Secret) != n.Secret || !utf8.ValidString(n.Secret):
		p.Add("secret", "invalid_secret", "the secret has 16 to 200 characters and no surrounding spaces")
	}
	return p.Err()
}

// Webhooks keeps the endpoints and shows their deliveries.
type Webhooks struct {
	DB *database.DB
}

const endpointColumns = `e.id, e.url, e.event_types, e.description, e.disabled, e.created_at, e.updated_at,
	(SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'pending') AS pending,
	(SELECT count(*) FROM webhook_deliveries d WHERE d.endpoint_id = e.id AND d.status = 'failed') AS failed`

// Create registers an endpoint and returns it with its secret, which is
// never shown again. It returns EINVALID for a bad field.
func (w Webhooks) Create(ctx context.Context, actor taahod.Actor, n NewEndpoint) (Endpoint, string, error) {
	if err := n.Validate(); err != nil {
		return Endpoint{}, "", err
	}
	var e Endpoint
	err := w.DB.Transact(ctx, func(tx *database.Tx) error {
		var id int64
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO webhook_endpoints (url, event_types, secret, description, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
			n.URL, pq.Array(n.EventTypes), n.Secret, n.Description, actorRef(actor), tx.Now); err != nil {
			return err
		}
		// The audit names the endpoint, never its secret.
		tx.Audit(ctx, actor, "webhook.create", "webhook_endpoint", id, map[string]any{
			"url": n.URL, "event_types": n.EventTypes, "description": n.Description,
		})
		var err error
		e, err = getEndpoint(ctx, tx, id)
		return err
	})
	return e, n.Secret, err
}

// Update changes an endpoint. It returns ENOTFOUND for an unknown one and
// EINVALID for a bad field.
func (w Webhooks) Update(ctx context.Context, actor taahod.Actor, id int64, patch EndpointPatch) (Endpoint, error) {
	var p taahod.Problems
	if patch.URL != nil {
		checkURL(&p, *patch.URL)
	}
	if patch.EventTypes != nil {
		checkEventTypes(&p, patch.EventTypes)
	}
	checkDescription(&p, patch.Description)
	if err := p.Err(); err != nil {
		return Endpoint{}, err
	}
	var e Endpoint
	err := w.DB.Transact(ctx, func(tx *database.Tx) error {
		var types any
		if patch.EventTypes != nil {
			types = pq.Array(patch.EventTypes)
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE webhook_endpoints SET url = COALESCE($2, url), event_types = COALESCE($3, event_types),
			       description = COALESCE($4, description), disabled = COALESCE($5, disabled), updated_at = $6
			 WHERE id = $1`, id, patch.URL, types, patch.Description, patch.Disabled, tx.Now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return taahod.Errorf(taahod.ENOTFOUND, "webhook endpoint %d not found", id)
		}
		tx.Audit(ctx, actor, "webhook.update", "webhook_endpoint", id, map[string]any{
			"url": patch.URL, "event_types": patch.EventTypes, "description": patch.Description, "disabled": patch.Disabled,
		})
		e, err = getEndpoint(ctx, tx, id)
		return err
	})
	return e, err
}

// Get returns an endpoint; ENOTFOUND for an unknown one.
func (w Webhooks) Get(ctx context.Context, id int64) (Endpoint, error) {
	e, err := getEndpoint(ctx, w.DB, id)
	return e, database.MapError(err)
}

func getEndpoint(ctx context.Context, q interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}, id int64) (Endpoint, error) {
	var e Endpoint
	err := q.GetContext(ctx, &e, `SELECT `+endpointColumns+` FROM webhook_endpoints e WHERE e.id = $1`, id)
	e.fillJalali()
	return e, database.NotFound(err, "webhook endpoint", id)
}

// List returns the endpoints by id, after afterID, at most limit.
func (w Webhooks) List(ctx context.Context, afterID int64, limit int) ([]Endpoint, error) {
	var out []Endpoint
	err := w.DB.SelectContext(ctx, &out, `SELECT `+endpointColumns+` FROM webhook_endpoints e WHERE e.id > $1 ORDER BY e.id LIMIT $2`, afterID, limit)
	for i := range out {
		out[i].fillJalali()
	}
	return out, database.MapError(err)
}

// Delivery is one event's delivery to one endpoint, with the last
// attempt's answer.
type Delivery struct {
	ID            int64      `db:"id" json:"id"`
	EventID       string     `db:"event_id" json:"event_id"`
	EventType     string     `db:"event_type" json:"event_type"`
	Status        string     `db:"status" json:"status"`
	Attempts      int        `db:"attempts" json:"attempts"`
	CreatedAt     time.Time  `db:"created_at" json:"created_at"`
	NextAttemptAt *time.Time `db:"next_attempt_at" json:"next_attempt_at"`
	LastAttemptAt *time.Time `db:"last_attempt_at" json:"last_attempt_at"`
	LastStatus    *int       `db:"last_status" json:"last_status"`
	LastResponse  *string    `db:"last_response" json:"last_response"`
	LastError     *string    `db:"last_error" json:"last_error"`
	FinishedAt    *time.Time `db:"finished_at" json:"finished_at"`

	CreatedAtJalali     string  `db:"-" json:"created_at_jalali"`
	NextAttemptAtJalali *string `db:"-" json:"next_attempt_at_jalali"`
	LastAttemptAtJalali *string `db:"-" json:"last_attempt_at_jalali"`
	FinishedAtJalali    *string `db:"-" json:"finished_at_jalali"`
}

// Deliveries lists an endpoint's deliveries, newest first, before
// beforeID when it is not 0, in status when it is not "", at most limit.
// It returns ENOTFOUND for an unknown endpoint.
func (w Webhooks) Deliveries(ctx context.Context, endpointID int64, status string, beforeID int64, limit int) ([]Delivery, error) {
	if _, err := w.Get(ctx, endpointID); err != nil {
		return nil, err
	}
	var out []Delivery
	err := w.DB.SelectContext(ctx, &out, `
		SELECT d.id, d.event_id, ev.type AS event_type, d.status, d.attempts, d.created_at,
		       CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS next_attempt_at,
		       d.last_attempt_at, d.last_status, d.last_response, d.last_error, d.finished_at
		  FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
		 WHERE d.endpoint_id = $1 AND ($2 = '' OR d.status = $2) AND ($3 = 0 OR d.id < $3)
		 ORDER BY d.id DESC LIMIT $4`, endpointID, status, beforeID, limit)
	for i := range out {
		d := &out[i]
		d.CreatedAtJalali = taahod.JalaliTime(d.CreatedAt)
		d.NextAttemptAtJalali = taahod.JalaliTimePtr(d.NextAttemptAt)
		d.LastAttemptAtJalali = taahod.JalaliTimePtr(d.LastAttemptAt)
		d.FinishedAtJalali = taahod.JalaliTimePtr(d.FinishedAt)
	}
	return out, database.MapError(err)
}

// Retry puts a failed delivery back in the queue, to be sent at once and
// for another day. It returns ENOTFOUND for a delivery not of the endpoint
// and ECONFLICT for one that has not failed.
func (w Webhooks) Retry(ctx context.Context, actor taahod.Actor, endpointID, deliveryID int64) error {
	return w.DB.Transact(ctx, func(tx *database.Tx) error {
		var status string
		err := tx.GetContext(ctx, &status, `SELECT status FROM webhook_deliveries WHERE id = $1 AND endpoint_id = $2 FOR UPDATE`, deliveryID, endpointID)
		if err = database.NotFound(err, "delivery", deliveryID); err != nil {
			return err
		}
		if status != "failed" {
			return taahod.Errorf(taahod.ECONFLICT, "delivery %d is %s: only a failed delivery is retried", deliveryID, status)
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE webhook_deliveries SET status = 'pending', finished_at = NULL, next_attempt_at = $2, retry_until = $3
			 WHERE id = $1`, deliveryID, tx.Now, tx.Now.Add(RetryWindow)); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "webhook.retry", "webhook_delivery", deliveryID, map[string]any{"endpoint_id": endpointID})
		return nil
	})
}

func actorRef(a taahod.Actor) *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}
