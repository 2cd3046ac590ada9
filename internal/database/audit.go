package database

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/taahod/taahod"
)

// Entry is one row of the audit chain: who did what to which record, in
// which request, and a canonical JSON of what changed.
type Entry struct {
	Seq        int64     `db:"seq" json:"seq"`
	At         time.Time `db:"at" json:"at"`
	ActorID    *int64    `db:"actor_id" json:"actor_id"`
	ActorName  string    `db:"actor_name" json:"actor_name"`
	ActorRole  string    `db:"actor_role" json:"actor_role"`
	Action     string    `db:"action" json:"action"`
	TargetType string    `db:"target_type" json:"target_type"`
	TargetID   string    `db:"target_id" json:"target_id"`
	RequestID  string    `db:"request_id" json:"request_id"`
	Changes    string    `db:"changes" json:"changes"`
	PrevHash   []byte    `db:"prev_hash" json:"-"`
	Hash       []byte    `db:"hash" json:"-"`

	changes any // what Audit was given, made canonical on append
}

// atLayout renders the entry's time with a fixed number of digits, so that the
// text hashed at append time and the text rebuilt by Verify are the same.
const atLayout = "2006-01-02T15:04:05.000000Z"

// Content is the canonical text an entry's hash covers (after the previous
// entry's hash): every column but the sequence number and the hashes, as
// JSON with sorted keys. The sequence is covered by the chain itself.
func (e *Entry) Content() string {
	var b bytes.Buffer
	b.WriteString(`{"action":`)
	writeJSONString(&b, e.Action)
	b.WriteString(`,"actor_id":`)
	if e.ActorID == nil {
		b.WriteString("null")
	} else {
		b.WriteString(strconv.FormatInt(*e.ActorID, 10))
	}
	b.WriteString(`,"actor_name":`)
	writeJSONString(&b, e.ActorName)
	b.WriteString(`,"actor_role":`)
	writeJSONString(&b, e.ActorRole)
	b.WriteString(`,"at":`)
	writeJSONString(&b, e.At.UTC().Format(atLayout))
	b.WriteString(`,"changes":`)
	b.WriteString(e.Changes)
	b.WriteString(`,"request_id":`)
	writeJSONString(&b, e.RequestID)
	b.WriteString(`,"target_id":`)
	writeJSONString(&b, e.TargetID)
	b.WriteString(`,"target_type":`)
	writeJSONString(&b, e.TargetType)
	b.WriteString("}")
	return b.String()
}

// ChainHash is the hash of an entry: SHA-256 over the previous entry's hash
// followed by the entry's content.
func ChainHash(prev []byte, content string) []byte {
	h := sha256.New()
	h.Write(prev)
	h.Write([]byte(content))
	return h.Sum(nil)
}

func writeJSONString(b *bytes.Buffer, s string) {
	out, _ := json.Marshal(s) // marshalling a string cannot fail
	b.Write(out)
}

// Canonical is an audit entry's changes already written in the canonical
// form CanonicalJSON gives (compact, object keys sorted at every level), such
// as the json.Marshal of a struct whose fields are in key order. Audit and
// NewStatementAudit take it as it is, sparing a hot path the decoding and
// re-encoding that canonicalising costs.
type Canonical []byte

// CanonicalJSON renders v as compact JSON with object keys sorted at every
// level and numbers kept as written. A Canonical value is returned as it is.
func CanonicalJSON(v any) (string, error) {
	if c, ok := v.(Canonical); ok {
		return string(c), nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return "", err
	}
	out, err := json.Marshal(generic) // maps marshal with sorted keys
	return string(out), err
}

// appendEntry queues e for the chain: one row of audit_queue of its own,
// stamped with the transaction's id, which no other writer touches. The
// sequencer (sequencer.go) chains it once the transaction has committed.
func appendEntry(ctx context.Context, tx *Tx, e Entry) error {
	changes, err := CanonicalJSON(e.changes)
	if err != nil {
		return fmt.Errorf("audit changes of %s %s: %w", e.TargetType, e.TargetID, err)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO audit_queue (at, actor_id, actor_name, actor_role, action, target_type,
		                         target_id, request_id, changes)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.At, e.ActorID, e.ActorName, e.ActorRole, e.Action, e.TargetType,
		e.TargetID, e.RequestID, changes)
	return err
}

// StatementAudit is an audit entry queued by the very statement that makes
// the change. It serves the hot paths that run as one autocommitted statement
// (and so have no Tx to call Audit on) and whose target id is known only
// inside that statement, as the id of the row it inserts. The entry, and so
// its hash and its place in the chain once the sequencer has chained it, are
// exactly those Tx.Audit would give it.
type StatementAudit struct {
	e Entry
}

// NewStatementAudit prepares the entry of a change by actor at the instant at
// (truncated to microseconds, as a Tx's Now is), with the request id of ctx.
func NewStatementAudit(ctx context.Context, actor taahod.Actor, at time.Time, action, targetType string, changes any) (StatementAudit, error) {
	e := Entry{
		At:         at.UTC().Truncate(time.Microsecond),
		ActorID:    actor.UserKey(),
		ActorName:  actor.Username,
		ActorRole:  string(actor.Role),
		Action:     action,
		TargetType: targetType,
		RequestID:  RequestID(ctx),
	}
	var err error
	if e.Changes, err = CanonicalJSON(changes); err != nil {
		return StatementAudit{}, fmt.Errorf("audit changes of %s: %w", targetType, err)
	}
	return StatementAudit{e: e}, nil
}

// StatementAuditSQL returns a common table expression, audit_row, that
// queues a StatementAudit's entry inside a larger statement (put it after
// that statement's own CTEs, after a comma). idQuery is a scalar subquery
// giving the target id as text, such as "(SELECT id::text FROM ins)"; when it
// yields no row nothing is queued. The CTE uses the placeholders $first to
// $first+StatementAuditArgs-1, whose values Args gives in order.
//
// The entry is a row of its own (audit_queue): the statement locks nothing
// that another writer needs, and the entry joins the chain when the
// sequencer finds its transaction committed.
func StatementAuditSQL(idQuery string, first int) string {
	p := func(i int) string { return "$" + strconv.Itoa(first+i) }
	return `audit_row AS (
		INSERT INTO audit_queue (at, actor_id, actor_name, actor_role, action, target_type,
		                         target_id, request_id, changes)
		SELECT ` + p(0) + `::timestamptz, ` + p(1) + `::bigint, ` + p(2) + `::text, ` + p(3) + `::text, ` +
		p(4) + `::text, ` + p(5) + `::text, ` + idQuery + `, ` + p(6) + `::text, ` + p(7) + `::text
		 WHERE ` + idQuery + ` IS NOT NULL
	)`
}

// StatementAuditArgs is how many placeholders StatementAuditSQL uses.
const StatementAuditArgs = 8

// Args returns the values of the placeholders of StatementAuditSQL.
func (a StatementAudit) Args() []any {
	return []any{a.e.At, a.e.ActorID, a.e.ActorName, a.e.ActorRole,
		a.e.Action, a.e.TargetType, a.e.RequestID, a.e.Changes}
}
