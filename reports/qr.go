package reports

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"

	qr "github.com/piglig/go-qr"
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
	if !serialPattern.MatchString(serial) {
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

// qrMaxVersion is the largest QR version a certificate of the first kind
// prints (a long URL, MaxQRURLBytes): 85×85 modules at level M.
const qrMaxVersion = 17

// qrMaxVersionCompact is the largest QR version of a compact URL
// (CompactQRURL): 69×69 modules at level Q, half a millimetre each at
// qrSizeCompact. The URL of a public URL of 30 characters takes version 10.
const qrMaxVersionCompact = 13

// qrModules encodes content as a QR code and returns its modules, true for
// dark, indexed [row][column], without the quiet zone. A compact URL
// (IsCompactQRURL) is encoded at level Q or higher, in the alphanumeric
// mode wherever its characters allow; the long URL of the first
// certificates at level M or higher as before, so that they render again
// byte for byte.
//
// The encoder is github.com/piglig/go-qr, a port of Project Nayuki's QR
// library: it picks the mask by the standard's penalty rules like
// github.com/skip2/go-qrcode but took a third of its time (0.8 ms against
// 2.4 ms for a certificate's URL), the largest single cost of a
// certificate after the fonts.
func qrModules(content string) ([][]bool, error) {
	if content == "" {
		return nil, errors.New("QR code of empty content")
	}
	var q *qr.QrCode
	var err error
	if IsCompactQRURL(content) {
		var segs []*qr.QrSegment
		segs, err = qr.MakeSegmentsOptimally(content, qr.Quartile, qr.MinVersion, qrMaxVersionCompact)
		if err == nil {
			q, err = qr.EncodeSegments(segs, qr.Quartile, qr.MinVersion, qrMaxVersionCompact, -1, true)
		}
	} else {
		var segs []*qr.QrSegment
		segs, err = qr.MakeSegments(content)
		if err == nil {
			q, err = qr.EncodeSegments(segs, qr.Medium, qr.MinVersion, qrMaxVersion, -1, true)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("encode QR code: %w", err)
	}
	n := q.Size()
	mods := make([][]bool, n)
	for y := range mods {
		mods[y] = make([]bool, n)
		for x := range mods[y] {
			mods[y][x] = q.Module(x, y)
		}
	}
	return mods, nil
}

// drawQR draws content as a QR code, size mm square with its top left
// corner at (x, y), as vector rectangles: sharp at any zoom or print
// resolution and with no image to decode per document. The rectangles are
// written in a coordinate system of one unit per module, so that each is a
// few small integers and they compress well, and filled as one path.
// Adjacent dark modules of a row form one rectangle. The caller leaves a
// quiet zone of four modules' width around it.
func (d *document) drawQR(x, y, size float64, content string) {
	mods, err := qrModules(content)
	if err != nil {
		d.fail(err)
		return
	}
	k := 72 / 25.4 // points per mm: gofpdf's scale for "mm"
	m := size / float64(len(mods))
	var b strings.Builder
	// Module (col, row) maps to the point of the page at x+col·m, y+row·m
	// measured from the top left; PDF space runs upwards from the bottom.
	fmt.Fprintf(&b, "q %.5f 0 0 %.5f %.5f %.5f cm 0 g\n", m*k, -m*k, x*k, (pageHeight-y)*k)
	for row, line := range mods {
		for col := 0; col < len(line); {
			if !line[col] {
				col++
				continue
			}
			start := col
			for col < len(line) && line[col] {
				col++
			}
			fmt.Fprintf(&b, "%d %d %d 1 re\n", start, row, col-start)
		}
	}
	b.WriteString("f Q")
	d.pdf.RawWriteStr(b.String())
}
