package database_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
)

// testSigner signs with a fresh Ed25519 key, as certificate.Signer does.
type testSigner struct{ key ed25519.PrivateKey }

func newTestSigner(t *testing.T) testSigner {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return testSigner{key}
}

func (s testSigner) Sign(text string) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, []byte(text)))
}

func (s testSigner) public() ed25519.PublicKey { return s.key.Public().(ed25519.PublicKey) }

// appendBatch commits n audit entries in one transaction.
func appendBatch(t *testing.T, db *database.DB, n int) {
	t.Helper()
	err := db.Transact(context.Background(), func(tx *database.Tx) error {
		for i := range n {
			tx.Audit(context.Background(), someone, "test.step", "thing", i, map[string]any{"i": i})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func maybeCheckpoint(t *testing.T, db *database.DB, s database.CheckpointSigner, now time.Time) *database.Checkpoint {
	t.Helper()
	c, err := database.MaybeCheckpoint(context.Background(), db, s, now)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCheckpointRules: a checkpoint is written when the chain has its first
// entry, then after 1,000 entries or 60 s with the head moved, and never
// twice for one head.
func TestCheckpointRules(t *testing.T) {
	db := dbtest.New(t)
	s := newTestSigner(t)
	t0 := time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)

	if c := maybeCheckpoint(t, db, s, t0); c != nil {
		t.Fatalf("a checkpoint of an empty chain: %+v", c)
	}
	appendEntries(t, db, 3)
	first := maybeCheckpoint(t, db, s, t0)
	if first == nil || first.Seq != 3 || !first.SignedAt.Equal(t0) {
		t.Fatalf("first checkpoint: %+v", first)
	}
	if !first.VerifySignature(s.public()) {
		t.Fatal("the first checkpoint's signature does not verify")
	}
	entries, err := db.AuditEntries(context.Background(), database.AuditFilter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if string(entries[0].Hash) != string(first.Hash) {
		t.Fatalf("checkpoint hash %x, head hash %x", first.Hash, entries[0].Hash)
	}
	if c := maybeCheckpoint(t, db, s, t0.Add(time.Hour)); c != nil {
		t.Fatalf("a second checkpoint of an unmoved head: %+v", c)
	}
	appendEntries(t, db, 1)
	if c := maybeCheckpoint(t, db, s, t0.Add(59*time.Second)); c != nil {
		t.Fatalf("a checkpoint 59 s and 1 entry after the last: %+v", c)
	}
	if c := maybeCheckpoint(t, db, s, t0.Add(60*time.Second)); c == nil || c.Seq != 4 {
		t.Fatalf("checkpoint 60 s after the last: %+v", c)
	}
	appendBatch(t, db, database.CheckpointEvery-1)
	if c := maybeCheckpoint(t, db, s, t0.Add(61*time.Second)); c != nil {
		t.Fatalf("a checkpoint 999 entries and 1 s after the last: %+v", c)
	}
	appendEntries(t, db, 1)
	if c := maybeCheckpoint(t, db, s, t0.Add(61*time.Second)); c == nil || c.Seq != 4+database.CheckpointEvery {
		t.Fatalf("checkpoint 1,000 entries after the last: %+v", c)
	}

	list, err := db.Checkpoints(context.Background(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Seq != 1004 || list[2].Seq != 3 {
		t.Fatalf("checkpoints, latest first: %+v", list)
	}
	if older, _ := db.Checkpoints(context.Background(), 4, 10); len(older) != 1 || older[0].Seq != 3 {
		t.Fatalf("checkpoints before 4: %+v", older)
	}
	if _, err := db.Exec(`UPDATE audit_checkpoints SET hash = hash WHERE seq = 3`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("updating a checkpoint: %v", err)
	}
}

// TestCheckpointOnceAcrossCheckpointers: checkpointers racing on one due
// head write one checkpoint.
func TestCheckpointOnceAcrossCheckpointers(t *testing.T) {
	db := dbtest.New(t)
	s := newTestSigner(t)
	appendEntries(t, db, 2)
	now := time.Now()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := database.MaybeCheckpoint(context.Background(), db, s, now); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var n int
	if err := db.Get(&n, `SELECT count(*) FROM audit_checkpoints`); err != nil || n != 1 {
		t.Fatalf("checkpoints written: %d (%v)", n, err)
	}
}

// TestCheckpointText: the signed text is canonical, starts with its own
// version line (never a certificate's), and reads back only as written.
func TestCheckpointText(t *testing.T) {
	c := database.Checkpoint{Seq: 42, Hash: make([]byte, 32), SignedAt: time.Date(2026, 12, 6, 15, 20, 0, 123456000, time.UTC)}
	c.Hash[31] = 0xab
	want := "taahod-audit-checkpoint-v1\nseq=42\nhash=" + strings.Repeat("0", 62) + "ab\nsigned_at=2026-12-06T15:20:00.123456Z\n"
	if got := c.Text(); got != want {
		t.Fatalf("text:\n%q\nwant\n%q", got, want)
	}
	back, err := database.ParseCheckpointText(want)
	if err != nil || back.Text() != want {
		t.Fatalf("parse: %v %+v", err, back)
	}
	for _, bad := range []string{
		strings.Replace(want, "seq=42", "seq=042", 1),
		strings.Replace(want, "v1", "v2", 1),
		strings.TrimSuffix(want, "\n"),
		strings.Replace(want, "taahod-audit-checkpoint-v1", "taahod-certificate-v1", 1),
		strings.Replace(want, "T15:20:00.123456Z", "T25:20:00.123456Z", 1),
		want + "extra=1\n",
	} {
		if _, err := database.ParseCheckpointText(bad); err == nil {
			t.Errorf("parsed %q", bad)
		}
	}
}

// BenchmarkMaybeCheckpointNotDue is what the checkpointer costs each second
// (and the sequencer after each batch) when no checkpoint is due.
func BenchmarkMaybeCheckpointNotDue(b *testing.B) {
	db := dbtest.New(b)
	s := testSigner{}
	_, s.key, _ = ed25519.GenerateKey(rand.Reader)
	err := db.Transact(context.Background(), func(tx *database.Tx) error {
		for i := range 5000 {
			tx.Audit(context.Background(), someone, "test.step", "thing", i, map[string]any{"i": i})
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	if _, err := database.MaybeCheckpoint(context.Background(), db, s, now); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if c, err := database.MaybeCheckpoint(context.Background(), db, s, now); err != nil || c != nil {
			b.Fatal(c, err)
		}
	}
}
