package api

import (
	"context"
	"fmt"
	"testing"

	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
)

// TestIssueRendersWithoutLocks checks that a certificate is rendered and
// signed while its issue holds no lock that other writers wait for: not the
// unit's books, not the province-year's serial counter, not the valid
// certificate it supersedes. At each rendering another connection tries to
// take each of them without waiting.
func TestIssueRendersWithoutLocks(t *testing.T) {
	w := newWorld(t)
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "1234567890.5")
	w.assess(w.unitA.ID, "30000000000")
	w.runOffset(w.unitA.ID)
	first := w.mustIssue(w.unitA.ID) // the counter's row and a valid certificate now exist

	ctx := context.Background()
	try := func(what string, fn func(tx *database.Tx) error) string {
		err := w.db.Transact(ctx, func(tx *database.Tx) error {
			if _, err := tx.ExecContext(ctx, `SET LOCAL lock_timeout = '200ms'`); err != nil {
				return err
			}
			return fn(tx)
		})
		if err != nil {
			return fmt.Sprintf("%s: %v", what, err)
		}
		return ""
	}
	var held []string
	renders := 0
	w.srv.certificates.Rendered = func() {
		renders++
		for _, msg := range []string{
			try("the unit's books", func(tx *database.Tx) error { return ledger.LockUnitBooks(ctx, tx, w.unitA.ID) }),
			try("the serial counter", func(tx *database.Tx) error {
				_, err := tx.ExecContext(ctx, `SELECT last_seq FROM certificate_counters WHERE province = 'QZV' AND fiscal_year = 1404 FOR UPDATE`)
				return err
			}),
			try("the superseded certificate", func(tx *database.Tx) error {
				_, err := tx.ExecContext(ctx, `SELECT id FROM certificates WHERE serial = $1 FOR UPDATE`, first["serial"])
				return err
			}),
		} {
			if msg != "" {
				held = append(held, msg)
			}
		}
	}
	defer func() { w.srv.certificates.Rendered = nil }()

	second := w.mustIssue(w.unitA.ID)
	if second["serial"] != "QZV-1404-000002" || second["supersedes"] != first["serial"] {
		t.Fatalf("second certificate: %v", second)
	}
	if len(held) > 0 {
		t.Errorf("locks held while the certificate was rendered: %v", held)
	}
	if renders != 1 {
		t.Errorf("rendered %d times for one uncontended issue, want once", renders)
	}
	// What was drafted before the locks is what `taahod verify` renders
	// again from the stored facts.
	if _, findings, err := certificate.VerifyCertificates(ctx, w.db); err != nil || len(findings) > 0 {
		t.Fatalf("%v %v", findings, err)
	}
	var n int
	if err := w.db.Get(&n, `SELECT count(*) FROM certificates`); err != nil || n != 2 {
		t.Fatalf("%d certificates, %v", n, err)
	}
}
