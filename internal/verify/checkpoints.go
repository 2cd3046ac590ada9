package verify

import (
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/taahod/taahod/internal/database"
)

// Checkpoints is the check of the audit chain against its signed
// checkpoints: every stored one and the saved copies given (from
// `taahod verify --checkpoint FILE`). pub is the key that signs them (the
// public half of TAAHOD_SIGNING_KEY, or GET /api/v1/verify/key); without
// one the signatures go unchecked, and the summary says so.
func Checkpoints(pub ed25519.PublicKey, saved []database.SavedCheckpoint) Check {
	return Check{"audit checkpoints", func(ctx context.Context, db *database.DB) (string, []database.Finding, error) {
		n, findings, err := database.VerifyCheckpoints(ctx, db, pub, saved)
		summary := fmt.Sprintf("%d checkpoints", n)
		if len(saved) > 0 {
			summary += fmt.Sprintf(" (%d saved elsewhere)", len(saved))
		}
		if pub == nil {
			summary += ", signatures NOT checked: no key (TAAHOD_SIGNING_KEY, --signing-key or --public-key)"
		} else {
			summary += ", signatures checked with the key"
		}
		return summary, findings, err
	}}
}
