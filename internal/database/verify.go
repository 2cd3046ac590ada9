package database

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Finding is one break that a verification found: which check, which record,
// and what is wrong.
type Finding struct {
	Check   string
	Subject string
	Problem string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s", f.Check, f.Subject, f.Problem)
}

// maxAuditFindings bounds what VerifyAudit reports: one tampered row is
// enough to act, and a chain cut early would otherwise flood the output.
const maxAuditFindings = 50

// VerifyAudit walks the audit chain in sequence order and reports every row
// whose content no longer matches its hash, whose link does not match the row
// before it, or whose sequence number skips; a tip that does not match the
// last row; and entries queued for longer than MaxQueued (not chained yet:
// see sequencer.go). It returns the number of chained rows read.
func VerifyAudit(ctx context.Context, db *DB) (int64, []Finding, error) {
	// The rows and the tip are read in one snapshot: a sequencer chaining
	// entries between the two reads would otherwise show a tip past the
	// last row read, a break that is not there.
	tx, err := db.BeginTxx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return 0, nil, fmt.Errorf("read audit log: %w", err)
	}
	defer tx.Rollback() // read-only: nothing to keep
	rows, err := tx.QueryxContext(ctx, `
		SELECT seq, at, actor_id, actor_name, actor_role, action, target_type, target_id,
		       request_id, changes, prev_hash, hash
		  FROM audit_log ORDER BY seq`)
	if err != nil {
		return 0, nil, fmt.Errorf("read audit log: %w", err)
	}
	defer rows.Close()
	var (
		findings []Finding
		n        int64
		lastSeq  int64
		lastHash = make([]byte, 32)
	)
	report := func(seq int64, format string, args ...any) {
		if len(findings) < maxAuditFindings {
			findings = append(findings, Finding{Check: "audit chain", Subject: fmt.Sprintf("audit row %d", seq), Problem: fmt.Sprintf(format, args...)})
		}
	}
	for rows.Next() {
		var e Entry
		if err := rows.StructScan(&e); err != nil {
			return n, findings, fmt.Errorf("scan audit row: %w", err)
		}
		n++
		if e.Seq != lastSeq+1 {
			report(e.Seq, "follows row %d: rows %d to %d are missing or reordered", lastSeq, lastSeq+1, e.Seq-1)
		}
		if !bytes.Equal(e.PrevHash, lastHash) {
			report(e.Seq, "its link does not match the hash of the row before it (a row was removed, inserted or reordered)")
		}
		if !bytes.Equal(ChainHash(e.PrevHash, e.Content()), e.Hash) {
			report(e.Seq, "its content does not match its hash (the row was changed behind the application's back)")
		}
		lastSeq, lastHash = e.Seq, e.Hash
	}
	if err := rows.Err(); err != nil {
		return n, findings, fmt.Errorf("read audit log: %w", err)
	}
	var tip struct {
		Seq  int64  `db:"seq"`
		Hash []byte `db:"hash"`
	}
	if err := tx.GetContext(ctx, &tip, `SELECT seq, hash FROM audit_head WHERE singleton`); err != nil {
		return n, findings, fmt.Errorf("read audit tip: %w", err)
	}
	if tip.Seq != lastSeq || !bytes.Equal(tip.Hash, lastHash) {
		findings = append(findings, Finding{Check: "audit chain", Subject: "audit tip",
			Problem: fmt.Sprintf("the tip names row %d but the last row is %d, or their hashes differ (rows were removed from the end)", tip.Seq, lastSeq)})
	}
	q, err := AuditQueue(ctx, db)
	if err != nil {
		return n, findings, err
	}
	if q.Oldest > MaxQueued {
		findings = append(findings, Finding{Check: "audit chain", Subject: "audit queue",
			Problem: fmt.Sprintf("%d entries wait to be chained, the oldest for %s: no server is chaining (start taahod serve) or a transaction has been open that long",
				q.Entries, q.Oldest.Round(time.Second))})
	}
	return n, findings, nil
}

// MaxQueued is how long an audit entry may wait to be chained before
// VerifyAudit reports it: the sequencer chains within about a second, so an
// older entry means that no server runs one, or that a transaction has been
// open that long and holds the chain back (see sequencer.go).
const MaxQueued = time.Minute

// QueueState is what waits to be chained: how many entries, and how long
// the oldest has waited (0 when none).
type QueueState struct {
	Entries int64
	Oldest  time.Duration
}

// AuditQueue reports the audit entries that wait to be chained.
func AuditQueue(ctx context.Context, db *DB) (QueueState, error) {
	var q struct {
		N   int64   `db:"n"`
		Age float64 `db:"age"`
	}
	err := db.GetContext(ctx, &q, `
		SELECT count(*) AS n, coalesce(extract(epoch FROM clock_timestamp() - min(queued_at)), 0)::float8 AS age
		  FROM audit_queue`)
	if err != nil {
		return QueueState{}, fmt.Errorf("read audit queue: %w", err)
	}
	return QueueState{Entries: q.N, Oldest: time.Duration(q.Age * float64(time.Second))}, nil
}
