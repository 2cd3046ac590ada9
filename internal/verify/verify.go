// Package verify lists the checks of the books that `taahod verify` runs,
// in order, so that the command and the auditor's page (web) run the same
// ones. Every check only reads.
package verify

import (
	"context"
	"fmt"

	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// Check is one verification of the books: Run returns a summary of what it
// read ("1204 entries") and what it found broken.
type Check struct {
	Name string
	Run  func(ctx context.Context, db *database.DB) (summary string, findings []database.Finding, err error)
}

// Checks are the checks, in the order they run.
var Checks = []Check{
	{"audit chain", func(ctx context.Context, db *database.DB) (string, []database.Finding, error) {
		n, findings, err := database.VerifyAudit(ctx, db)
		if err != nil {
			return "", findings, err
		}
		q, err := database.AuditQueue(ctx, db)
		if q.Entries > 0 {
			return fmt.Sprintf("%d entries, %d queued", n, q.Entries), findings, err
		}
		return fmt.Sprintf("%d entries", n), findings, err
	}},
	{"registry", registry.Verify},
	{"ledger", ledger.Verify},
	{"pledge totals", func(ctx context.Context, db *database.DB) (string, []database.Finding, error) {
		n, findings, err := ledger.VerifySubmittedTotals(ctx, db)
		return fmt.Sprintf("%d pledges", n), findings, err
	}},
	{"review rounds", func(ctx context.Context, db *database.DB) (string, []database.Finding, error) {
		n, findings, err := ledger.VerifyReviewRounds(ctx, db)
		return fmt.Sprintf("%d reviewed expenditures", n), findings, err
	}},
	{"certificates", certificate.VerifyCertificates},
}
