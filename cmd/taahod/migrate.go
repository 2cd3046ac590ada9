package main

import (
	"context"
	"fmt"
	"io"

	"github.com/taahod/taahod/migrations"
)

func migrateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	fs := flagSet("migrate", stderr, &cfg)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := migrations.Up(ctx, db.DB.DB)
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(stdout, "schema is up to date")
	} else {
		fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
	}
	return nil
}
