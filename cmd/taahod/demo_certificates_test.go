package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"flag"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/reports/fa"
	"golang.org/x/text/unicode/norm"
)

// sampleOut, when set, is where TestDemoCertificates writes the demo
// certificate (sample-certificate.pdf) and an annulled one
// (sample-certificate-annulled.pdf), for scripts/render-sample-certificate.
var sampleOut = flag.String("sample-out", "", "write the demo certificates' PDFs to this folder")

// writeSigningKey writes a new Ed25519 key as openssl genpkey does and
// points TAAHOD_SIGNING_KEY at it: the tests never rely on the developer's
// key.
func writeSigningKey(t *testing.T) string {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "signing-key.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TAAHOD_SIGNING_KEY", path)
	return path
}

// TestDemoCertificates seeds the demo without a signing key (the step is
// skipped), then with one: the demo certificates in their three states,
// then verify-cert on each kind of file.
func TestDemoCertificates(t *testing.T) {
	db, url := dbtest.NewWithURL(t)
	t.Setenv("DATABASE_URL", url)
	t.Setenv("TAAHOD_PUBLIC_URL", "http://localhost:8080")
	t.Setenv("TAAHOD_SIGNING_KEY", "")

	code, out, stderr := runTaahod(t, "", "seed-demo")
	if code != 0 || !strings.Contains(out, "demo: skipped certificates: TAAHOD_SIGNING_KEY is not set") {
		t.Fatalf("seed-demo without a key: %d %q %q", code, out, stderr)
	}
	if strings.Contains(out, "verification code") {
		t.Errorf("seed-demo without certificates names a verification code:\n%s", out)
	}
	writeSigningKey(t)
	code, out, stderr = runTaahod(t, "", "seed-demo")
	if code != 0 || !strings.Contains(out, "demo: loaded certificates") {
		t.Fatalf("seed-demo with a key: %d %q %q", code, out, stderr)
	}
	// It says how to verify the demo certificate in public, with its code,
	// before the users' table.
	var sig string
	if err := db.Get(&sig, `SELECT facts_signature FROM certificates WHERE serial = 'QZV-1403-000001'`); err != nil {
		t.Fatal(err)
	}
	vcode, err := certificate.VerificationCode(sig)
	if err != nil {
		t.Fatal(err)
	}
	line := "http://localhost:8080/v/QZV-1403-000001?code=" + vcode
	if i := strings.Index(out, line); i < 0 || !strings.Contains(out, "verification code "+vcode) || i > strings.Index(out, "Demo users") {
		t.Errorf("seed-demo does not print %s before the users:\n%s", line, out)
	}
	var states []string
	if err := db.Select(&states, `SELECT serial || ' ' || status FROM certificates ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	want := []string{"QZV-1404-000001 superseded", "QZV-1404-000002 valid", "QZV-1403-000001 valid", "QZV-1404-000003 revoked"}
	if strings.Join(states, ", ") != strings.Join(want, ", ") {
		t.Fatalf("demo certificates %v, want %v", states, want)
	}
	if code, out, _ := runTaahod(t, "", "verify"); code != 0 || !strings.Contains(out, "ok      certificates: 4 certificates, 2 serial counters") {
		t.Fatalf("verify: %d %s", code, out)
	}

	issuer, err := certificate.Issuer{Province: "QZV", PublicURL: "http://localhost:8080"}.Resolved()
	if err != nil {
		t.Fatal(err)
	}
	store, err := certificate.NewStore(db, issuer)
	if err != nil {
		t.Fatal(err)
	}
	stored := func(serial string) []byte {
		t.Helper()
		var pdf []byte
		if err := db.Get(&pdf, `SELECT pdf FROM certificates WHERE serial = $1`, serial); err != nil {
			t.Fatal(err)
		}
		return pdf
	}
	served := func(serial string) []byte {
		t.Helper()
		pdf, _, err := store.PDF(context.Background(), taahod.System, serial)
		if err != nil {
			t.Fatal(err)
		}
		return pdf
	}
	sample := stored("QZV-1403-000001")

	t.Run("the demo certificate reads right", func(t *testing.T) {
		rec, err := store.Lookup(context.Background(), "QZV-1403-000001")
		if err != nil {
			t.Fatal(err)
		}
		checkCertificatePDF(t, sample, rec, []string{
			"شرکت فولاد البرز قزوین", "گواهی", "QZV-1403-000001", "۱۰٬۲۵۰٬۰۰۰٬۰۰۰", "۴۱٬۰۰۰٬۰۰۰٬۰۰۰", "۱۸٬۰۰۰٬۰۰۰٬۰۰۰",
			"ده میلیارد و دویست و پنجاه میلیون ریال", fa.Digits(demoEconomicCode), "مریم احمدی", "ث-۴۴۲", "۱۴۰۳-۱۱۸۷",
		})
		if *sampleOut != "" {
			for name, pdf := range map[string][]byte{"sample-certificate.pdf": sample, "sample-certificate-annulled.pdf": served("QZV-1404-000003")} {
				if err := os.WriteFile(filepath.Join(*sampleOut, name), pdf, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	})

	file := func(name string, pdf []byte) string {
		path := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(path, pdf, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	// One bit of the page's content stream changed.
	flipped := bytes.Clone(sample)
	flipped[bytes.Index(flipped, []byte("stream\n"))+100] ^= 0x01
	otherSigner := func(t *testing.T) { writeSigningKey(t) }
	for _, tc := range []struct {
		name    string
		pdf     []byte
		setup   func(t *testing.T)
		code    int
		verdict string
	}{
		{"the valid certificate as issued", sample, nil, 0, "GENUINE AND VALID"},
		{"the replacing certificate", stored("QZV-1404-000002"), nil, 0, "GENUINE AND VALID"},
		{"a flipped byte", flipped, nil, 1, "TAMPERED"},
		{"the superseded certificate as issued", stored("QZV-1404-000001"), nil, 3, "GENUINE BUT SUPERSEDED by QZV-1404-000002"},
		{"the superseded copy given out now", served("QZV-1404-000001"), nil, 3, "GENUINE BUT SUPERSEDED"},
		{"the revoked certificate as issued", stored("QZV-1404-000003"), nil, 3, "GENUINE BUT REVOKED"},
		{"the revoked copy given out now", served("QZV-1404-000003"), nil, 3, "GENUINE BUT REVOKED"},
		{"an unknown serial", bytes.Replace(sample, []byte("QZV-1403-000001"), []byte("QZV-1403-000042"), -1), nil, 1, "UNKNOWN"},
		{"not a certificate", []byte("%PDF-1.4 a letter\n%%EOF\n"), nil, 1, "NOT A CERTIFICATE"},
		{"checked with another key", sample, otherSigner, 1, "NOT GENUINE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.setup != nil {
				tc.setup(t)
			}
			code, out, stderr := runTaahod(t, "", "verify-cert", file("cert.pdf", tc.pdf))
			if code != tc.code || !strings.Contains(out, "verdict:     "+tc.verdict) {
				t.Fatalf("exit %d (want %d)\n%s%s", code, tc.code, out, stderr)
			}
		})
	}
	t.Run("the annulled copy is recognised as such", func(t *testing.T) {
		_, out, _ := runTaahod(t, "", "verify-cert", file("cert.pdf", served("QZV-1404-000003")))
		if !strings.Contains(out, "file is:     the revoked copy given out after the certificate was annulled") {
			t.Fatalf("%s", out)
		}
	})
	t.Run("without a key", func(t *testing.T) {
		t.Setenv("TAAHOD_SIGNING_KEY", "")
		code, _, stderr := runTaahod(t, "", "verify-cert", file("cert.pdf", sample))
		if code != 1 || !strings.Contains(stderr, "TAAHOD_SIGNING_KEY") {
			t.Fatalf("%d %s", code, stderr)
		}
	})
	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{{"verify-cert"}, {"verify-cert", "a.pdf", "b.pdf"}} {
			if code, _, stderr := runTaahod(t, "", args...); code != 2 || !strings.Contains(stderr, "Usage:") {
				t.Errorf("%v: %d %s", args, code, stderr)
			}
		}
	})
	t.Run("verify finds a certificate changed behind its back", func(t *testing.T) {
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, q := range []string{`SET session_replication_role = replica`,
			`UPDATE certificates SET content = jsonb_set(content, '{unit,name}', '"واحد دیگر"') WHERE serial = 'QZV-1403-000001'`,
			`SET session_replication_role = origin`} {
			if _, err := conn.ExecContext(context.Background(), q); err != nil {
				t.Fatal(err)
			}
		}
		code, out, _ := runTaahod(t, "", "verify")
		if code != 1 || !strings.Contains(out, "certificate QZV-1403-000001: rendering what it printed with renderer version 2 gives other bytes") {
			t.Fatalf("%d %s", code, out)
		}
	})
}

// checkCertificatePDF reads a certificate back as a reader would: its text
// with pdftotext, its font with pdffonts, its QR code with zbarimg. The
// tools are needed (make test installs them): a skipped check would look
// like a passing one.
func checkCertificatePDF(t *testing.T, pdf []byte, rec certificate.Record, want []string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "cert.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	text := readable(tool(t, "pdftotext", "-enc", "UTF-8", path, "-"))
	for _, w := range want {
		if !strings.Contains(text, readable(w)) {
			t.Errorf("pdftotext lacks %q", w)
		}
	}
	fonts := tool(t, "pdffonts", path)
	if !regexp.MustCompile(`(?m)^[A-Z]{6}\+Vazirmatn-Regular\s+CID TrueType\s+Identity-H\s+yes\s+yes\s+yes`).MatchString(fonts) {
		t.Errorf("Vazirmatn is not embedded as a subset:\n%s", fonts)
	}
	tool(t, "pdftoppm", "-png", "-r", "200", "-singlefile", path, filepath.Join(dir, "page"))
	codes := strings.Fields(tool(t, "zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", filepath.Join(dir, "page.png")))
	if len(codes) != 1 || codes[0] != rec.Printed.QRURL {
		t.Errorf("QR codes %q, want the signed URL %q", codes, rec.Printed.QRURL)
	}
	if len(pdf) > 100_000 {
		t.Errorf("%d bytes, over 100 KB", len(pdf))
	}
}

// tool runs a PDF tool and returns its output.
func tool(t *testing.T, name string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Fatalf("%s is needed to read the certificate back: apt-get install poppler-utils zbar-tools", name)
	}
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return string(out)
}

// readable brings extracted and drawn text to a comparable form (see the
// reports package's tests): NFKC, no white space, ZWNJ, bidi controls or
// the punctuation pdftotext's bidi moves about.
func readable(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u200c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '.', ':', '،', '—', '(', ')', '«', '»', '-':
			return -1
		}
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, norm.NFKC.String(s))
}

// TestServeSigningKey: serve refuses a signing key it cannot read, and
// publishes the public half of the one it is given.
func TestServeSigningKey(t *testing.T) {
	_, url := dbtest.NewWithURL(t)
	t.Setenv("DATABASE_URL", url)
	t.Setenv("TAAHOD_SIGNING_KEY", filepath.Join(t.TempDir(), "missing.pem"))
	if code, _, stderr := runTaahod(t, "", "serve", "--addr", "127.0.0.1:0"); code != 1 || !strings.Contains(stderr, "missing.pem does not exist") {
		t.Fatalf("serve with a missing key: %d %q", code, stderr)
	}
	t.Setenv("TAAHOD_SIGNING_KEY", "")
	t.Setenv("TAAHOD_PROVINCE", "XYZ")
	if code, _, stderr := runTaahod(t, "", "serve", "--addr", "127.0.0.1:0"); code != 1 || !strings.Contains(stderr, "TAAHOD_PROVINCE_NAME") {
		t.Fatalf("serve for a province without a name: %d %q", code, stderr)
	}
	t.Setenv("TAAHOD_PROVINCE", "QZV")

	key := writeSigningKey(t)
	base, cancel, done := startServe(t)
	defer cancel()
	res, err := http.Get(base + "/api/v1/verify/key")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	signer, err := certificate.LoadSigningKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != 200 || !bytes.Equal(got, signer.PublicKeyPEM()) {
		t.Fatalf("verify/key: %d %s", res.StatusCode, got)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}
