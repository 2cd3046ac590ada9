package certificate

import (
	"crypto/ed25519"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

func sampleFacts(t testing.TB) Facts {
	return Facts{
		Serial:               "QZV-1404-000017",
		UnitNationalID:       "10860012342",
		FiscalYear:           1404,
		TaxDue:               decimal.RequireFromString("2500000000.00"),
		EligibleSpendingUsed: decimal.RequireFromString("1234567890.50"),
		OffsetAmount:         decimal.RequireFromString("1234567890.5"),
		IssuedOn:             jalali(t, 1404, 9, 5),
	}
}

// samplePayload is the facts payload of sampleFacts, byte for byte: the
// format is a contract with every verifier, so a change must show here.
const samplePayload = "taahod-certificate-v1\n" +
	"serial=QZV-1404-000017\n" +
	"unit_national_id=10860012342\n" +
	"fiscal_year=1404\n" +
	"tax_due=2500000000\n" +
	"eligible_spending_used=1234567890.5\n" +
	"offset_amount=1234567890.5\n" +
	"issued_on=2025-11-26\n"

func TestFactsPayload(t *testing.T) {
	got, err := FactsPayload(sampleFacts(t))
	if err != nil {
		t.Fatal(err)
	}
	if got != samplePayload {
		t.Errorf("FactsPayload =\n%s\nwant\n%s", got, samplePayload)
	}
	zero := sampleFacts(t)
	zero.TaxDue = decimal.Zero
	if got, _ := FactsPayload(zero); !strings.Contains(got, "\ntax_due=0\n") {
		t.Errorf("zero tax due written as %q", got)
	}
}

func TestFactsPayloadRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Facts)
		field string
	}{
		{"serial without sequence", func(f *Facts) { f.Serial = "QZV-1404" }, "serial"},
		{"serial with a newline", func(f *Facts) { f.Serial = "QZV-1404-000017\nx=1" }, "serial"},
		{"lowercase province", func(f *Facts) { f.Serial = "qzv-1404-000017" }, "serial"},
		{"national id with a wrong check digit", func(f *Facts) { f.UnitNationalID = "10860012343" }, "unit_national_id"},
		{"no national id", func(f *Facts) { f.UnitNationalID = "" }, "unit_national_id"},
		{"Gregorian year", func(f *Facts) { f.FiscalYear = 2025 }, "fiscal_year"},
		{"negative tax due", func(f *Facts) { f.TaxDue = decimal.RequireFromString("-1") }, "tax_due"},
		{"negative offset", func(f *Facts) { f.OffsetAmount = decimal.RequireFromString("-0.01") }, "offset_amount"},
		{"no issue date", func(f *Facts) { f.IssuedOn = taahod.Date{} }, "issued_on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := sampleFacts(t)
			tt.edit(&f)
			if _, err := FactsPayload(f); !hasField(err, tt.field) {
				t.Errorf("err = %v, want EINVALID naming %s", err, tt.field)
			}
		})
	}
}

func TestParseFactsPayload(t *testing.T) {
	f, err := ParseFactsPayload(samplePayload)
	if err != nil {
		t.Fatal(err)
	}
	if !f.Equal(sampleFacts(t)) {
		t.Errorf("parsed %+v, want %+v", f, sampleFacts(t))
	}

	line := func(key, value string) string {
		return strings.Replace(samplePayload, "\n"+key+"="+valueOf(samplePayload, key)+"\n", "\n"+key+"="+value+"\n", 1)
	}
	tests := []struct {
		name, text string
	}{
		{"empty", ""},
		{"other version", strings.Replace(samplePayload, "-v1", "-v2", 1)},
		{"no final newline", strings.TrimSuffix(samplePayload, "\n")},
		{"CRLF line ends", strings.ReplaceAll(samplePayload, "\n", "\r\n")},
		{"trailing line", samplePayload + "extra=1\n"},
		{"blank line at the end", samplePayload + "\n"},
		{"fields swapped", strings.Replace(strings.Replace(samplePayload, "tax_due=", "TMP=", 1), "offset_amount=", "tax_due=", 1)},
		{"missing field", strings.Replace(samplePayload, "fiscal_year=1404\n", "", 1)},
		{"trailing zero", line("tax_due", "2500000000.00")},
		{"leading zero year", line("fiscal_year", "01404")},
		{"plus sign", line("offset_amount", "+1234567890.5")},
		{"exponent", line("tax_due", "2.5e9")},
		{"grouped amount", line("tax_due", "2,500,000,000")},
		{"Persian digits", line("fiscal_year", "۱۴۰۴")},
		{"space after =", line("serial", " QZV-1404-000017")},
		{"Jalali date", line("issued_on", "1404/09/05")},
		{"bad check digit", line("unit_national_id", "10860012343")},
		{"document payload", samplePayload + "pdf_sha256=" + strings.Repeat("a", 64) + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if f, err := ParseFactsPayload(tt.text); err == nil {
				t.Errorf("ParseFactsPayload accepted %q as %+v", tt.text, f)
			}
		})
	}
}

