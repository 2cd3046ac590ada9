package database

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/taahod/taahod"
)

// A checkpoint is the audit chain's head — the last chained entry's seq and
// hash — signed at a time with the service's Ed25519 key (the one that signs
// certificates), stored in audit_checkpoints and published. The hash of
// entry seq covers every entry before it, so a checkpoint vouches for the
// whole chain up to seq: someone who rewrites an entry and recomputes every
// hash after it cannot also sign the new head, and whoever saved a
// checkpoint before the rewrite sees the chain contradict it
// (VerifyCheckpoints).
//
// The signed text is one key=value line per field, each ending in "\n":
//
//	taahod-audit-checkpoint-v1
//	seq=1234
//	hash=<64 lowercase hex digits>
//	signed_at=2026-12-06T15:20:00.123456Z
//
// Its first line keeps it apart from everything else the key signs:
// certificate payloads begin with "taahod-certificate-v1", so no
// certificate's signature is a checkpoint's, nor the other way round.

// CheckpointVersion is the first line of every checkpoint's signed text.
const CheckpointVersion = "taahod-audit-checkpoint-v1"

// When the head is checkpointed: once CheckpointEvery entries were chained
// since the last checkpoint, or CheckpointAfter passed since it and the head
// moved.
const (
	CheckpointEvery = 1000
	CheckpointAfter = 60 * time.Second
)

// checkpointLockClass is the first half of the two-key advisory lock that
// lets one checkpointer at a time, across every server of the database,
// write a checkpoint (two-key locks are apart from the one-key locks of the
// other stores; idempotency keys use the class 0x1de7).
const checkpointLockClass = 0xc4ec

// Checkpoint is a signed head of the audit chain.
type Checkpoint struct {
	// Seq is the seq of the chain's last entry when it was signed.
	Seq int64 `db:"seq"`
	// Hash is that entry's hash.
	Hash []byte `db:"hash"`
	// SignedAt is when it was signed, to the microsecond, in UTC.
	SignedAt time.Time `db:"signed_at"`
	// Signature is the standard base64 Ed25519 signature of Text().
	Signature string `db:"signature"`
}

// checkpointTimeLayout is RFC 3339 with a fixed six fractional digits, so
// that a checkpoint's time has exactly one text.
const checkpointTimeLayout = "2006-01-02T15:04:05.000000Z"

// Text is the canonical text the checkpoint's signature covers.
func (c Checkpoint) Text() string {
	return CheckpointVersion + "\n" +
		"seq=" + strconv.FormatInt(c.Seq, 10) + "\n" +
		"hash=" + hex.EncodeToString(c.Hash) + "\n" +
		"signed_at=" + c.SignedAt.UTC().Format(checkpointTimeLayout) + "\n"
}

var checkpointText = regexp.MustCompile(`^` + regexp.QuoteMeta(CheckpointVersion) +
	`\nseq=([1-9][0-9]{0,18})\nhash=([0-9a-f]{64})\nsigned_at=([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z)\n$`)

// ParseCheckpointText reads a checkpoint's signed text back into its
// fields (the signature is left empty). It accepts only the canonical text
// Text writes.
func ParseCheckpointText(text string) (Checkpoint, error) {
	m := checkpointText.FindStringSubmatch(text)
	if m == nil {
		return Checkpoint{}, fmt.Errorf("not a checkpoint text: want the lines %s, seq=N, hash=<64 hex digits> and signed_at=<RFC 3339 UTC time with 6 fractional digits>, each ending in a newline", CheckpointVersion)
	}
	var c Checkpoint
	var err error
	if c.Seq, err = strconv.ParseInt(m[1], 10, 64); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint seq %q: %w", m[1], err)
	}
	c.Hash, _ = hex.DecodeString(m[2]) // the pattern admits only hex
	if c.SignedAt, err = time.Parse(checkpointTimeLayout, m[3]); err != nil {
		return Checkpoint{}, fmt.Errorf("checkpoint signed_at %q: %w", m[3], err)
	}
	if c.Text() != text {
		return Checkpoint{}, errors.New("checkpoint text is not in canonical form")
	}
	return c, nil
}

// CheckpointSigner signs a checkpoint's text: Sign returns the standard
// base64 Ed25519 signature. *certificate.Signer, loaded from
// TAAHOD_SIGNING_KEY, is one.
type CheckpointSigner interface {
	Sign(text string) string
}

// chainHead is the last chained entry of the audit log.
type chainHead struct {
	Seq  int64  `db:"seq"`
	Hash []byte `db:"hash"`
}

// checkpointState is what decides whether a checkpoint is due: the chain's
// head and the last checkpoint.
type checkpointState struct {
	head    chainHead
	last    Checkpoint
	hasLast bool
}

