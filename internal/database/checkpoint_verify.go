package database

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/taahod/taahod"
)

// CheckpointJSON is a checkpoint as GET /api/v1/public/audit/checkpoints
// publishes it, and as `taahod verify --checkpoint FILE` reads it back from
// a copy saved elsewhere. signed_text and signature are what count; the
// other fields repeat what the text says, for reading.
type CheckpointJSON struct {
	Seq            int64  `json:"seq"`
	Hash           string `json:"hash"`
	SignedAt       string `json:"signed_at"`
	SignedAtJalali string `json:"signed_at_jalali"`
	SignedText     string `json:"signed_text"`
	Signature      string `json:"signature"`
}

// JSON returns the checkpoint in its published form.
func (c Checkpoint) JSON() CheckpointJSON {
	return CheckpointJSON{
		Seq: c.Seq, Hash: hex.EncodeToString(c.Hash),
		SignedAt: c.SignedAt.UTC().Format(checkpointTimeLayout), SignedAtJalali: taahod.JalaliTime(c.SignedAt),
		SignedText: c.Text(), Signature: c.Signature,
	}
}

// ParseCheckpointJSON reads a checkpoint saved as the API published it. The
// signed text must be canonical, and the seq, hash and signed_at beside it,
// when given, must say what it says; the signature is not checked here
// (VerifySignature).
func ParseCheckpointJSON(data []byte) (Checkpoint, error) {
	var j CheckpointJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return Checkpoint{}, fmt.Errorf("not a checkpoint's JSON: %w", err)
	}
	if j.SignedText == "" || j.Signature == "" {
		return Checkpoint{}, errors.New("not a checkpoint's JSON: signed_text and signature are required")
	}
	c, err := ParseCheckpointText(j.SignedText)
	if err != nil {
		return Checkpoint{}, err
	}
	pub := c.JSON()
	if (j.Seq != 0 && j.Seq != pub.Seq) || (j.Hash != "" && j.Hash != pub.Hash) || (j.SignedAt != "" && j.SignedAt != pub.SignedAt) {
		return Checkpoint{}, errors.New("the checkpoint's seq, hash or signed_at differ from its signed_text")
	}
	c.Signature = j.Signature
	return c, nil
}

