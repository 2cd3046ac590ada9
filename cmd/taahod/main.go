// Command taahod is the whole service in one binary: it serves the API,
// migrates the schema, adds users, loads the demo data and verifies the books.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `taahod — Article 172 commitments and the working group's registry

Usage:
  taahod serve      [--addr :8080]       migrate, then serve the HTTP API
  taahod migrate                         apply the embedded migrations (safe to repeat)
  taahod user add   --username NAME --role ROLE [--unit UNIT_ID ...] [--full-name TEXT]
                                         add a user; the password is read from standard input
  taahod seed-demo                       load the demo data (safe to repeat) and print the demo users
  taahod verify      [--checkpoint FILE ...] [--public-key PATH | --signing-key PATH]
                                         re-derive the books, check the audit chain (against every stored signed
                                         checkpoint and each FILE saved elsewhere) and the certificates; non-zero on a break
  taahod verify-cert [--signing-key PATH] FILE.pdf
                                         check a certificate PDF against the database and the signing key:
                                         exit 0 genuine and valid, 3 genuine but revoked or superseded,
                                         1 tampered, unknown or not a certificate
  taahod verify-qr [--public-key FILE.pem | --signing-key PATH] TEXT
                                         check a certificate's QR code (its URL or the code after /Q/)
                                         offline with the public key alone: exit 0 genuine signature,
                                         1 not genuine or not a certificate's QR code
  taahod help                            this text

Every command but help and verify-qr takes --database-url (default $DATABASE_URL).
Environment: DATABASE_URL, TAAHOD_ADDR (:8080), TAAHOD_PROVINCE (QZV),
TAAHOD_SIGNING_KEY (Ed25519 PEM PKCS#8; without it serve runs but cannot issue certificates
or sign the audit checkpoints),
TAAHOD_PUBLIC_URL, TAAHOD_PROVINCE_NAME and TAAHOD_ISSUE_PLACE (printed on certificates;
known for QZV), TAAHOD_DB_MAX_CONNS (16), TAAHOD_TOKEN_TTL (12h), TAAHOD_LOG_LEVEL (info),
TAAHOD_REVIEW_WAIT_DAYS (7: the tax officers' reminder), TAAHOD_SMTP_URL (mail the inbox;
smtp://[user:password@]host[:port]?from=address).
Roles: admin, secretariat, accountant, tax_officer, education_officer, auditor.
`

// errUsage makes main print the usage and exit 2.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is main without the process: it returns the exit status.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serveCommand(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = migrateCommand(ctx, args[1:], stdout, stderr)
	case "user":
		if len(args) < 2 || args[1] != "add" {
			err = errUsage
			break
		}
		err = userAddCommand(ctx, args[2:], stdin, stdout, stderr)
	case "seed-demo":
		err = seedDemoCommand(ctx, args[1:], stdout, stderr)
	case "verify":
		err = verifyCommand(ctx, args[1:], stdout, stderr)
	case "verify-cert":
		err = verifyCertCommand(ctx, args[1:], stdout, stderr)
	case "verify-qr":
		err = verifyQRCommand(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "taahod: unknown command %q\n\n", args[0])
		err = errUsage
	}
	var status exitStatus
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage), errors.Is(err, flag.ErrHelp):
		fmt.Fprint(stderr, usage)
		return 2
	case errors.Is(err, errFindings):
		return 1
	case errors.As(err, &status):
		return int(status)
	default:
		fmt.Fprintf(stderr, "taahod: %v\n", err)
		return 1
	}
}
