package certificate

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"

	"github.com/taahod/taahod/reports"
)

// MaxQRURLBytes bounds the long URL the first certificates' QR codes carry
// (QRURL). At medium
// error correction it fits QR version 17 (85×85 modules, 504 bytes), which
// printed 32 mm wide gives modules of 0.38 mm: readable by an ordinary
// phone camera from the paper. A canonical facts payload with its 64-byte
// signature takes about 360 bytes of URL, leaving some 140 for
// TAAHOD_PUBLIC_URL.
const MaxQRURLBytes = 500

// EncodeQRParam encodes bytes for the p and s parameters of a QR URL:
// base64url without padding (RFC 4648 §5), which needs no escaping in a
// query string.
func EncodeQRParam(b []byte) string {
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeQRParam decodes a p or s parameter written by EncodeQRParam. It
// also accepts the padded form, which some QR readers and hand-copied URLs
// produce, and rejects anything else, including non-canonical trailing bits.
func DecodeQRParam(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, fmt.Errorf("not base64url: %w", err)
	}
	return b, nil
}

// QRURL builds what the QR code of the first certificates carried, before
// the compact URL (CompactQRURL), and what they still verify with:
// {publicURL}/v/{serial}?p=<facts payload>&s=<signature>, the payload and
// the raw Ed25519 signature in base64url. signature is as Signer.Sign
// returns it (standard base64). Opening the URL shows the verify page; a
// verifier offline decodes p and s and checks them against the public key
// (GET /api/v1/verify/key). It returns an error if the URL would be too
// long for a readable QR code (MaxQRURLBytes) or its parts are malformed.
func QRURL(publicURL, serial, factsPayload, signature string) (string, error) {
	base, err := url.Parse(publicURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" ||
		base.RawQuery != "" || base.Fragment != "" {
		return "", fmt.Errorf("public URL %q is not an http(s) URL without query", publicURL)
	}
	if !reports.IsSerial(serial) {
		return "", fmt.Errorf("serial %q is not of the form PROVINCE-YEAR-SEQUENCE", serial)
	}
	sig, err := decodeSignature(signature)
	if err != nil {
		return "", err
	}
	u := strings.TrimRight(publicURL, "/") + "/v/" + serial +
		"?p=" + EncodeQRParam([]byte(factsPayload)) + "&s=" + EncodeQRParam(sig)
	if len(u) > MaxQRURLBytes {
		return "", fmt.Errorf("QR URL of %d bytes is over %d: shorten TAAHOD_PUBLIC_URL", len(u), MaxQRURLBytes)
	}
	return u, nil
}
