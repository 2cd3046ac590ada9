package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/taahod/taahod/internal/verify"
)

// errFindings makes main exit 1 without printing more: the findings are
// printed already.
var errFindings = errors.New("verification found breaks")

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
	for _, c := range verify.Checks {
		summary, findings, err := c.Run(ctx, db)
		if err != nil {
			return fmt.Errorf("%s: %w", c.Name, err)
		}
		if len(findings) == 0 {
			fmt.Fprintf(stdout, "ok      %s: %s\n", c.Name, summary)
			continue
		}
		broken += len(findings)
		fmt.Fprintf(stdout, "BROKEN  %s: %s, %d finding(s)\n", c.Name, summary, len(findings))
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
