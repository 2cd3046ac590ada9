package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
)

// TestVerifyCheckpoints rewrites an early audit entry and recomputes every
// hash after it behind the application's back, as someone with the
// database's superuser could: the chain then holds together by itself, but
// contradicts the signed checkpoints, and `taahod verify` names the break
// with the stored ones and, once they are removed as well, with one saved
// before the rewrite (--checkpoint). A checkpoint whose signature is not the
// key's is refused.
func TestVerifyCheckpoints(t *testing.T) {
	db, url := dbtest.NewWithURL(t)
	t.Setenv("DATABASE_URL", url)
	key := writeSigningKey(t)
	signer, err := certificate.LoadSigningKey(key)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	t0 := time.Now().UTC()

	appendTestEntries(t, db, 10)
	if c, err := database.MaybeCheckpoint(ctx, db, signer, t0); err != nil || c == nil || c.Seq != 10 {
		t.Fatalf("first checkpoint: %+v %v", c, err)
	}
	appendTestEntries(t, db, 20)
	saved, err := database.MaybeCheckpoint(ctx, db, signer, t0.Add(time.Minute))
	if err != nil || saved == nil || saved.Seq != 30 {
		t.Fatalf("second checkpoint: %+v %v", saved, err)
	}
	appendTestEntries(t, db, 5)
	file := writeCheckpointFile(t, "saved.json", saved.JSON())

	t.Run("a valid log passes", func(t *testing.T) {
		code, out, stderr := runTaahod(t, "", "verify")
		if code != 0 || !strings.Contains(out, "ok      audit checkpoints: 2 checkpoints, signatures checked with the key") {
			t.Fatalf("verify: exit %d\n%s%s", code, out, stderr)
		}
		code, out, stderr = runTaahod(t, "", "verify", "--checkpoint", file)
		if code != 0 || !strings.Contains(out, "ok      audit checkpoints: 3 checkpoints (1 saved elsewhere)") {
			t.Fatalf("verify --checkpoint: exit %d\n%s%s", code, out, stderr)
		}
	})

	rewriteAuditEntry(t, db, 15, `{"i":1500}`)

	t.Run("the stored checkpoints name the break", func(t *testing.T) {
		code, out, _ := runTaahod(t, "", "verify")
		if code != 1 || !strings.Contains(out, "ok      audit chain") || !strings.Contains(out, "BROKEN  audit checkpoints") {
			t.Fatalf("verify after the rewrite: exit %d\n%s", code, out)
		}
		if !strings.Contains(out, "audit row 30: its hash is") ||
			!strings.Contains(out, "the chain was rewritten at or before row 30, after row 10") {
			t.Fatalf("verify does not name the break:\n%s", out)
		}
	})

	// The rewriter removes the stored checkpoints too: nothing in the
	// database contradicts the chain any more, but the saved copy does.
	superuserExec(t, db, `DELETE FROM audit_checkpoints`)
	t.Run("a checkpoint saved before the rewrite names the break", func(t *testing.T) {
		if code, out, _ := runTaahod(t, "", "verify"); code != 0 {
			t.Fatalf("verify without checkpoints: exit %d\n%s", code, out)
		}
		code, out, _ := runTaahod(t, "", "verify", "--checkpoint", file)
		if code != 1 || !strings.Contains(out, "BROKEN  audit checkpoints") ||
			!strings.Contains(out, "audit row 30: its hash is") ||
			!strings.Contains(out, "audit checkpoint 30 ("+file) ||
			!strings.Contains(out, "the chain was rewritten at or before row 30") {
			t.Fatalf("verify --checkpoint after the rewrite: exit %d\n%s", code, out)
		}
	})

	t.Run("a forged signature fails", func(t *testing.T) {
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		// A checkpoint of the chain as it now is, signed by another key.
		var head struct {
			Seq  int64  `db:"seq"`
			Hash []byte `db:"hash"`
		}
		if err := db.Get(&head, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`); err != nil {
			t.Fatal(err)
		}
		forged := database.Checkpoint{Seq: head.Seq, Hash: head.Hash, SignedAt: t0.Add(2 * time.Minute).Truncate(time.Microsecond)}
		forged.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(other, []byte(forged.Text())))
		forgedFile := writeCheckpointFile(t, "forged.json", forged.JSON())
		code, out, _ := runTaahod(t, "", "verify", "--checkpoint", forgedFile)
		if code != 1 || !strings.Contains(out, "audit checkpoint 35 ("+forgedFile) ||
			!strings.Contains(out, "its signature does not verify with the key") {
			t.Fatalf("verify --checkpoint with a forged signature: exit %d\n%s", code, out)
		}

		// The same forgery stored in the table.
		if _, err := db.Exec(`INSERT INTO audit_checkpoints (seq, hash, signed_at, signature) VALUES ($1, $2, $3, $4)`,
			forged.Seq, forged.Hash, forged.SignedAt, forged.Signature); err != nil {
			t.Fatal(err)
		}
		code, out, _ = runTaahod(t, "", "verify")
		if code != 1 || !strings.Contains(out, "audit checkpoint 35 (stored") || !strings.Contains(out, "its signature does not verify with the key") {
			t.Fatalf("verify with a forged stored checkpoint: exit %d\n%s", code, out)
		}

		// An altered copy of a genuine checkpoint: its text no longer
		// matches the signature.
		altered := saved.JSON()
		altered.SignedText = strings.Replace(altered.SignedText, "seq=30", "seq=31", 1)
		altered.Seq = 31
		code, out, _ = runTaahod(t, "", "verify", "--checkpoint", writeCheckpointFile(t, "altered.json", altered))
		if code != 1 || !strings.Contains(out, "audit checkpoint 31 (") || !strings.Contains(out, "its signature does not verify with the key") {
			t.Fatalf("verify --checkpoint with an altered checkpoint: exit %d\n%s", code, out)
		}
	})

	t.Run("a saved checkpoint needs a key", func(t *testing.T) {
		t.Setenv("TAAHOD_SIGNING_KEY", "")
		code, _, stderr := runTaahod(t, "", "verify", "--checkpoint", file)
		if code != 1 || !strings.Contains(stderr, "--public-key") {
			t.Fatalf("verify --checkpoint without a key: exit %d %q", code, stderr)
		}
		pubFile := filepath.Join(t.TempDir(), "key.pem")
		if err := os.WriteFile(pubFile, signer.PublicKeyPEM(), 0o600); err != nil {
			t.Fatal(err)
		}
		code, out, _ := runTaahod(t, "", "verify", "--public-key", pubFile, "--checkpoint", file)
		if code != 1 || !strings.Contains(out, "the chain was rewritten at or before row 30") {
			t.Fatalf("verify --public-key --checkpoint: exit %d\n%s", code, out)
		}
	})
}

// appendTestEntries commits n audit entries, one transaction each.
func appendTestEntries(t *testing.T, db *database.DB, n int) {
	t.Helper()
	for i := range n {
		err := db.Transact(context.Background(), func(tx *database.Tx) error {
			tx.Audit(context.Background(), taahod.System, "test.step", "thing", i, map[string]any{"i": i})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// writeCheckpointFile saves a checkpoint as the API serves it.
func writeCheckpointFile(t *testing.T, name string, c database.CheckpointJSON) string {
	t.Helper()
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// superuserExec runs statements with the append-only triggers off, as a
// superuser may.
func superuserExec(t *testing.T, db *database.DB, statements ...string) {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	statements = append(append([]string{`SET session_replication_role = replica`}, statements...), `SET session_replication_role = origin`)
	for _, q := range statements {
		if _, err := conn.ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// rewriteAuditEntry sets the changes of the audit entry seq and recomputes
// the hash of it and of every entry after it, and the chain's tip where
// there is one, in plain SQL: the chain holds together again.
func rewriteAuditEntry(t *testing.T, db *database.DB, seq int64, changes string) {
	t.Helper()
	var entries []database.Entry
	if err := db.Select(&entries, `
		SELECT seq, at, actor_id, actor_name, actor_role, action, target_type, target_id,
		       request_id, changes, prev_hash, hash
		  FROM audit_log WHERE seq >= $1 - 1 ORDER BY seq`, seq); err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	exec := func(q string, args ...any) {
		if _, err := conn.ExecContext(context.Background(), q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	exec(`SET session_replication_role = replica`)
	prev, lastPrev := entries[0].Hash, entries[0].PrevHash
	for _, e := range entries[1:] {
		if e.Seq == seq {
			e.Changes = changes
		}
		e.PrevHash, e.Hash = prev, database.ChainHash(prev, e.Content())
		exec(`UPDATE audit_log SET changes = $2, prev_hash = $3, hash = $4 WHERE seq = $1`, e.Seq, e.Changes, e.PrevHash, e.Hash)
		prev, lastPrev = e.Hash, e.PrevHash
	}
	last := entries[len(entries)-1]
	var tip *string
	if err := conn.QueryRowContext(context.Background(), `SELECT to_regclass('audit_head')::text`).Scan(&tip); err != nil {
		t.Fatal(err)
	}
	if tip != nil {
		exec(`UPDATE audit_head SET prev_hash = $1, hash = $2 WHERE seq = $3`, lastPrev, prev, last.Seq)
	}
	exec(`SET session_replication_role = origin`)
}

// TestServeCheckpoints: serve signs the chain's head in the background, and
// publishes it.
func TestServeCheckpoints(t *testing.T) {
	db, url := dbtest.NewWithURL(t)
	t.Setenv("DATABASE_URL", url)
	writeSigningKey(t)
	appendTestEntries(t, db, 3)
	base, cancel, done := startServe(t)
	defer cancel()
	var latest database.CheckpointJSON
	for deadline := time.Now().Add(20 * time.Second); ; {
		res, err := http.Get(base + "/api/v1/public/audit/checkpoints/latest")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == 200 {
			if err := json.Unmarshal(body, &latest); err != nil {
				t.Fatal(err)
			}
			break
		}
		if res.StatusCode != 404 || time.Now().After(deadline) {
			t.Fatalf("latest checkpoint: %d %s", res.StatusCode, body)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if latest.Seq != 3 {
		t.Fatalf("checkpoint of seq %d, the chain has 3 entries", latest.Seq)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}
