package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/reports"
)

// exitStatus makes main exit with the status without printing more: the
// command has printed its verdict.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// Exit statuses of verify-cert beyond 0 (genuine and valid).
const (
	// exitNotGenuine: tampered, unknown, not a certificate, or a stored
	// certificate whose signatures do not hold.
	exitNotGenuine exitStatus = 1
	// exitAnnulled: a genuine certificate that is revoked or superseded.
	exitAnnulled exitStatus = 3
)

// verifyCertCommand checks a certificate PDF against the database: that the
// file is the PDF as issued (or the annulled copy given out later), that the
// stored certificate's signatures hold with the configured key, and its
// status. It exits 0 only for the issued PDF of a valid certificate.
func verifyCertCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	fs := flagSet("verify-cert", stderr, &cfg)
	fs.StringVar(&cfg.SigningKey, "signing-key", cfg.SigningKey, "Ed25519 private key whose public half checks the signatures (default $TAAHOD_SIGNING_KEY)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		if err == nil {
			fmt.Fprintln(stderr, "taahod verify-cert: name one PDF file")
		}
		return errUsage
	}
	path := fs.Arg(0)
	pdf, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	issuer, err := cfg.issuer()
	if err != nil {
		return err
	}
	if issuer.Signer == nil {
		return fmt.Errorf("verify-cert checks the signatures with the signing key: set TAAHOD_SIGNING_KEY or --signing-key")
	}
	db, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	store, err := certificate.NewStore(db, issuer)
	if err != nil {
		return err
	}

	fmt.Fprintf(stdout, "file:        %s\nsha256:      %s\n", path, certificate.SHA256Hex(pdf))
	check, err := store.CheckFile(ctx, pdf, issuer.Signer.PublicKey())
	if err != nil {
		if _, _, infoErr := reports.CertificateInfo(pdf); infoErr != nil {
			fmt.Fprintf(stdout, "verdict:     NOT A CERTIFICATE: %v\n", infoErr)
			return exitNotGenuine
		}
		return err
	}
	fmt.Fprintf(stdout, "serial:      %s\n", check.Serial)
	if !check.Found {
		fmt.Fprintf(stdout, "verdict:     UNKNOWN: no certificate has the serial %s; the file is not genuine\n", check.Serial)
		return exitNotGenuine
	}
	r := check.Record
	fmt.Fprintf(stdout, "certificate: %s (national id %s), fiscal year %d, offset %s Rials, issued %s (%s)\n",
		r.Printed.Unit.Name, r.Printed.Unit.NationalID, r.FiscalYear, taahod.FormatAmount(r.OffsetAmount), r.IssuedOn, r.IssuedOn.Jalali())
	fmt.Fprintf(stdout, "status:      %s\n", statusLine(r))
	switch check.Copy {
	case certificate.CopyIssued:
		fmt.Fprintln(stdout, "file is:     the PDF as issued, byte for byte")
	case certificate.CopyAnnulled:
		fmt.Fprintf(stdout, "file is:     the %s copy given out after the certificate was annulled, byte for byte\n", r.Status)
	default:
		fmt.Fprintf(stdout, "file is:     NEITHER the PDF as issued (sha256 %s) NOR its annulled copy\n", r.SHA256)
	}
	if len(check.Problems) == 0 {
		fmt.Fprintln(stdout, "signatures:  the stored payloads and the QR code verify with the key")
	} else {
		fmt.Fprintf(stdout, "signatures:  BROKEN: %s\n", strings.Join(check.Problems, "; "))
	}

	switch {
	case check.Valid():
		fmt.Fprintln(stdout, "verdict:     GENUINE AND VALID")
		return nil
	case len(check.Problems) > 0:
		fmt.Fprintln(stdout, "verdict:     NOT GENUINE: the stored certificate does not hold together; run taahod verify")
		return exitNotGenuine
	case check.Copy == certificate.CopyAltered:
		fmt.Fprintln(stdout, "verdict:     TAMPERED: the file is not the certificate that was issued under this serial")
		return exitNotGenuine
	case r.Status == certificate.StatusRevoked:
		fmt.Fprintln(stdout, "verdict:     GENUINE BUT REVOKED: the certificate is void")
	default:
		fmt.Fprintf(stdout, "verdict:     GENUINE BUT SUPERSEDED by %s: the certificate is void\n", deref(r.SupersededBy))
	}
	return exitAnnulled
}

// statusLine says a certificate's status with when and why it changed.
func statusLine(r certificate.Record) string {
	if r.Status == certificate.StatusValid {
		return "valid"
	}
	s := string(r.Status)
	if r.SupersededBy != nil {
		s += " by " + *r.SupersededBy
	}
	if r.StatusAt != nil {
		on := taahod.Today(*r.StatusAt)
		s += " on " + on.String() + " (" + on.Jalali() + ")"
	}
	if r.StatusReason != nil {
		s += ": " + *r.StatusReason
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
