package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/database"
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
	var (
		publicKey string
		files     []string
	)
	fs := flagSet("verify", stderr, &cfg)
	fs.StringVar(&cfg.SigningKey, "signing-key", cfg.SigningKey, "Ed25519 private key whose public half checks the checkpoints' signatures (default $TAAHOD_SIGNING_KEY)")
	fs.StringVar(&publicKey, "public-key", "", "Ed25519 public key (PEM, as GET /api/v1/verify/key serves it) that checks the checkpoints' signatures")
	fs.Func("checkpoint", "a checkpoint saved elsewhere (the JSON of GET /api/v1/public/audit/checkpoints/latest) to check the chain against; may be repeated", func(path string) error {
		files = append(files, path)
		return nil
	})
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	pub, err := checkpointKey(cfg, publicKey)
	if err != nil {
		return err
	}
	saved := make([]database.SavedCheckpoint, 0, len(files))
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		c, err := database.ParseCheckpointJSON(data)
		if err != nil {
			return fmt.Errorf("checkpoint %s: %w", path, err)
		}
		saved = append(saved, database.SavedCheckpoint{Checkpoint: c, Source: path})
	}
	if len(saved) > 0 && pub == nil {
		return fmt.Errorf("verify --checkpoint checks the checkpoint's signature: give the key with --public-key (GET /api/v1/verify/key), --signing-key or TAAHOD_SIGNING_KEY")
	}
	db, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	// The checkpoints are checked right after the chain itself.
	checks := append([]verify.Check{verify.Checks[0], verify.Checkpoints(pub, saved)}, verify.Checks[1:]...)
	broken := 0
	for _, c := range checks {
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

// checkpointKey is the public key that checks the checkpoints' signatures:
// the --public-key file's, else the signing key's public half, else none.
func checkpointKey(cfg config, publicKeyPath string) (ed25519.PublicKey, error) {
	if publicKeyPath != "" {
		data, err := os.ReadFile(publicKeyPath)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		pub, err := certificate.ParsePublicKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("public key %s: %w", publicKeyPath, err)
		}
		return pub, nil
	}
	if cfg.SigningKey == "" {
		return nil, nil
	}
	s, err := certificate.LoadSigningKey(cfg.SigningKey)
	if err != nil {
		return nil, err
	}
	return s.PublicKey(), nil
}
