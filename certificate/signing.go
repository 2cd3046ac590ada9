package certificate

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports"
)

// A certificate is signed twice with one Ed25519 key, because the PDF
// carries a QR code and so cannot be covered by the text that code holds:
//
//   - the facts payload states what the certificate certifies, independent
//     of the PDF and of its later status; the QR code carries it with its
//     signature, and the PDF prints its SHA-256;
//   - the document payload is the facts payload followed by the line
//     pdf_sha256=<hex>, binding those facts to the exact PDF bytes; it is
//     the payload and signature that POST /certificates answers.
//
// Both are plain text, one key=value line per field in a fixed order, each
// line ending in "\n", the first line naming the format version. Amounts are
// decimal without exponent, separators or trailing fractional zeros; dates
// are ISO 8601 Gregorian. A given set of facts has exactly one payload text,
// and the parsers accept only that text, so a verifier can compare payloads
// byte for byte.

// FactsVersion is the first line of every facts and document payload.
const FactsVersion = "taahod-certificate-v1"

// Facts is what a certificate's signature vouches for: the facts payload's
// fields.
type Facts struct {
	// Serial is the certificate's serial, PROVINCE-YEAR-SEQUENCE.
	Serial string
	// UnitNationalID is the production unit's national id (11 digits for a
	// legal entity, 10 for a sole proprietor).
	UnitNationalID string
	// FiscalYear is the Solar Hijri fiscal year whose tax was offset.
	FiscalYear int
	// TaxDue is the unit's tax due for the year.
	TaxDue decimal.Decimal
	// EligibleSpendingUsed is the approved school spending the offset used.
	EligibleSpendingUsed decimal.Decimal
	// OffsetAmount is the amount of tax met by that spending.
	OffsetAmount decimal.Decimal
	// IssuedOn is the date of issue.
	IssuedOn taahod.Date
}

// factKeys are the facts payload's keys, in their order after the version.
var factKeys = []string{
	"serial", "unit_national_id", "fiscal_year", "tax_due",
	"eligible_spending_used", "offset_amount", "issued_on",
}

// pdfKey is the key of the document payload's last line.
const pdfKey = "pdf_sha256"

// FactsPayload writes the canonical facts payload of f, for example
//
//	taahod-certificate-v1
//	serial=QZV-1404-000001
//	unit_national_id=10860012345
//	fiscal_year=1404
//	tax_due=2500000000
//	eligible_spending_used=1234567890.5
//	offset_amount=1234567890.5
//	issued_on=2025-11-26
//
// with a final newline. It returns an EINVALID *taahod.Error if a field
// cannot be written canonically: a malformed serial or national id, a
// fiscal year outside 1300–1500, a negative amount, or no issue date.
func FactsPayload(f Facts) (string, error) {
	if err := f.validate(); err != nil {
		return "", err
	}
	return f.payload(), nil
}

func (f Facts) validate() error {
	var p taahod.Problems
	if !reports.IsSerial(f.Serial) {
		p.Add("serial", "malformed", "must be of the form PROVINCE-YEAR-SEQUENCE, such as QZV-1404-000001")
	}
	if _, err := taahod.ValidateNationalID(f.UnitNationalID); err != nil {
		p.AddErr("unit_national_id", err)
	}
	if !taahod.ValidFiscalYear(f.FiscalYear) {
		p.Add("fiscal_year", "out_of_range", "must be a Solar Hijri year between 1300 and 1500")
	}
	for _, a := range []struct {
		field string
		v     decimal.Decimal
	}{{"tax_due", f.TaxDue}, {"eligible_spending_used", f.EligibleSpendingUsed}, {"offset_amount", f.OffsetAmount}} {
		if a.v.Sign() < 0 {
			p.Add(a.field, "negative", "must not be negative")
		}
	}
	if f.IssuedOn.IsZero() {
		p.Add("issued_on", "required", "is required")
	}
	return p.Err()
}

