package reports

import (
	"errors"
	"fmt"
	"strings"

	qr "github.com/piglig/go-qr"
)

// qrMaxVersion is the largest QR version a certificate of the first kind
// prints (a long URL of at most 500 bytes, the certificate package's
// MaxQRURLBytes): 85×85 modules at level M.
const qrMaxVersion = 17

// qrMaxVersionCompact is the largest QR version of a compact URL
// (certificate.CompactQRURL): 69×69 modules at level Q, half a millimetre each at
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

// CompactQRPath is the path segment before the code in a compact QR URL
// (the certificate package's CompactQRURL).
const CompactQRPath = "/Q/"

// IsCompactQRURL reports whether a certificate's QR URL is a compact one
// (certificate.CompactQRURL) rather than the long /v/SERIAL?p=&s= of the first
// certificates, which print it smaller and at level M.
func IsCompactQRURL(u string) bool {
	i := strings.LastIndex(u, CompactQRPath)
	return i >= 0 && !strings.ContainsAny(u, "?#") && i+len(CompactQRPath) < len(u)
}

// QRFits returns an error if url is too long for the QR code a certificate
// prints for it (a compact URL takes version qrMaxVersionCompact at most),
// so that issuing refuses it before rendering.
func QRFits(url string) error {
	if _, err := qrModules(url); err != nil {
		return fmt.Errorf("QR URL of %d characters does not fit QR version %d: shorten TAAHOD_PUBLIC_URL: %w", len(url), qrMaxVersionCompact, err)
	}
	return nil
}
