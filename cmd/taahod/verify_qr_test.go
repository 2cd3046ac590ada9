package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
)

// TestVerifyQR checks a certificate's QR code offline, as a verifier with
// only the published public key does: a genuine code exits 0 and states
// the certificate; an altered one, another key's, or text that is no QR
// code's exits 1.
func TestVerifyQR(t *testing.T) {
	keyPath := writeSigningKey(t)
	signer, err := certificate.LoadSigningKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	pubPath := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(pubPath, signer.PublicKeyPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	issued, _ := taahod.NewDate(2025, time.November, 26)
	f := certificate.Facts{Serial: "QZV-1404-000017", UnitNationalID: "10860012342", FiscalYear: 1404,
		TaxDue: decimal.RequireFromString("2500000000"), EligibleSpendingUsed: decimal.RequireFromString("1234567890.5"),
		OffsetAmount: decimal.RequireFromString("1234567890.5"), IssuedOn: issued}
	payload, err := certificate.FactsPayload(f)
	if err != nil {
		t.Fatal(err)
	}
	code, err := certificate.CompactQRCode(f, payload, signer)
	if err != nil {
		t.Fatal(err)
	}
	qrURL, err := certificate.CompactQRURL("https://taahod.example", code)
	if err != nil {
		t.Fatal(err)
	}
	// Another key's signature of the same summary.
	otherKey := filepath.Join(t.TempDir(), "other.pem")
	other := writeSigningKey(t)
	if err := os.Rename(other, otherKey); err != nil {
		t.Fatal(err)
	}
	otherSigner, err := certificate.LoadSigningKey(otherKey)
	if err != nil {
		t.Fatal(err)
	}
	foreign, _ := certificate.CompactQRCode(f, payload, otherSigner)
	t.Setenv("TAAHOD_SIGNING_KEY", "")

	for _, tc := range []struct {
		name   string
		args   []string
		status int
		want   string
	}{
		{"the URL with the public key", []string{"--public-key", pubPath, qrURL}, 0, "GENUINE SIGNATURE"},
		{"the code in lower case", []string{"--public-key", pubPath, strings.ToLower(code)}, 0, "QZV-1404-000017"},
		{"with the signing key", []string{"--signing-key", keyPath, qrURL}, 0, "1234567890.5 Rials"},
		{"another key's code", []string{"--public-key", pubPath, foreign}, 1, "NOT GENUINE"},
		{"not a QR code", []string{"--public-key", pubPath, "https://taahod.example/v/QZV-1404-000017"}, 1, "NOT A CERTIFICATE'S QR CODE"},
		{"no key", []string{qrURL}, 1, ""},
		{"no text", []string{"--public-key", pubPath}, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			status := run(context.Background(), append([]string{"verify-qr"}, tc.args...), strings.NewReader(""), &out, &errOut)
			if status != tc.status || !strings.Contains(out.String(), tc.want) {
				t.Errorf("exit %d, want %d\n%s%s", status, tc.status, out.String(), errOut.String())
			}
		})
	}
}