// VerifySignature reports whether the checkpoint's signature is pub's
// Ed25519 signature of its text. Any malformed signature is simply not a
// valid one.
func (c Checkpoint) VerifySignature(pub ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.Strict().DecodeString(c.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize || len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(pub, []byte(c.Text()), sig)
}

// SavedCheckpoint is a checkpoint kept outside the database (a file), with
// where it came from, for the findings.
type SavedCheckpoint struct {
	Checkpoint
	Source string
}

// VerifyCheckpoints checks the audit chain against every stored checkpoint
// and the saved ones, in order of seq: each one's signature with pub, and
// that the chain's entry at its seq has its hash. With pub nil the
// signatures are not checked (and a forged checkpoint may then be taken for
// a break, or a forged chain for a good one); the caller says so.
//
// A rewrite of entry k whose hashes were recomputed to the end leaves the
// chain consistent in itself (VerifyAudit finds nothing) but contradicts
// every checkpoint from k on: the first that differs names the break, a
// row at or before its seq and after the last checkpoint before it that
// holds. It returns how many checkpoints it checked.
func VerifyCheckpoints(ctx context.Context, db *DB, pub ed25519.PublicKey, saved []SavedCheckpoint) (int64, []Finding, error) {
	saved = append([]SavedCheckpoint(nil), saved...)
	sort.SliceStable(saved, func(i, j int) bool { return saved[i].Seq < saved[j].Seq })

	var lastRow int64
	if err := db.GetContext(ctx, &lastRow, `SELECT COALESCE(max(seq), 0) FROM audit_log`); err != nil {
		return 0, nil, fmt.Errorf("read the chain's head: %w", err)
	}
	rows, err := db.QueryxContext(ctx, `
		SELECT k.seq, k.hash, k.signed_at, k.signature, l.hash AS chain_hash
		  FROM audit_checkpoints k LEFT JOIN audit_log l ON l.seq = k.seq
		 ORDER BY k.seq`)
	if err != nil {
		return 0, nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	defer rows.Close()

	v := checkpointVerifier{pub: pub, lastRow: lastRow}
	for rows.Next() {
		var r struct {
			Checkpoint
			ChainHash []byte `db:"chain_hash"`
		}
		if err := rows.StructScan(&r); err != nil {
			return v.n, v.findings, fmt.Errorf("scan audit checkpoint: %w", err)
		}
		// Saved checkpoints up to this seq come first, so that each is
		// judged with the checkpoints before it.
		for len(saved) > 0 && saved[0].Seq <= r.Seq {
			if err := v.checkSaved(ctx, db, saved[0]); err != nil {
				return v.n, v.findings, err
			}
			saved = saved[1:]
		}
		v.check(SavedCheckpoint{Checkpoint: r.Checkpoint, Source: "stored"}, r.ChainHash)
	}
	if err := rows.Err(); err != nil {
		return v.n, v.findings, fmt.Errorf("read audit checkpoints: %w", err)
	}
	for _, s := range saved {
		if err := v.checkSaved(ctx, db, s); err != nil {
			return v.n, v.findings, err
		}
	}
	return v.n, v.findings, nil
}

// checkpointVerifier walks checkpoints in order of seq.
type checkpointVerifier struct {
	pub      ed25519.PublicKey
	lastRow  int64 // the chain's last seq
	n        int64
	findings []Finding
	// holds is the seq of the last checkpoint that matched the chain;
	// broken is set once one did not.
	holds  int64
	broken bool
}

// checkSaved checks a checkpoint from outside the database against the
// chain's entry at its seq.
func (v *checkpointVerifier) checkSaved(ctx context.Context, db *DB, s SavedCheckpoint) error {
	var hash []byte
	err := db.GetContext(ctx, &hash, `SELECT hash FROM audit_log WHERE seq = $1`, s.Seq)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("read audit row %d: %w", s.Seq, err)
	}
	v.check(s, hash)
	return nil
}

// check judges one checkpoint; chainHash is the hash of the chain's entry
// at its seq, nil when the chain has no such entry.
func (v *checkpointVerifier) check(s SavedCheckpoint, chainHash []byte) {
	v.n++
	c := s.Checkpoint
	name := fmt.Sprintf("audit checkpoint %d (%s, signed %s)", c.Seq, s.Source, c.SignedAt.UTC().Format(time.RFC3339))
	if v.pub != nil && !c.VerifySignature(v.pub) {
		v.report(name, "its signature does not verify with the key: the checkpoint is forged or altered, and vouches for nothing")
		return
	}
	switch {
	case chainHash == nil:
		v.report(name, fmt.Sprintf("the chain has no row %d: it ends at row %d, so rows were removed from its end", c.Seq, v.lastRow))
	case !bytes.Equal(chainHash, c.Hash):
		subject := fmt.Sprintf("audit row %d", c.Seq)
		problem := fmt.Sprintf("its hash is %x, but %s holds %x", chainHash, name, c.Hash)
		if !v.broken {
			// The first checkpoint that differs names the break.
			problem += fmt.Sprintf(": the chain was rewritten at or before row %d", c.Seq)
			if v.holds > 0 {
				problem += fmt.Sprintf(", after row %d (the last checkpoint before it that holds)", v.holds)
			}
		} else {
			problem += ": the rewrite above reaches it"
		}
		v.broken = true
		v.report(subject, problem)
	default:
		if !v.broken {
			v.holds = c.Seq
		}
	}
}

func (v *checkpointVerifier) report(subject, problem string) {
	if len(v.findings) < maxAuditFindings {
		v.findings = append(v.findings, Finding{Check: "audit checkpoints", Subject: subject, Problem: problem})
	}
}