func (f Facts) payload() string {
	values := []string{
		f.Serial, f.UnitNationalID, strconv.Itoa(f.FiscalYear),
		taahod.FormatAmount(f.TaxDue), taahod.FormatAmount(f.EligibleSpendingUsed),
		taahod.FormatAmount(f.OffsetAmount), f.IssuedOn.String(),
	}
	var b strings.Builder
	b.WriteString(FactsVersion + "\n")
	for i, k := range factKeys {
		b.WriteString(k + "=" + values[i] + "\n")
	}
	return b.String()
}

// Equal reports whether f and g state the same facts; amounts compare by
// value, so 1500 equals 1500.00.
func (f Facts) Equal(g Facts) bool {
	return f.Serial == g.Serial && f.UnitNationalID == g.UnitNationalID &&
		f.FiscalYear == g.FiscalYear && f.TaxDue.Equal(g.TaxDue) &&
		f.EligibleSpendingUsed.Equal(g.EligibleSpendingUsed) &&
		f.OffsetAmount.Equal(g.OffsetAmount) && f.IssuedOn == g.IssuedOn
}

// ParseFactsPayload reads a facts payload. It accepts only the canonical
// text FactsPayload writes — the version line, every key once in order,
// canonical values, a final newline and nothing more — and returns an error
// saying what is wrong otherwise.
func ParseFactsPayload(text string) (Facts, error) {
	lines, err := payloadLines(text, len(factKeys))
	if err != nil {
		return Facts{}, err
	}
	return parseFacts(text, lines)
}

// ParseDocumentPayload reads a document payload (DocumentPayload): the
// facts and the hex SHA-256 of the PDF it binds them to. Like
// ParseFactsPayload it accepts only canonical text.
func ParseDocumentPayload(text string) (Facts, string, error) {
	lines, err := payloadLines(text, len(factKeys)+1)
	if err != nil {
		return Facts{}, "", err
	}
	last := lines[len(lines)-1]
	sum, ok := strings.CutPrefix(last, pdfKey+"=")
	if !ok {
		return Facts{}, "", fmt.Errorf("payload line %d: want %s=, got %q", len(lines)+1, pdfKey, last)
	}
	if !reports.IsSHA256Hex(sum) {
		return Facts{}, "", fmt.Errorf("payload %s: %q is not 64 lowercase hex digits", pdfKey, sum)
	}
	facts := text[:len(text)-len(last)-1]
	f, err := parseFacts(facts, lines[:len(lines)-1])
	return f, sum, err
}

// payloadLines splits a payload into its key=value lines after checking the
// version line, the final newline and the number of lines.
func payloadLines(text string, n int) ([]string, error) {
	body, ok := strings.CutPrefix(text, FactsVersion+"\n")
	if !ok {
		return nil, fmt.Errorf("payload does not start with the line %q", FactsVersion)
	}
	if !strings.HasSuffix(body, "\n") {
		return nil, errors.New("payload does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(lines) != n {
		return nil, fmt.Errorf("payload has %d fields, want %d", len(lines), n)
	}
	return lines, nil
}

// parseFacts reads the facts lines of text and checks that text is their
// canonical payload.
func parseFacts(text string, lines []string) (Facts, error) {
	values := make([]string, len(factKeys))
	for i, k := range factKeys {
		v, ok := strings.CutPrefix(lines[i], k+"=")
		if !ok {
			return Facts{}, fmt.Errorf("payload line %d: want %s=, got %q", i+2, k, lines[i])
		}
		values[i] = v
	}
	var f Facts
	var err error
	f.Serial, f.UnitNationalID = values[0], values[1]
	if f.FiscalYear, err = strconv.Atoi(values[2]); err != nil {
		return Facts{}, fmt.Errorf("payload fiscal_year %q is not a year", values[2])
	}
	amounts := []*decimal.Decimal{&f.TaxDue, &f.EligibleSpendingUsed, &f.OffsetAmount}
	for i, dst := range amounts {
		v := values[3+i]
		if *dst, err = taahod.ParseAmountAllowZero(v); err != nil {
			return Facts{}, fmt.Errorf("payload %s %q is not an amount", factKeys[3+i], v)
		}
	}
	if f.IssuedOn, err = taahod.ParseDate(values[6]); err != nil {
		return Facts{}, fmt.Errorf("payload issued_on %q is not a date", values[6])
	}
	if err := f.validate(); err != nil {
		return Facts{}, fmt.Errorf("payload: %w", err)
	}
	if f.payload() != text {
		return Facts{}, errors.New("payload is not in canonical form")
	}
	return f, nil
}

// DocumentPayload returns the document payload: factsPayload followed by
// the line "pdf_sha256=<pdfSHA256>\n". pdfSHA256 is the lowercase hex
// SHA-256 of the PDF bytes (SHA256Hex). It returns an error if factsPayload
// is not a canonical facts payload or pdfSHA256 not a hex digest.
func DocumentPayload(factsPayload, pdfSHA256 string) (string, error) {
	if _, err := ParseFactsPayload(factsPayload); err != nil {
		return "", err
	}
	if !reports.IsSHA256Hex(pdfSHA256) {
		return "", fmt.Errorf("PDF digest %q is not 64 lowercase hex digits", pdfSHA256)
	}
	return factsPayload + pdfKey + "=" + pdfSHA256 + "\n", nil
}

// SHA256Hex returns the lowercase hex SHA-256 of b: the form in which a
// certificate prints the digest of its facts payload and the document
// payload records the PDF's.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Signer signs certificate payloads with an Ed25519 private key.
type Signer struct {
	key ed25519.PrivateKey
}

// NewSigner returns a Signer for key, which must be a full Ed25519 private
// key (ed25519.PrivateKeySize bytes).
func NewSigner(key ed25519.PrivateKey) (*Signer, error) {
	if len(key) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("Ed25519 private key of %d bytes, want %d", len(key), ed25519.PrivateKeySize)
	}
	return &Signer{key: key}, nil
}

