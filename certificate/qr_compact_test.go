package certificate

import (
	"crypto/ed25519"
	"errors"
	"github.com/taahod/taahod/reports"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestCompactQRCodeRoundTrip(t *testing.T) {
	s := testSigner(t)
	for _, amount := range []string{"0", "1500", "0.5", "1234567890.12", "1234567890.5", "99999999999999999999999999.99"} {
		t.Run(amount, func(t *testing.T) {
			f := sampleFacts(t)
			f.OffsetAmount = decimal.RequireFromString(amount)
			payload, err := FactsPayload(f)
			if err != nil {
				t.Fatal(err)
			}
			code, err := CompactQRCode(f, payload, s)
			if err != nil {
				t.Fatal(err)
			}
			q, err := VerifyQRCode(s.PublicKey(), code)
			if err != nil {
				t.Fatal(err)
			}
			if !q.Matches(f, payload) || !q.OffsetAmount.Equal(f.OffsetAmount) || q.Serial != f.Serial || q.IssuedOn != f.IssuedOn || q.FiscalYear != f.FiscalYear {
				t.Errorf("the code states %+v", q)
			}
			// Another national id is other facts: the hash prefix tells.
			g := f
			g.UnitNationalID = "10860012350"
			gp, _ := FactsPayload(g)
			if q.Matches(g, gp) {
				t.Error("the summary matches facts of another unit")
			}
		})
	}
}

func TestCompactQRURL(t *testing.T) {
	for _, tc := range []struct{ base, want string }{
		{"https://taahod.example.ir", "HTTPS://TAAHOD.EXAMPLE.IR/Q/ABC"},
		{"http://localhost:8080/", "HTTP://LOCALHOST:8080/Q/ABC"},
		// A path is case-sensitive: kept as configured.
		{"https://example.ir/taahod", "HTTPS://EXAMPLE.IR/taahod/Q/ABC"},
	} {
		got, err := CompactQRURL(tc.base, "ABC")
		if err != nil || got != tc.want {
			t.Errorf("CompactQRURL(%q) = %q, %v; want %q", tc.base, got, err, tc.want)
		}
		if !reports.IsCompactQRURL(got) || CompactQRCodeOf(got) != "ABC" {
			t.Errorf("%q is not read back as a compact URL", got)
		}
	}
	for _, base := range []string{"ftp://x", "https://x?a=1", "not a url"} {
		if u, err := CompactQRURL(base, "ABC"); err == nil {
			t.Errorf("CompactQRURL(%q) = %q, want an error", base, u)
		}
	}
	for _, u := range []string{"https://taahod.example/v/QZV-1404-000001?p=a&s=b", "https://x/Q/", ""} {
		if reports.IsCompactQRURL(u) {
			t.Errorf("reports.IsCompactQRURL(%q)", u)
		}
	}
}

// TestCompactQRDomain: the QR code's signature is over its own domain, so
// neither signature can stand for the other, and only the one encoding of
// a summary is read.
func TestCompactQRDomain(t *testing.T) {
	s := testSigner(t)
	f := sampleFacts(t)
	code, err := CompactQRCode(f, samplePayload, s)
	if err != nil {
		t.Fatal(err)
	}
	q, sig, err := ReadQRCode(code)
	if err != nil {
		t.Fatal(err)
	}
	summary, _ := q.marshal()
	if ed25519.Verify(s.PublicKey(), summary, sig) {
		t.Error("the QR signature verifies without its domain")
	}
	// The facts signature is no QR signature: a code made of the summary
	// and the signature of the summary alone (no domain) is refused.
	raw := append(append([]byte{}, summary...), ed25519.Sign(s.key, summary)...)
	if _, err := VerifyQRCode(s.PublicKey(), qrBase32.EncodeToString(raw)); !errors.Is(err, ErrQRSignature) {
		t.Errorf("a signature without the domain: %v, want ErrQRSignature", err)
	}
	if Verify(s.PublicKey(), samplePayload, s.Sign(qrDomain+string(summary))) {
		t.Error("a QR signature verifies as the facts signature")
	}
	for name, bad := range map[string]string{
		"last character":  code[:len(code)-1] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", code[len(code)-1])+1)%32]),
		"cut short":       code[:len(code)-8],
		"not base32":      code[:10] + "0" + code[11:],
		"empty":           "",
		"long URL":        "https://taahod.example/v/QZV-1404-000017?p=x&s=y",
		"extra byte":      qrBase32.EncodeToString(append(append(append([]byte{}, summary...), 0), sig...)),
		"unknown version": qrBase32.EncodeToString(append(append([]byte{2}, summary[1:]...), sig...)),
	} {
		if _, err := VerifyQRCode(s.PublicKey(), bad); err == nil {
			t.Errorf("%s: %q verified", name, bad)
		}
	}
}
