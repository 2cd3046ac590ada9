package certificate

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"strings"
	"testing"
)

// codeShape is a code as VerificationCode writes it: ten characters of
// Crockford's base32 in groups of four, four and two.
var codeShape = regexp.MustCompile(`^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}$`)

func TestVerificationCode(t *testing.T) {
	_, issued := issuedSample(t)
	code := issued.VerificationCode
	if !codeShape.MatchString(code) {
		t.Fatalf("code %q is not 10 Crockford base32 characters grouped 4-4-2", code)
	}
	again, err := VerificationCode(issued.FactsSignature)
	if err != nil || again != code {
		t.Fatalf("derived again: %q, %v; issued %q", again, err, code)
	}
	// The code is the signature's, not the facts': another signature of the
	// same facts (another key) gives another code.
	other, _ := VerificationCode(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 64)))
	if other == code || !codeShape.MatchString(other) {
		t.Errorf("another signature's code %q (this one's %q)", other, code)
	}
	for _, bad := range []string{"", "abc", base64.StdEncoding.EncodeToString(make([]byte, 63))} {
		if c, err := VerificationCode(bad); err == nil {
			t.Errorf("VerificationCode(%q) = %q, want an error", bad, c)
		}
	}

	// 50 bits: the ten characters spell the digest's first 50 bits.
	sig, _ := base64.StdEncoding.DecodeString(issued.FactsSignature)
	sum := sha256.Sum256(append([]byte(codeDomain), sig...))
	var bits strings.Builder
	for _, b := range sum[:7] {
		for i := 7; i >= 0; i-- {
			bits.WriteByte('0' + b>>i&1)
		}
	}
	var want strings.Builder
	for i := 0; i < 50; i += 5 {
		v := 0
		for _, ch := range bits.String()[i : i+5] {
			v = v<<1 | int(ch-'0')
		}
		want.WriteByte(crockford[v])
	}
	if strings.ReplaceAll(code, "-", "") != want.String() {
		t.Errorf("code %q, want the digest's first 50 bits %s", code, want.String())
	}
}

func TestReadVerificationCode(t *testing.T) {
	for typed, want := range map[string]string{
		"7KQ4-M2XD-9P":           "7KQ4-M2XD-9P",
		"7kq4-m2xd-9p":           "7KQ4-M2XD-9P",
		"7KQ4M2XD9P":             "7KQ4-M2XD-9P",
		" 7KQ4 M2XD 9P ":         "7KQ4-M2XD-9P",
		"۷KQ۴-M۲XD-۹P":           "7KQ4-M2XD-9P", // Persian digits
		"٧KQ٤–M٢XD–٩P":           "7KQ4-M2XD-9P", // Arabic-Indic digits, en dashes
		"OIL0-0000-00":           "0110-0000-00", // O, I, L read as 0, 1, 1
		"1234-5678-9A\u200c":     "1234-5678-9A",
		"abcd-efgh-jk":           "ABCD-EFGH-JK",
		"0000-0000-00":           "0000-0000-00",
		"zzzz-zzzz-zz":           "ZZZZ-ZZZZ-ZZ",
		"7K-Q4-M2-XD-9P":         "7KQ4-M2XD-9P",
		"7KQ4-M2XD-9P\t":         "7KQ4-M2XD-9P",
		"7KQ4\u2011M2XD\u20119P": "7KQ4-M2XD-9P",
	} {
		if got, ok := ReadVerificationCode(typed); !ok || got != want {
			t.Errorf("ReadVerificationCode(%q) = %q, %v; want %q", typed, got, ok, want)
		}
	}
	for _, typed := range []string{"", "7KQ4-M2XD-9", "7KQ4-M2XD-9PP", "7KQ4-M2XD-9U", "7KQ4-M2XD-9!", "7KQ4_M2XD_9P", "７KQ4-M2XD-9P", "7KQ4-M2XD-9P\x00"} {
		if got, ok := ReadVerificationCode(typed); ok {
			t.Errorf("ReadVerificationCode(%q) = %q, want refused", typed, got)
		}
	}
}

func TestRecordProofs(t *testing.T) {
	_, issued := issuedSample(t)
	r := Record{FactsPayload: issued.FactsPayload, FactsSignature: issued.FactsSignature}
	r.Printed.QRURL = issued.QRURL
	if r.VerificationCode() != issued.VerificationCode || !r.HasCode(issued.VerificationCode) {
		t.Fatalf("the record's code %q, issued %q", r.VerificationCode(), issued.VerificationCode)
	}
	if r.HasCode("") || r.HasCode("0000-0000-00") || r.HasCode(strings.ReplaceAll(issued.VerificationCode, "-", "")) {
		t.Error("another code is taken")
	}
	// The long URL of the first certificates carried the facts and their
	// signature whole; it still proves holding the certificate.
	old, err := QRURL("https://taahod.example", "QZV-1404-000017", issued.FactsPayload, issued.FactsSignature)
	if err != nil {
		t.Fatal(err)
	}
	p, s := qrParam(t, old, "p"), qrParam(t, old, "s")
	if !r.HasSignedFacts(p, s) {
		t.Error("the old QR code's own p and s are not taken")
	}
	code := CompactQRCodeOf(issued.QRURL)
	if !r.HasQRCode(code) || !r.HasQRCode(strings.ToLower(code)) {
		t.Error("the QR code's own code is not taken")
	}
	for _, other := range []string{"", "A", code[:len(code)-1], code + "A", strings.Replace(code, code[5:6], "Z", 1)} {
		if other != code && r.HasQRCode(other) {
			t.Errorf("code %q taken", other)
		}
	}
	if (Record{}).HasQRCode(code) {
		t.Error("a certificate with a long QR URL takes a compact code")
	}
	for _, ps := range [][2]string{{"", ""}, {p, ""}, {"", s}, {p, p}, {s, s}, {p + "A", s}, {EncodeQRParam([]byte(strings.Replace(issued.FactsPayload, "1404", "1403", 1))), s}} {
		if r.HasSignedFacts(ps[0], ps[1]) {
			t.Errorf("p=%q s=%q taken", ps[0], ps[1])
		}
	}
}
