package main

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
)

// verifyQRCommand checks what a certificate's QR code carries (its URL as a
// reader gives it, or the code after /Q/) with the public key alone, with
// no database and no network: the offline check anyone can make with the
// key GET /api/v1/verify/key publishes. It prints what the code states and
// exits 0 when its signature holds, 1 when not. Whether the certificate
// still stands, only the service says (its verify page).
func verifyQRCommand(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify-qr", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	publicKey := fs.String("public-key", "", "PEM public key (SubjectPublicKeyInfo) as GET /api/v1/verify/key serves it")
	signingKey := fs.String("signing-key", os.Getenv("TAAHOD_SIGNING_KEY"), "or the Ed25519 private key, whose public half checks the code (default $TAAHOD_SIGNING_KEY)")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		if err == nil {
			fmt.Fprintln(stderr, "taahod verify-qr: give the text of one QR code")
		}
		return errUsage
	}
	pub, err := qrKey(*publicKey, *signingKey)
	if err != nil {
		return err
	}
	q, err := certificate.VerifyQRCode(pub, fs.Arg(0))
	if err != nil && !errors.Is(err, certificate.ErrQRSignature) {
		fmt.Fprintf(stdout, "verdict:     NOT A CERTIFICATE'S QR CODE: %v\n", err)
		return exitNotGenuine
	}
	fmt.Fprintf(stdout, "serial:      %s\nfiscal year: %d\noffset:      %s Rials\nissued:      %s (%s)\nfacts hash:  %x… (the first 8 bytes of the SHA-256 the certificate prints)\n",
		q.Serial, q.FiscalYear, taahod.FormatAmount(q.OffsetAmount), q.IssuedOn, q.IssuedOn.Jalali(), q.FactsHashPrefix)
	if err != nil {
		fmt.Fprintln(stdout, "verdict:     NOT GENUINE: "+err.Error())
		return exitNotGenuine
	}
	fmt.Fprintln(stdout, "verdict:     GENUINE SIGNATURE: the key signed these facts; whether the certificate still stands, its verify page says")
	return nil
}

// qrKey reads the public key to check a QR code with: the PEM public key
// file if given, else the public half of the signing key.
func qrKey(publicKey, signingKey string) (ed25519.PublicKey, error) {
	switch {
	case publicKey != "":
		data, err := os.ReadFile(publicKey)
		if err != nil {
			return nil, err
		}
		pub, err := certificate.ParsePublicKeyPEM(data)
		if err != nil {
			return nil, fmt.Errorf("public key %s: %w", publicKey, err)
		}
		return pub, nil
	case strings.TrimSpace(signingKey) != "":
		s, err := certificate.LoadSigningKey(signingKey)
		if err != nil {
			return nil, err
		}
		return s.PublicKey(), nil
	}
	return nil, errors.New("verify-qr checks the code with the public key: give --public-key FILE.pem (GET /api/v1/verify/key), or --signing-key or TAAHOD_SIGNING_KEY")
}
