package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/database"
)

// checkpoint writes a checkpoint of the chain's head as the checkpointer
// would at now, failing unless one was due.
func (e *env) checkpoint(now time.Time) *database.Checkpoint {
	e.t.Helper()
	c, err := database.MaybeCheckpoint(context.Background(), e.db, testSigner, now)
	if err != nil || c == nil {
		e.t.Fatalf("checkpoint at %s: %+v %v", now, c, err)
	}
	return c
}

// TestAuditCheckpoints: the published checkpoints, latest first and paged,
// without sign-in; each one's signature verifies with /verify/key over its
// signed text, and its hash is the chain's at its seq.
func TestAuditCheckpoints(t *testing.T) {
	e := newEnv(t)
	aud := e.userToken("aud1", taahod.RoleAuditor)
	if r := e.do("GET", "/api/v1/public/audit/checkpoints/latest", "", nil); r.status != 404 || r.problemCode() != taahod.ENOTFOUND {
		t.Fatalf("latest before the first: %d %s", r.status, r.body)
	}
	if r := e.do("GET", "/api/v1/public/audit/checkpoints", "", nil); r.status != 200 || string(r.body) != `{"items":[],"next_cursor":null}` {
		t.Fatalf("list before the first: %d %s", r.status, r.body)
	}

	t0 := time.Date(2026, 12, 6, 15, 0, 0, 0, time.UTC)
	var written []*database.Checkpoint
	for i := range 3 {
		e.mustCreateUnit(fmt.Sprintf("واحد %d", i), fmt.Sprintf("10102%05d", i))
		written = append(written, e.checkpoint(t0.Add(time.Duration(i)*time.Minute)))
	}
	last := written[2]

	r := e.do("GET", "/api/v1/public/audit/checkpoints/latest", "", nil)
	if r.status != 200 {
		t.Fatalf("latest: %d %s", r.status, r.body)
	}
	latest := r.json()
	if latest["seq"] != json.Number(fmt.Sprint(last.Seq)) || latest["signed_at"] != "2026-12-06T15:02:00.000000Z" ||
		latest["signed_at_jalali"] != taahod.JalaliTime(last.SignedAt) {
		t.Fatalf("latest: %s", r.body)
	}

	t.Run("the signature verifies with the published key", func(t *testing.T) {
		key := e.do("GET", "/api/v1/verify/key", "", nil)
		pub, err := certificate.ParsePublicKeyPEM(key.body)
		if err != nil {
			t.Fatal(err)
		}
		text := latest["signed_text"].(string)
		if !strings.HasPrefix(text, "taahod-audit-checkpoint-v1\nseq="+fmt.Sprint(last.Seq)+"\nhash="+latest["hash"].(string)+"\n") {
			t.Fatalf("signed text %q", text)
		}
		if !certificate.Verify(pub, text, latest["signature"].(string)) {
			t.Fatal("the checkpoint's signature does not verify with /verify/key")
		}
		// What the endpoint serves is what verify --checkpoint reads.
		saved, err := database.ParseCheckpointJSON(r.body)
		if err != nil || !saved.VerifySignature(pub) || saved.Seq != last.Seq {
			t.Fatalf("the served JSON read back: %+v %v", saved, err)
		}
		// The chain's entry at seq has the checkpoint's hash.
		trail := e.do("GET", "/api/v1/audit?limit=1", aud, nil).json()["items"].([]any)
		head := trail[0].(map[string]any)
		if head["seq"] != latest["seq"] || head["hash"] != latest["hash"] {
			t.Fatalf("chain head %v %v, checkpoint %v %v", head["seq"], head["hash"], latest["seq"], latest["hash"])
		}
	})

	t.Run("latest first, paged", func(t *testing.T) {
		var seqs []string
		cursor := ""
		for page := 0; ; page++ {
			path := "/api/v1/public/audit/checkpoints?limit=2"
			if cursor != "" {
				path += "&cursor=" + url.QueryEscape(cursor)
			}
			r := e.do("GET", path, "", nil)
			if r.status != 200 {
				t.Fatalf("%s: %d %s", path, r.status, r.body)
			}
			body := r.json()
			for _, it := range body["items"].([]any) {
				seqs = append(seqs, fmt.Sprint(it.(map[string]any)["seq"]))
			}
			if body["next_cursor"] == nil {
				break
			}
			cursor = body["next_cursor"].(string)
			if page > 3 {
				t.Fatal("the pages do not end")
			}
		}
		want := []string{fmt.Sprint(written[2].Seq), fmt.Sprint(written[1].Seq), fmt.Sprint(written[0].Seq)}
		if fmt.Sprint(seqs) != fmt.Sprint(want) {
			t.Fatalf("seqs %v, want %v", seqs, want)
		}
	})

	t.Run("bad requests", func(t *testing.T) {
		for path, want := range map[string]int{
			"/api/v1/public/audit/checkpoints?limit=0":        422,
			"/api/v1/public/audit/checkpoints?cursor=bogus":   400,
			"/api/v1/public/audit/checkpoints?year=1404":      400,
			"/api/v1/public/audit/checkpoints/latest?limit=1": 400,
		} {
			if r := e.do("GET", path, "", nil); r.status != want {
				t.Errorf("%s: %d %s, want %d", path, r.status, r.body, want)
			}
		}
		// A cursor of another list is not this list's.
		units := e.do("GET", "/api/v1/units?limit=1", aud, nil).json()
		if c, ok := units["next_cursor"].(string); ok {
			if r := e.do("GET", "/api/v1/public/audit/checkpoints?cursor="+url.QueryEscape(c), "", nil); r.status != 400 {
				t.Errorf("another list's cursor: %d %s", r.status, r.body)
			}
		}
	})
}

