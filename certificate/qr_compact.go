package certificate

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/taahod/taahod/reports"
	"math/big"
	"net/url"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

// A certificate's QR code carries a compact signed summary of its facts in
// an upper-case URL, {PUBLIC URL}/Q/<CODE>, short enough (about 180
// characters) for QR version 10 at error correction level Q, written in
// the QR alphanumeric mode, and printed 36 mm wide: modules of 0.63 mm that
// a phone still reads from a blurred photocopy. The long URL of the first
// certificates (/v/SERIAL?p=&s=, the whole facts payload in base64url,
// version 17) needed a clean print.
//
// CODE is RFC 4648 base32 without padding (A–Z, 2–7: URL-safe and within
// the QR alphanumeric set, unlike base45's space and percent sign) of
// the binary summary followed by its 64-byte Ed25519 signature. The summary,
// version 1, is, big-endian:
//
//	1 byte   version, 1
//	1 byte   n, the length of the serial's province code (2–8)
//	n bytes  the province code, ASCII capitals
//	2 bytes  the serial's year
//	3 bytes  the serial's sequence
//	2 bytes  the fiscal year
//	3 bytes  the date of issue, days since 1970-01-01
//	1 byte   s, the offset amount's fractional digits (0–18)
//	1 byte   m, the length of its coefficient (0–32)
//	m bytes  the coefficient, without leading zero bytes: amount = coefficient / 10^s
//	8 bytes  the first 8 bytes of the SHA-256 of the facts payload
//
// with s the fewest digits that write the amount exactly, so that one
// summary has one encoding. The facts hash binds the summary to the full
// facts (the unit's national id and the other amounts): the certificate
// prints that SHA-256 and the public verification serves it. The signature
// is over qrDomain followed by the summary, so that it can never stand for
// a signature of a facts or document payload, which begin with FactsVersion.

// qrDomain prefixes the summary in the signed message.
const qrDomain = "taahod-certificate-qr-v1\x00"

// qrSummaryVersion is the first byte of a summary.
const qrSummaryVersion = 1

// qrHashPrefix is the number of bytes of the facts payload's SHA-256 a
// summary carries: 64 bits, beyond any search for a second facts payload
// that would match it.
const qrHashPrefix = 8

// qrBase32 is RFC 4648 base32 without padding.
var qrBase32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// QRSummary is what a certificate's compact QR code states.
type QRSummary struct {
	Serial       string
	FiscalYear   int
	OffsetAmount decimal.Decimal
	IssuedOn     taahod.Date
	// FactsHashPrefix is the first 8 bytes of the SHA-256 of the facts
	// payload (FactsPayload).
	FactsHashPrefix [qrHashPrefix]byte
}

// QRSummaryOf returns the summary of the facts whose canonical payload is
// factsPayload.
func QRSummaryOf(f Facts, factsPayload string) QRSummary {
	sum := sha256.Sum256([]byte(factsPayload))
	q := QRSummary{Serial: f.Serial, FiscalYear: f.FiscalYear, OffsetAmount: f.OffsetAmount, IssuedOn: f.IssuedOn}
	copy(q.FactsHashPrefix[:], sum[:qrHashPrefix])
	return q
}

// Matches reports whether the summary states exactly these facts, whose
// canonical payload is factsPayload.
func (q QRSummary) Matches(f Facts, factsPayload string) bool {
	want := QRSummaryOf(f, factsPayload)
	return q.Serial == want.Serial && q.FiscalYear == want.FiscalYear && q.OffsetAmount.Equal(want.OffsetAmount) &&
		q.IssuedOn == want.IssuedOn && q.FactsHashPrefix == want.FactsHashPrefix
}

// epoch is the day the summary counts dates from.
var epoch = time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC)

