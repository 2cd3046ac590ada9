package notify

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// The types of the events that changes publish: the inbox rules and the
// webhooks' event_types name them.
const (
	ExpenditureReviewed    = "expenditure.reviewed"
	ExpenditureReversed    = "expenditure.reversed"
	CertificateIssued      = "certificate.issued"
	CertificateRevoked     = "certificate.revoked"
	SchoolProgressReported = "school.progress_reported"
)

// EventTypes lists the types a webhook may listen for, in the order the
// documentation gives them.
var EventTypes = []string{ExpenditureReviewed, ExpenditureReversed, CertificateIssued, CertificateRevoked, SchoolProgressReported}

// Event is a change that people or other systems hear of.
type Event struct {
	// Type is one of EventTypes.
	Type string
	// UnitID is the unit whose record changed, 0 for none (a school's).
	UnitID int64
	// SubjectType and SubjectID name the record: "expenditure" and its id,
	// "certificate" and its serial, "school" and its id.
	SubjectType string
	SubjectID   any
	// Actor made the change; they are not told of their own change.
	Actor taahod.Actor
	// Resource is the record as the inbox item and the webhook carry it
	// (JSON); the messages read its fields (rules.go).
	Resource map[string]any
}

// Publish writes what e tells in tx, the transaction of the change, so that
// it is told if and only if the change commits: an inbox item for each user
// the rules name, and an event in the outbox with a delivery for each
// enabled webhook endpoint listening for its type. It returns an error only
// when the database refused a write; the change must then roll back.
func Publish(ctx context.Context, tx *database.Tx, e Event) error {
	r, ok := rules[e.Type]
	if !ok {
		return fmt.Errorf("notify: unknown event type %q", e.Type)
	}
	resource, err := json.Marshal(e.Resource)
	if err != nil {
		return fmt.Errorf("notify %s: %w", e.Type, err)
	}
	subject := fmt.Sprint(e.SubjectID)
	recipients, args := r.recipients(e)
	if recipients != "" {
		msg, err := r.message(ctx, tx, e)
		if err != nil {
			return fmt.Errorf("notify %s %s: %w", e.Type, subject, err)
		}
		n := len(args)
		args = append(args, r.rule, e.SubjectType, subject, taahod.Today(tx.Now), msg, r.link(e), string(resource), tx.Now)
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO notifications (user_id, rule, subject_type, subject_id, day, message, link, resource, created_at)
			SELECT r.id, `+typedPlaceholders(n+1)+` FROM (`+recipients+`) r`, args...); err != nil {
			return fmt.Errorf("notify %s %s: inbox: %w", e.Type, subject, err)
		}
	}
	id, err := newEventID()
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `
		WITH listening AS (
			SELECT id FROM webhook_endpoints WHERE NOT disabled AND $2 = ANY (event_types)
		), ev AS (
			INSERT INTO webhook_events (id, type, occurred_at, resource)
			SELECT $1::uuid, $2::text, $3::timestamptz, $4::jsonb WHERE EXISTS (SELECT 1 FROM listening)
			RETURNING id
		)
		INSERT INTO webhook_deliveries (event_id, endpoint_id, next_attempt_at, retry_until, created_at)
		SELECT ev.id, listening.id, $3, $5, $3 FROM ev, listening`,
		id, e.Type, tx.Now, string(resource), tx.Now.Add(RetryWindow)); err != nil {
		return fmt.Errorf("notify %s %s: outbox: %w", e.Type, subject, err)
	}
	return nil
}

// typedPlaceholders writes the placeholders, from $first, of an inbox
// item's columns after user_id, each cast to its column's type.
func typedPlaceholders(first int) string {
	s := ""
	for i, t := range []string{"text", "text", "text", "date", "text", "text", "jsonb", "timestamptz"} {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("$%d::%s", first+i, t)
	}
	return s
}

// newEventID is a random (version 4) UUID: the event's id, which a
// receiver uses to recognise a delivery it has already had.
func newEventID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("event id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