// LoadSigningKey reads the Ed25519 private key at path (TAAHOD_SIGNING_KEY),
// a PEM "PRIVATE KEY" block in PKCS#8 as
// `openssl genpkey -algorithm ed25519` writes it. The error says whether the
// file is missing or unreadable, holds no PEM, holds another PEM type, or
// holds a key of another algorithm.
func LoadSigningKey(path string) (*Signer, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("signing key %s does not exist (create one with: openssl genpkey -algorithm ed25519 -out %s)", path, path)
	}
	if err != nil {
		return nil, fmt.Errorf("read signing key: %w", err)
	}
	s, err := ParseSigningKey(data)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: %w", path, err)
	}
	return s, nil
}

// ParseSigningKey reads an Ed25519 private key from PEM-encoded PKCS#8, as
// LoadSigningKey does from a file.
func ParseSigningKey(pemData []byte) (*Signer, error) {
	block, rest := pem.Decode(pemData)
	if block == nil {
		return nil, errors.New("no PEM block found; want a PKCS#8 \"PRIVATE KEY\" as openssl genpkey -algorithm ed25519 writes")
	}
	if block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("PEM block is %q, want \"PRIVATE KEY\" (PKCS#8) as openssl genpkey -algorithm ed25519 writes", block.Type)
	}
	if b, _ := pem.Decode(rest); b != nil {
		return nil, errors.New("more than one PEM block; want exactly one private key")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a PKCS#8 private key: %w", err)
	}
	priv, ok := key.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("key is %s, want Ed25519", keyKind(key))
	}
	return NewSigner(priv)
}

// keyKind names the algorithm of a parsed private key for an error message.
func keyKind(key any) string {
	t := fmt.Sprintf("%T", key)
	switch {
	case strings.Contains(t, "rsa"):
		return "an RSA key"
	case strings.Contains(t, "ecdsa"):
		return "an ECDSA key"
	case strings.Contains(t, "ecdh"):
		return "an X25519 or ECDH key"
	}
	return "a " + t
}

// Sign returns the Ed25519 signature of text in standard base64. Ed25519
// is deterministic: the same key and text always give the same signature.
func (s *Signer) Sign(text string) string {
	return base64.StdEncoding.EncodeToString(ed25519.Sign(s.key, []byte(text)))
}

// PublicKey returns the public half of the signing key.
func (s *Signer) PublicKey() ed25519.PublicKey {
	return s.key.Public().(ed25519.PublicKey)
}