// valueOf returns the value of key in a payload.
func valueOf(payload, key string) string {
	for _, l := range strings.Split(payload, "\n") {
		if v, ok := strings.CutPrefix(l, key+"="); ok {
			return v
		}
	}
	return ""
}

func TestDocumentPayload(t *testing.T) {
	sum := SHA256Hex([]byte("%PDF-1.3 ..."))
	doc, err := DocumentPayload(samplePayload, sum)
	if err != nil {
		t.Fatal(err)
	}
	if doc != samplePayload+"pdf_sha256="+sum+"\n" {
		t.Errorf("DocumentPayload = %q", doc)
	}
	f, gotSum, err := ParseDocumentPayload(doc)
	if err != nil || gotSum != sum || !f.Equal(sampleFacts(t)) {
		t.Errorf("ParseDocumentPayload = %+v, %q, %v", f, gotSum, err)
	}
	for _, bad := range []string{"", strings.ToUpper(sum), sum[:63], sum + "0"} {
		if _, err := DocumentPayload(samplePayload, bad); err == nil {
			t.Errorf("DocumentPayload accepted digest %q", bad)
		}
	}
	if _, err := DocumentPayload(strings.Replace(samplePayload, "1404\n", "1404 \n", 1), sum); err == nil {
		t.Error("DocumentPayload accepted a non-canonical facts payload")
	}
	for _, bad := range []string{samplePayload, doc + "x=1\n", strings.Replace(doc, "pdf_sha256", "pdf_sha1", 1)} {
		if _, _, err := ParseDocumentPayload(bad); err == nil {
			t.Errorf("ParseDocumentPayload accepted %q", bad)
		}
	}
}

func TestSignVerify(t *testing.T) {
	s := testSigner(t)
	pub := s.PublicKey()
	sig := s.Sign(samplePayload)
	if !Verify(pub, samplePayload, sig) {
		t.Fatal("a fresh signature does not verify")
	}
	if s.Sign(samplePayload) != sig {
		t.Error("Ed25519 signatures of the same text differ")
	}

	t.Run("every flipped payload byte fails", func(t *testing.T) {
		for i := range len(samplePayload) {
			b := []byte(samplePayload)
			b[i] ^= 0x01
			if Verify(pub, string(b), sig) {
				t.Errorf("payload with byte %d flipped still verifies", i)
			}
		}
	})
	t.Run("every flipped signature byte fails", func(t *testing.T) {
		raw, _ := base64.StdEncoding.DecodeString(sig)
		for i := range raw {
			b := append([]byte(nil), raw...)
			b[i] ^= 0x80
			if Verify(pub, samplePayload, base64.StdEncoding.EncodeToString(b)) {
				t.Errorf("signature with byte %d flipped still verifies", i)
			}
		}
	})
	t.Run("another key fails", func(t *testing.T) {
		other, _ := NewSigner(ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)))
		if Verify(other.PublicKey(), samplePayload, sig) {
			t.Error("verified with another key")
		}
		if Verify(pub, samplePayload, other.Sign(samplePayload)) {
			t.Error("accepted another key's signature")
		}
	})
	t.Run("malformed input fails", func(t *testing.T) {
		for _, bad := range []string{"", "!!", sig[:len(sig)-4], sig + "AAAA", strings.TrimRight(sig, "="),
			base64.RawURLEncoding.EncodeToString(mustDecode(t, sig))} {
			if Verify(pub, samplePayload, bad) {
				t.Errorf("Verify accepted signature %q", bad)
			}
		}
		if Verify(pub[:31], samplePayload, sig) || Verify(nil, samplePayload, sig) {
			t.Error("Verify accepted a short public key")
		}
	})
}

