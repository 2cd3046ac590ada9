package database

import (
	"bytes"
	"context"
	"fmt"
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
// before it, or whose sequence number skips; and a tip that does not match
// the last row. It returns the number of rows read.
func VerifyAudit(ctx context.Context, db *DB) (int64, []Finding, error) {
	rows, err := db.QueryxContext(ctx, `
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
	if err := db.GetContext(ctx, &tip, `SELECT seq, hash FROM audit_head WHERE singleton`); err != nil {
		return n, findings, fmt.Errorf("read audit tip: %w", err)
	}
	if tip.Seq != lastSeq || !bytes.Equal(tip.Hash, lastHash) {
		findings = append(findings, Finding{Check: "audit chain", Subject: "audit tip",
			Problem: fmt.Sprintf("the tip names row %d but the last row is %d, or their hashes differ (rows were removed from the end)", tip.Seq, lastSeq)})
	}
	return n, findings, nil
}
