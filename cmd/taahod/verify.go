package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
	"github.com/taahod/taahod/reports"
)

// errFindings makes main exit 1 without printing more: the findings are
// printed already.
var errFindings = errors.New("verification found breaks")

// check is one verification of the books.
type check struct {
	name string
	run  func(ctx context.Context, db *database.DB) (summary string, findings []database.Finding, err error)
}

// checks are run by `taahod verify`, in order.
var checks = []check{
	{"audit chain", func(ctx context.Context, db *database.DB) (string, []database.Finding, error) {
		n, findings, err := database.VerifyAudit(ctx, db)
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
	{"certificates", reports.VerifyCertificates},
}

func verifyCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if err := parseFlags(flagSet("verify", stderr, &cfg), args); err != nil {
		return err
	}
	db, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	broken := 0
	for _, c := range checks {
		summary, findings, err := c.run(ctx, db)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if len(findings) == 0 {
			fmt.Fprintf(stdout, "ok      %s: %s\n", c.name, summary)
			continue
		}
		broken += len(findings)
		fmt.Fprintf(stdout, "BROKEN  %s: %s, %d finding(s)\n", c.name, summary, len(findings))
		for _, f := range findings {
			fmt.Fprintf(stdout, "        %s: %s\n", f.Subject, f.Problem)
		}
	}
	if broken > 0 {
		fmt.Fprintf(stdout, "verify: %d break(s) found\n", broken)
		return errFindings
	}
	fmt.Fprintln(stdout, "verify: all checks passed")
	return nil
}
