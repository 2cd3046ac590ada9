package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod"
)

// maxAttempts bounds how often a transaction that lost a serialization race
// or a deadlock is run again.
const maxAttempts = 8

// Tx is one transaction: the sqlx transaction, the instant that stamps every
// row it writes, and the audit entries it appends when it commits.
type Tx struct {
	*sqlx.Tx
	// Now is read once from the DB's clock when the transaction begins,
	// truncated to the microseconds PostgreSQL keeps.
	Now   time.Time
	audit []Entry
	// target names the record a statement's own audit entry (a
	// StatementAudit, not in audit) wrote: see Wrote.
	target *[2]string
}

// Wrote names the record that a statement of the transaction wrote with its
// own audit entry (StatementAuditSQL), which the transaction's audit list
// does not hold: the idempotency key the transaction records names it, so
// that a retry whose answer was lost learns where the record went.
func (tx *Tx) Wrote(targetType, targetID string) {
	tx.target = &[2]string{targetType, targetID}
}

// Options tune a transaction.
type Options struct {
	// Isolation defaults to READ COMMITTED.
	Isolation sql.IsolationLevel
	ReadOnly  bool
}

// Transact runs fn in a READ COMMITTED transaction; see TransactWith.
func (db *DB) Transact(ctx context.Context, fn func(tx *Tx) error) error {
	return db.TransactWith(ctx, Options{}, fn)
}

// TransactWith runs fn in a transaction and commits it when fn returns nil.
// It rolls back when fn returns an error or panics (the panic goes on), checks
// the commit, and runs fn again from the start after a serialization failure
// or a deadlock. When ctx carries an open idempotency Claim and the
// transaction is not read-only, the key is checked first and recorded in the
// same transaction as fn's change (see claim.go). The audit entries fn recorded are queued just
// before the commit, each a row of its own; the sequencer chains them after
// the commit (sequencer.go).
// Errors come back through MapError.
func (db *DB) TransactWith(ctx context.Context, opts Options, fn func(tx *Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = db.transactOnce(ctx, opts, fn)
		if !IsRetryable(err) {
			return MapError(err)
		}
		backoff := time.Duration(attempt*attempt) * time.Millisecond
		select {
		case <-ctx.Done():
			return MapError(ctx.Err())
		case <-time.After(backoff):
		}
	}
	return fmt.Errorf("transaction still conflicting after %d attempts: %w", maxAttempts, err)
}

func (db *DB) transactOnce(ctx context.Context, opts Options, fn func(tx *Tx) error) (err error) {
	raw, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: opts.Isolation, ReadOnly: opts.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{Tx: raw, Now: db.Now().UTC().Truncate(time.Microsecond)}
	defer func() {
		if p := recover(); p != nil {
			_ = raw.Rollback()
			panic(p)
		}
		if err != nil {
			_ = raw.Rollback()
		}
	}()
	claim := openClaim(ctx)
	if opts.ReadOnly {
		claim = nil
	}
	if claim != nil {
		if err = checkClaim(ctx, tx, claim); err != nil {
			return err
		}
	}
	if err = fn(tx); err != nil {
		return err
	}
	recorded := false
	if claim != nil {
		if recorded, err = recordClaim(ctx, tx, claim); err != nil {
			return err
		}
	}
	for _, e := range tx.audit {
		if err = appendEntry(ctx, tx, e); err != nil {
			return fmt.Errorf("append audit entry: %w", err)
		}
	}
	if err = raw.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	if recorded {
		claim.set(ClaimCommitted)
	}
	if db.ChainOnCommit && !opts.ReadOnly {
		// Committed: a failure to wait is not the transaction's, and must
		// not make TransactWith run it again.
		if err := WaitChained(ctx, db); err != nil {
			return fmt.Errorf("committed, but its audit entries were not chained: %w", taahod.Errorf(taahod.EINTERNAL, "%v", err))
		}
	}
	return nil
}

// Audit records an entry that the transaction appends to the audit chain when
// it commits. The entry's time is the transaction's.
func (tx *Tx) Audit(ctx context.Context, actor taahod.Actor, action, targetType string, targetID any, changes any) {
	tx.audit = append(tx.audit, Entry{
		At:         tx.Now,
		ActorID:    actor.UserKey(),
		ActorName:  actor.Username,
		ActorRole:  string(actor.Role),
		Action:     action,
		TargetType: targetType,
		TargetID:   fmt.Sprint(targetID),
		RequestID:  RequestID(ctx),
		changes:    changes,
	})
}

// NotFound turns sql.ErrNoRows into an ENOTFOUND error naming what was
// looked for; other errors pass through.
func NotFound(err error, what string, id any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return taahod.Errorf(taahod.ENOTFOUND, "%s %v not found", what, id)
	}
	return err
}

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id that audit entries name.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "" when there is none
// (the CLI and the demo loader).
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}