// marshal writes the summary in its binary form.
func (q QRSummary) marshal() ([]byte, error) {
	if !reports.IsSerial(q.Serial) {
		return nil, fmt.Errorf("serial %q is not of the form PROVINCE-YEAR-SEQUENCE", q.Serial)
	}
	province, rest, _ := strings.Cut(q.Serial, "-")
	var year, seq int
	if _, err := fmt.Sscanf(rest, "%04d-%06d", &year, &seq); err != nil {
		return nil, fmt.Errorf("serial %q: %w", q.Serial, err)
	}
	if q.FiscalYear < 0 || q.FiscalYear > 0xffff {
		return nil, fmt.Errorf("fiscal year %d out of range", q.FiscalYear)
	}
	days := int(q.IssuedOn.Time().Sub(epoch).Hours() / 24)
	if q.IssuedOn.IsZero() || days < 0 || days >= 1<<24 {
		return nil, fmt.Errorf("date of issue %s out of range", q.IssuedOn)
	}
	scale, coef, err := amountParts(q.OffsetAmount)
	if err != nil {
		return nil, err
	}
	b := []byte{qrSummaryVersion, byte(len(province))}
	b = append(b, province...)
	b = binary.BigEndian.AppendUint16(b, uint16(year))
	b = append(b, byte(seq>>16), byte(seq>>8), byte(seq))
	b = binary.BigEndian.AppendUint16(b, uint16(q.FiscalYear))
	b = append(b, byte(days>>16), byte(days>>8), byte(days))
	b = append(b, byte(scale), byte(len(coef)))
	b = append(b, coef...)
	return append(b, q.FactsHashPrefix[:]...), nil
}

// amountParts splits a non-negative amount into its fewest fractional
// digits and the big-endian bytes of its coefficient.
func amountParts(a decimal.Decimal) (int, []byte, error) {
	if a.Sign() < 0 {
		return 0, nil, errors.New("negative amount")
	}
	scale := 0
	if exp := a.Exponent(); exp < 0 {
		scale = int(-exp)
	}
	coef := a.Shift(int32(scale)).BigInt()
	for scale > 0 && new(big.Int).Mod(coef, big.NewInt(10)).Sign() == 0 {
		coef.Div(coef, big.NewInt(10))
		scale--
	}
	b := coef.Bytes()
	if scale > 18 || len(b) > 32 {
		return 0, nil, fmt.Errorf("amount %s has too many digits for a QR code", a)
	}
	return scale, b, nil
}

// parseQRSummary reads a binary summary; it accepts only the one encoding
// marshal writes.
func parseQRSummary(b []byte) (QRSummary, error) {
	bad := func(what string) (QRSummary, error) { return QRSummary{}, errors.New("QR summary: " + what) }
	if len(b) < 2 || b[0] != qrSummaryVersion {
		return bad("unknown version")
	}
	n := int(b[1])
	if n < 2 || n > 8 || len(b) < 2+n+12 {
		return bad("truncated")
	}
	province := string(b[2 : 2+n])
	p := b[2+n:]
	year := int(binary.BigEndian.Uint16(p))
	seq := int(p[2])<<16 | int(p[3])<<8 | int(p[4])
	fiscal := int(binary.BigEndian.Uint16(p[5:]))
	days := int(p[7])<<16 | int(p[8])<<8 | int(p[9])
	scale, m := int(p[10]), int(p[11])
	p = p[12:]
	if len(p) != m+qrHashPrefix {
		return bad("wrong length")
	}
	var q QRSummary
	var err error
	q.Serial = fmt.Sprintf("%s-%04d-%06d", province, year, seq)
	if !reports.IsSerial(q.Serial) {
		return bad("malformed serial")
	}
	q.FiscalYear = fiscal
	issued := epoch.AddDate(0, 0, days)
	if q.IssuedOn, err = taahod.NewDate(issued.Date()); err != nil {
		return bad("date of issue out of range")
	}
	coef := new(big.Int).SetBytes(p[:m])
	q.OffsetAmount = decimal.NewFromBigInt(coef, -int32(scale))
	copy(q.FactsHashPrefix[:], p[m:])
	if again, err := q.marshal(); err != nil || !bytes.Equal(again, b) {
		return bad("not in canonical form")
	}
	return q, nil
}

// CompactQRCode signs the summary of a certificate's facts and returns the
// code its QR URL ends with: base32 of the summary and the signature.
func CompactQRCode(f Facts, factsPayload string, signer *Signer) (string, error) {
	summary, err := QRSummaryOf(f, factsPayload).marshal()
	if err != nil {
		return "", err
	}
	sig := ed25519.Sign(signer.key, append([]byte(qrDomain), summary...))
	return qrBase32.EncodeToString(append(summary, sig...)), nil
}