func mustDecode(t *testing.T, sig string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Keys written by OpenSSL 3: `openssl genpkey -algorithm ed25519`, its
// `openssl pkey -pubout`, and keys of other algorithms.
const (
	opensslEd25519 = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEID7sHTHHpsCVl3Fgku7nrejeB7WQW/9YqcY+4CBuXK+1
-----END PRIVATE KEY-----
`
	opensslEd25519Public = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAVjaP0COwhaQiZIini4lbN/Gs3iOsTC5gXT8CZcMNwvQ=
-----END PUBLIC KEY-----
`
	opensslP256 = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgDjnhIa+FkQGKUc5b
/Bs4eQfxtud+yercrhnBD5WcH1ahRANCAAQybxW3cw+1jiTDozwkcNNGdEm5puHD
enk7F/EKxtU64nxBa0EARlim9qpHhbMzTgBhgSAVFh/toVMlRRZX9vUH
-----END PRIVATE KEY-----
`
	opensslX25519 = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VuBCIEIBg+qXmpGBkRwdgJ/bxWy16WnR0B6TzvbLPAERLRdtFO
-----END PRIVATE KEY-----
`
)

func TestLoadSigningKey(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}

	s, err := LoadSigningKey(write("ed25519.pem", opensslEd25519))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(s.PublicKeyPEM()); got != opensslEd25519Public {
		t.Errorf("PublicKeyPEM =\n%s\nwant what openssl pkey -pubout writes:\n%s", got, opensslEd25519Public)
	}
	pub, err := ParsePublicKeyPEM([]byte(opensslEd25519Public))
	if err != nil || !pub.Equal(s.PublicKey()) {
		t.Errorf("ParsePublicKeyPEM = %v, %v", pub, err)
	}
	if !Verify(pub, "x", s.Sign("x")) {
		t.Error("a loaded key's signature does not verify with its public PEM")
	}

	tests := []struct {
		name, path, want string
	}{
		{"missing file", filepath.Join(dir, "absent.pem"), "does not exist"},
		{"a folder", dir, "read signing key"},
		{"not PEM", write("garbage.pem", "ed25519 key please"), "no PEM block"},
		{"public key", write("public.pem", opensslEd25519Public), `PEM block is "PUBLIC KEY"`},
		{"legacy EC key", write("ec.pem", strings.ReplaceAll(opensslP256, "PRIVATE KEY", "EC PRIVATE KEY")), `PEM block is "EC PRIVATE KEY"`},
		{"P-256 key", write("p256.pem", opensslP256), "is an ECDSA key, want Ed25519"},
		{"X25519 key", write("x25519.pem", opensslX25519), "is an X25519 or ECDH key, want Ed25519"},
		{"two keys", write("two.pem", opensslEd25519+opensslEd25519), "more than one PEM block"},
		{"bad DER", write("bad.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "not a PKCS#8 private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadSigningKey(tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one saying %q", err, tt.want)
			}
		})
	}
	for _, bad := range []string{"", opensslEd25519, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		if _, err := ParsePublicKeyPEM([]byte(bad)); err == nil {
			t.Errorf("ParsePublicKeyPEM accepted %q", bad)
		}
	}
	if _, err := NewSigner(make([]byte, 10)); err == nil {
		t.Error("NewSigner accepted a short key")
	}
}

func TestQRURL(t *testing.T) {
	s := testSigner(t)
	sig := s.Sign(samplePayload)
	u, err := QRURL("https://taahod.example/", "QZV-1404-000017", samplePayload, sig)
	if err != nil {
		t.Fatal(err)
	}
	prefix := "https://taahod.example/v/QZV-1404-000017?p="
	if !strings.HasPrefix(u, prefix) {
		t.Fatalf("QRURL = %q, want it to start %q", u, prefix)
	}
	p, sParam, _ := strings.Cut(strings.TrimPrefix(u, prefix), "&s=")
	if strings.ContainsAny(p+sParam, "+/=%") {
		t.Errorf("parameters %q, %q are not plain base64url", p, sParam)
	}
	payload, err := DecodeQRParam(p)
	if err != nil || string(payload) != samplePayload {
		t.Errorf("p decodes to %q, %v", payload, err)
	}
	if check, _ := CheckQR(s.PublicKey(), p, sParam, sampleFacts(t)); check != QRMatches {
		t.Errorf("CheckQR = %v, want QRMatches", check)
	}

	for _, tt := range []struct{ name, base, serial, sig string }{
		{"relative base", "/taahod", "QZV-1404-000017", sig},
		{"ftp base", "ftp://taahod.example", "QZV-1404-000017", sig},
		{"base with query", "https://taahod.example/?a=1", "QZV-1404-000017", sig},
		{"bad serial", "https://taahod.example", "QZV/1404", sig},
		{"bad signature", "https://taahod.example", "QZV-1404-000017", "c2ln"},
		{"base too long", "https://taahod.example/" + strings.Repeat("x", 200), "QZV-1404-000017", sig},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if u, err := QRURL(tt.base, tt.serial, samplePayload, tt.sig); err == nil {
				t.Errorf("QRURL = %q, want an error", u)
			}
		})
	}
}

