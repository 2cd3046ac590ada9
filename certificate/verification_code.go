package certificate

import (
	"crypto/sha256"
	"crypto/subtle"
	"strings"

	"github.com/taahod/taahod"
)

// A certificate's verification code is the short proof of holding it that
// the public verification asks for before it shows the unit's name and the
// amount: serials are sequential, so a serial alone proves nothing. The
// code is printed beside the serial and read aloud over the phone, so it is
// short (50 bits, ten characters) and written in Crockford's base32, which
// has no I, L, O or U to misread.
//
// It is derived from the Ed25519 signature of the facts payload, never from
// the facts themselves: the facts (a national id, a year, amounts) could be
// guessed, the signature cannot be made without the private key. A
// certificate issued before codes were printed has one all the same,
// derived from its stored signature; only its PDF does not show it.

// ECODEMISMATCH: the verification code or the signed payload given with a
// public verification is not the certificate's.
var ECODEMISMATCH = taahod.RegisterCode("verification_code_mismatch")

// crockford is Crockford's base32 alphabet.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// codeLength is the number of base32 characters of a code: 50 bits.
const codeLength = 10

// codeDomain separates the code's hash from any other use of the signature.
const codeDomain = "taahod-verification-code-v1\n"

// VerificationCode derives the verification code of a certificate from the
// Ed25519 signature of its facts payload (standard base64, as Signer.Sign
// returns it), grouped for reading aloud: "7KQ4-M2XD-9P". It returns an
// error if the signature is not one.
func VerificationCode(factsSignature string) (string, error) {
	sig, err := decodeSignature(factsSignature)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(append([]byte(codeDomain), sig...))
	// The first 50 bits of the digest, five at a time.
	var acc uint64
	for _, b := range sum[:7] {
		acc = acc<<8 | uint64(b)
	}
	acc >>= 56 - 5*codeLength
	var b [codeLength]byte
	for i := codeLength - 1; i >= 0; i-- {
		b[i] = crockford[acc&31]
		acc >>= 5
	}
	return string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:]), nil
}

// ReadVerificationCode reads a code as people type it: any case, with or
// without dashes or spaces, Persian or Arabic-Indic digits, and O, I and L
// taken for 0, 1 and 1 as Crockford's base32 reads them. It returns the
// code grouped as VerificationCode writes it, and false when the text
// cannot be a code (another length or a character outside the alphabet).
func ReadVerificationCode(typed string) (string, bool) {
	var b []byte
	for _, r := range taahod.ASCIIDigits(typed) {
		switch {
		case r == '-' || r == ' ' || r == '\t' || r == '‐' || r == '‑' || r == '–' || r == '—' || r == '−' || r == 'ـ' || r == '\u200c':
			continue
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		}
		switch r {
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		if r >= 0x80 || !strings.ContainsRune(crockford, r) || len(b) == codeLength {
			return "", false
		}
		b = append(b, byte(r))
	}
	if len(b) != codeLength {
		return "", false
	}
	return string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:]), true
}

// VerificationCode is the certificate's verification code, derived from its
// stored facts signature; "" if that is not a signature, which no stored
// certificate lacks.
func (r Record) VerificationCode() string {
	code, _ := VerificationCode(r.FactsSignature)
	return code
}

// HasCode reports, in constant time, whether code (as ReadVerificationCode
// returns it) is the certificate's verification code.
func (r Record) HasCode(code string) bool {
	want := r.VerificationCode()
	return want != "" && subtle.ConstantTimeCompare([]byte(code), []byte(want)) == 1
}

// HasSignedFacts reports, in constant time, whether p and s (the QR URL's
// parameters, base64url) are exactly the certificate's facts payload and
// its stored signature: what only a holder of the certificate has. It
// needs no key, so it works on a server without one.
func (r Record) HasSignedFacts(p, s string) bool {
	payload, err1 := DecodeQRParam(p)
	sig, err2 := DecodeQRParam(s)
	stored, err3 := decodeSignature(r.FactsSignature)
	if p == "" || s == "" || err1 != nil || err2 != nil || err3 != nil {
		return false
	}
	samePayload := subtle.ConstantTimeCompare(payload, []byte(r.FactsPayload))
	sameSig := subtle.ConstantTimeCompare(sig, stored)
	return samePayload&sameSig == 1
}