// TestAuditCheckpointsRateLimited: the checkpoints share the public routes'
// limit per address.
func TestAuditCheckpointsRateLimited(t *testing.T) {
	e := newEnvWithConfig(t, func(c *Config) { c.PublicRate = 2 })
	for _, path := range []string{"/api/v1/public/audit/checkpoints", "/api/v1/public/audit/checkpoints/latest"} {
		if r := e.do("GET", path, "", nil); r.status == http.StatusTooManyRequests {
			t.Fatalf("%s within the rate: %d", path, r.status)
		}
	}
	r := e.do("GET", "/api/v1/public/audit/checkpoints/latest", "", nil)
	if r.status != http.StatusTooManyRequests || r.problemCode() != taahod.ERATELIMITED || r.header.Get("Retry-After") == "" {
		t.Fatalf("past the rate: %d %s", r.status, r.body)
	}
}

// TestCertificateRecordsCheckpoint: a certificate records the latest audit
// checkpoint when it was issued (none before the first), and keeps it.
func TestCertificateRecordsCheckpoint(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "1000000")
	w.assess(w.unitA.ID, "30000000000")
	w.runOffset(w.unitA.ID)
	before := w.mustIssue(w.unitA.ID)
	if cp, present := before["audit_checkpoint"]; !present || cp != nil {
		t.Fatalf("a certificate issued before any checkpoint: audit_checkpoint %v (present %v)", cp, present)
	}

	w.approved(w.accB, w.pledgeB, "2000000")
	w.assess(w.unitB.ID, "30000000000")
	w.runOffset(w.unitB.ID)
	c := w.checkpoint(theNow)
	after := w.mustIssue(w.unitB.ID)
	cp, _ := after["audit_checkpoint"].(map[string]any)
	if cp == nil || cp["seq"] != json.Number(fmt.Sprint(c.Seq)) || cp["hash"] != c.JSON().Hash || cp["signed_at"] != c.JSON().SignedAt {
		t.Fatalf("audit_checkpoint %v, want checkpoint %d", after["audit_checkpoint"], c.Seq)
	}
	w.checkpoint(theNow.Add(time.Hour)) // a later checkpoint changes nothing of it
	got := w.do("GET", "/api/v1/certificates/"+after["serial"].(string), w.tax, nil).json()
	if fmt.Sprint(got["audit_checkpoint"]) != fmt.Sprint(after["audit_checkpoint"]) {
		t.Fatalf("read back: %v, issued with %v", got["audit_checkpoint"], after["audit_checkpoint"])
	}
	if _, err := w.db.Exec(`UPDATE certificates SET audit_checkpoint_seq = NULL WHERE serial = $1`, after["serial"]); err == nil {
		t.Fatal("a certificate's checkpoint was changed")
	}
}