// CompactQRURL is the URL a certificate's QR code carries: the public URL
// with its scheme and host in capitals (they are case-insensitive; a path
// is kept as configured), then /Q/ and the code. Every character of it but
// a lower-case path is in the QR alphanumeric set.
func CompactQRURL(publicURL, code string) (string, error) {
	u, err := url.Parse(publicURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("public URL %q is not an http(s) URL without query", publicURL)
	}
	return strings.ToUpper(u.Scheme) + "://" + strings.ToUpper(u.Host) + strings.TrimRight(u.EscapedPath(), "/") + reports.CompactQRPath + code, nil
}

// CompactQRCodeOf returns the code of a compact QR URL, or "" for another
// URL.
func CompactQRCodeOf(u string) string {
	if !reports.IsCompactQRURL(u) {
		return ""
	}
	return u[strings.LastIndex(u, reports.CompactQRPath)+len(reports.CompactQRPath):]
}

// ReadQRCode splits a scanned compact QR code — the whole URL or the code
// after /Q/, in any case — into its summary and signature. It returns an
// error if the text is not one.
func ReadQRCode(scanned string) (QRSummary, []byte, error) {
	code := strings.TrimSpace(scanned)
	if i := strings.LastIndex(strings.ToUpper(code), reports.CompactQRPath); i >= 0 {
		code = code[i+len(reports.CompactQRPath):]
	}
	code = strings.ToUpper(code)
	raw, err := qrBase32.DecodeString(code)
	// Only the one encoding: no stray trailing bits.
	if err != nil || len(raw) <= ed25519.SignatureSize || qrBase32.EncodeToString(raw) != code {
		return QRSummary{}, nil, errors.New("not a certificate's QR code: not base32 of a signed summary")
	}
	summary, sig := raw[:len(raw)-ed25519.SignatureSize], raw[len(raw)-ed25519.SignatureSize:]
	q, err := parseQRSummary(summary)
	if err != nil {
		return QRSummary{}, nil, err
	}
	return q, sig, nil
}

// ErrQRSignature: a compact QR code whose signature is not the key's
// signature of its summary.
var ErrQRSignature = errors.New("the QR code's signature does not verify with the public key: it was altered or signed with another key")

// VerifyQRCode checks a scanned compact QR code (the URL or its code) with
// the public key alone, offline, and returns what it states. It returns
// ErrQRSignature when the signature does not hold, and another error when
// the text is not a certificate's QR code. What it states is then as true
// as the key: whether the certificate still stands, only the service says.
func VerifyQRCode(pub ed25519.PublicKey, scanned string) (QRSummary, error) {
	q, sig, err := ReadQRCode(scanned)
	if err != nil {
		return QRSummary{}, err
	}
	summary, _ := q.marshal()
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, append([]byte(qrDomain), summary...), sig) {
		return q, ErrQRSignature
	}
	return q, nil
}

// CheckQRCode checks a compact QR code given to the verify page (the code
// after /Q/) against the public key and the certificate's stored facts,
// as CheckQR does for the long URL's p and s.
func CheckQRCode(pub ed25519.PublicKey, code string, stored Facts, storedPayload string) (QRCheck, QRSummary) {
	if code == "" {
		return QRAbsent, QRSummary{}
	}
	q, err := VerifyQRCode(pub, code)
	switch {
	case errors.Is(err, ErrQRSignature):
		return QRBadSignature, q
	case err != nil:
		return QRMalformed, QRSummary{}
	case !q.Matches(stored, storedPayload):
		return QRDiffers, q
	}
	return QRMatches, q
}

// HasQRCode reports, in constant time, whether code (any case) is the code
// of the certificate's compact QR URL: what only a holder of the
// certificate has. It needs no key. A certificate of the first kind, whose
// QR code carries the long URL, has none.
func (r Record) HasQRCode(code string) bool {
	want := CompactQRCodeOf(r.Printed.QRURL)
	return want != "" && subtle.ConstantTimeCompare([]byte(strings.ToUpper(code)), []byte(want)) == 1
}