// PublicKeyPEM returns the public key as a PEM "PUBLIC KEY" block
// (SubjectPublicKeyInfo), what GET /api/v1/verify/key serves and
// `openssl pkey -pubout` writes.
func (s *Signer) PublicKeyPEM() []byte {
	der, err := x509.MarshalPKIXPublicKey(s.PublicKey())
	if err != nil {
		// An Ed25519 public key always marshals.
		panic(fmt.Sprintf("reports: marshal Ed25519 public key: %v", err))
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// ParsePublicKeyPEM reads an Ed25519 public key from a PEM "PUBLIC KEY"
// block, as PublicKeyPEM writes it, for verifying offline.
func ParsePublicKeyPEM(pemData []byte) (ed25519.PublicKey, error) {
	block, _ := pem.Decode(pemData)
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("no PEM \"PUBLIC KEY\" block found")
	}
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not a SubjectPublicKeyInfo public key: %w", err)
	}
	pub, ok := key.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key is %T, want Ed25519", key)
	}
	return pub, nil
}

// Verify reports whether sigBase64, a standard base64 Ed25519 signature as
// Sign returns it, is pub's signature of text. Any malformed input is
// simply not a valid signature.
func Verify(pub ed25519.PublicKey, text, sigBase64 string) bool {
	sig, err := decodeSignature(sigBase64)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return false
	}
	return ed25519.Verify(pub, []byte(text), sig)
}

// decodeSignature decodes a standard base64 Ed25519 signature strictly.
func decodeSignature(sigBase64 string) ([]byte, error) {
	sig, err := base64.StdEncoding.Strict().DecodeString(sigBase64)
	if err != nil {
		return nil, fmt.Errorf("signature is not base64: %w", err)
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, fmt.Errorf("signature of %d bytes, want %d", len(sig), ed25519.SignatureSize)
	}
	return sig, nil
}

// QRCheck is the outcome of checking the p and s parameters of a QR URL.
type QRCheck int

const (
	// QRAbsent: the URL had neither p nor s.
	QRAbsent QRCheck = iota
	// QRMalformed: p or s is missing, not base64url, or p is not a facts
	// payload.
	QRMalformed
	// QRBadSignature: s is not the key's signature of p; the URL was altered
	// or signed by someone else.
	QRBadSignature
	// QRDiffers: the signature is good but the facts are not those of the
	// certificate the URL names.
	QRDiffers
	// QRMatches: a good signature of exactly the certificate's facts.
	QRMatches
	// QRUnchecked: the URL carries p and s but the service has no key to
	// check them with (TAAHOD_SIGNING_KEY is not configured). CheckQR never
	// returns it; the caller that has no key says so.
	QRUnchecked
)

// String names the outcome in snake_case, for JSON and logs.
func (q QRCheck) String() string {
	switch q {
	case QRAbsent:
		return "absent"
	case QRMalformed:
		return "malformed"
	case QRBadSignature:
		return "bad_signature"
	case QRDiffers:
		return "differs"
	case QRMatches:
		return "matches"
	case QRUnchecked:
		return "unchecked"
	}
	return "QRCheck(" + strconv.Itoa(int(q)) + ")"
}

// CheckQR checks the p and s parameters of a QR URL against the public key
// and the stored facts of the certificate the URL names, for the verify
// page and for verifying offline. It also returns the facts p states when
// they parse, so a page can show what the code claims.
func CheckQR(pub ed25519.PublicKey, p, s string, stored Facts) (QRCheck, Facts) {
	if p == "" && s == "" {
		return QRAbsent, Facts{}
	}
	payload, err1 := DecodeQRParam(p)
	sig, err2 := DecodeQRParam(s)
	if p == "" || s == "" || err1 != nil || err2 != nil || len(sig) != ed25519.SignatureSize {
		return QRMalformed, Facts{}
	}
	facts, err := ParseFactsPayload(string(payload))
	if err != nil {
		return QRMalformed, Facts{}
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, payload, sig) {
		return QRBadSignature, facts
	}
	if !facts.Equal(stored) {
		return QRDiffers, facts
	}
	return QRMatches, facts
}