// readCheckpointState reads, in one round trip, the chain's head from the
// chained entries themselves — the entry with the largest seq (a backward
// step of the primary key), not a separate tip row; entries queued but not
// yet chained, should they sit in audit_log without a seq or hash, are not
// the head — and the last checkpoint (another backward step). The head's
// seq is 0 while the chain is empty.
func readCheckpointState(ctx context.Context, q queryer) (checkpointState, error) {
	var row struct {
		HeadSeq   sql.NullInt64 `db:"head_seq"`
		HeadHash  []byte        `db:"head_hash"`
		Seq       sql.NullInt64 `db:"seq"`
		Hash      []byte        `db:"hash"`
		SignedAt  sql.NullTime  `db:"signed_at"`
		Signature *string       `db:"signature"`
	}
	err := q.GetContext(ctx, &row, `
		SELECT h.seq AS head_seq, h.hash AS head_hash, k.seq, k.hash, k.signed_at, k.signature
		  FROM (SELECT 1) AS one
		  LEFT JOIN LATERAL (SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL AND hash IS NOT NULL
		                      ORDER BY seq DESC LIMIT 1) h ON true
		  LEFT JOIN LATERAL (SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY seq DESC LIMIT 1) k ON true`)
	if err != nil {
		return checkpointState{}, err
	}
	st := checkpointState{head: chainHead{Seq: row.HeadSeq.Int64, Hash: row.HeadHash}}
	if row.Seq.Valid && row.SignedAt.Valid && row.Signature != nil {
		st.hasLast = true
		st.last = Checkpoint{Seq: row.Seq.Int64, Hash: row.Hash, SignedAt: row.SignedAt.Time, Signature: *row.Signature}
	}
	return st, nil
}

// queryer is what the checkpoint reads need of a DB or a Tx.
type queryer interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

const checkpointColumns = `seq, hash, signed_at, signature`

// latestCheckpoint reads the last checkpoint; ok is false when there is none.
func latestCheckpoint(ctx context.Context, q queryer) (Checkpoint, bool, error) {
	var c Checkpoint
	err := q.GetContext(ctx, &c, `SELECT `+checkpointColumns+` FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`)
	if errors.Is(err, sql.ErrNoRows) {
		return c, false, nil
	}
	return c, err == nil, err
}

// due says whether the head must be checkpointed at now.
func (st checkpointState) due(now time.Time) bool {
	switch {
	case st.head.Seq == 0:
		return false
	case !st.hasLast:
		return true
	case st.head.Seq <= st.last.Seq:
		return false
	}
	return st.head.Seq-st.last.Seq >= CheckpointEvery || now.Sub(st.last.SignedAt) >= CheckpointAfter
}

// MaybeCheckpoint signs and stores a checkpoint of the chain's head when one
// is due: CheckpointEvery entries or more were chained since the last
// checkpoint, or CheckpointAfter has passed since it and the head moved, or
// there is none yet and the chain has an entry. It returns the checkpoint it
// wrote, or nil when none was due or another checkpointer (of this or
// another server) was writing one at that moment.
//
// It is cheap and idempotent, for calling often: after each batch the
// sequencer integrates, and every second from `taahod serve`. When nothing
// is due it costs one query (two index reads) and no transaction; writing one takes a
// transaction-scoped advisory lock, tried without waiting, so that
// checkpointers of several servers never write two checkpoints of one head
// and never wait for one another. now is the checkpoint's time (the
// caller's clock, truncated to microseconds). It writes no audit entry:
// that would move the head it has just signed.
func MaybeCheckpoint(ctx context.Context, db *DB, signer CheckpointSigner, now time.Time) (*Checkpoint, error) {
	if signer == nil {
		return nil, errors.New("checkpoint: no signing key")
	}
	now = now.UTC().Truncate(time.Microsecond)
	st, err := readCheckpointState(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: read the chain's head and the last checkpoint: %w", err)
	}
	if !st.due(now) {
		return nil, nil
	}
	var written *Checkpoint
	err = db.Transact(ctx, func(tx *Tx) error {
		var locked bool
		if err := tx.GetContext(ctx, &locked, `SELECT pg_try_advisory_xact_lock($1, 0)`, checkpointLockClass); err != nil {
			return err
		}
		if !locked {
			return nil // another checkpointer is at it
		}
		// Read again under the lock: another checkpointer may have written
		// one since the reads above.
		st, err := readCheckpointState(ctx, tx)
		if err != nil {
			return err
		}
		if !st.due(now) {
			return nil
		}
		c := Checkpoint{Seq: st.head.Seq, Hash: st.head.Hash, SignedAt: now}
		c.Signature = signer.Sign(c.Text())
		res, err := tx.ExecContext(ctx, `
			INSERT INTO audit_checkpoints (seq, hash, signed_at, signature) VALUES ($1, $2, $3, $4)
			ON CONFLICT (seq) DO NOTHING`, c.Seq, c.Hash, c.SignedAt, c.Signature)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 1 {
			written = &c
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	return written, nil
}

// LatestCheckpoint returns the last checkpoint written. It returns
// ENOTFOUND when there is none yet.
func (db *DB) LatestCheckpoint(ctx context.Context) (Checkpoint, error) {
	c, ok, err := latestCheckpoint(ctx, db)
	if err != nil {
		return Checkpoint{}, MapError(err)
	}
	if !ok {
		return Checkpoint{}, taahod.Errorf(taahod.ENOTFOUND, "no audit checkpoint has been signed yet")
	}
	return c, nil
}

// Checkpoints returns up to limit checkpoints, latest first, of those
// before the checkpoint of seq beforeSeq (0: from the latest).
func (db *DB) Checkpoints(ctx context.Context, beforeSeq int64, limit int) ([]Checkpoint, error) {
	if beforeSeq <= 0 {
		beforeSeq = math.MaxInt64
	}
	var out []Checkpoint
	err := db.SelectContext(ctx, &out, `SELECT `+checkpointColumns+` FROM audit_checkpoints
		 WHERE seq < $1 ORDER BY seq DESC LIMIT $2`, beforeSeq, limit)
	if err != nil {
		return nil, MapError(err)
	}
	return out, nil
}