func TestCheckQR(t *testing.T) {
	s := testSigner(t)
	pub := s.PublicKey()
	p := EncodeQRParam([]byte(samplePayload))
	sig := EncodeQRParam(mustDecode(t, s.Sign(samplePayload)))
	other := sampleFacts(t)
	other.Serial = "QZV-1404-000018"
	otherPayload, _ := FactsPayload(other)
	tampered := strings.Replace(samplePayload, "offset_amount=1234567890.5", "offset_amount=2234567890.5", 1)
	stranger, _ := NewSigner(ed25519.NewKeyFromSeed(make([]byte, 32)))

	tests := []struct {
		name, p, s string
		want       QRCheck
	}{
		{"genuine", p, sig, QRMatches},
		{"padded base64url", p + "=", sig + "==", QRMatches},
		{"no parameters", "", "", QRAbsent},
		{"payload only", p, "", QRMalformed},
		{"signature only", "", sig, QRMalformed},
		{"standard base64", base64.StdEncoding.EncodeToString([]byte(samplePayload + "??>")), sig, QRMalformed},
		{"not a payload", EncodeQRParam([]byte("hello")), sig, QRMalformed},
		{"short signature", p, sig[:20], QRMalformed},
		{"tampered amount", EncodeQRParam([]byte(tampered)), sig, QRBadSignature},
		{"another key", p, EncodeQRParam(mustDecode(t, stranger.Sign(samplePayload))), QRBadSignature},
		{"another certificate's code", EncodeQRParam([]byte(otherPayload)),
			EncodeQRParam(mustDecode(t, s.Sign(otherPayload))), QRDiffers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _ := CheckQR(pub, tt.p, tt.s, sampleFacts(t)); got != tt.want {
				t.Errorf("CheckQR = %v, want %v", got, tt.want)
			}
		})
	}
}

func FuzzParseFactsPayload(f *testing.F) {
	f.Add(samplePayload)
	f.Add(samplePayload + "pdf_sha256=" + strings.Repeat("0", 64) + "\n")
	f.Add("taahod-certificate-v1\n")
	f.Fuzz(func(t *testing.T, text string) {
		facts, err := ParseFactsPayload(text)
		if err == nil {
			// Only the canonical text of some facts parses.
			if again, err := FactsPayload(facts); err != nil || again != text {
				t.Errorf("parsed %q but FactsPayload gives %q, %v", text, again, err)
			}
		}
		if facts, sum, err := ParseDocumentPayload(text); err == nil {
			payload, _ := FactsPayload(facts)
			if doc, _ := DocumentPayload(payload, sum); doc != text {
				t.Errorf("parsed document %q but it writes back as %q", text, doc)
			}
		}
	})
}

func FuzzCheckQR(f *testing.F) {
	s := testSigner(f)
	f.Add(EncodeQRParam([]byte(samplePayload)), EncodeQRParam(mustDecodeF(s.Sign(samplePayload))))
	f.Add("", "")
	f.Add("@@", "==")
	f.Fuzz(func(t *testing.T, p, sig string) {
		check, _ := CheckQR(s.PublicKey(), p, sig, sampleFacts(t))
		if check == QRMatches {
			payload, _ := DecodeQRParam(p)
			if string(payload) != samplePayload {
				t.Errorf("CheckQR matched p=%q, which is not the sample payload", p)
			}
		}
	})
}

func mustDecodeF(sig string) []byte {
	b, err := base64.StdEncoding.DecodeString(sig)
	if err != nil {
		panic(err)
	}
	return b
}
