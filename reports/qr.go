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
		segs, ok := segmentsOptimallyASCII(content)
		if !ok {
			segs, err = qr.MakeSegmentsOptimally(content, qr.Quartile, qr.MinVersion, qrMaxVersionCompact)
		}
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

// segmentsOptimallyASCII returns what qr.MakeSegmentsOptimally(content,
// qr.Quartile, qr.MinVersion, qrMaxVersionCompact) returns for printable
// ASCII content without a backslash that fits version 10 or lower: the same segments, by the
// same rules (Project Nayuki's optimal segmentation, which go-qr ports),
// without go-qr's four slices and a string per character; its allocations
// were a quarter of a certificate's. It reports false for any other
// content, which go-qr segments itself. TestSegmentsOptimallyASCII compares
// the two.
func segmentsOptimallyASCII(content string) ([]*qr.QrSegment, bool) {
	if content == "" {
		return nil, false
	}
	for i := 0; i < len(content); i++ {
		// go-qr's kanji table has the backslash (Shift JIS's yen sign).
		if content[i] < 0x20 || content[i] > 0x7E || content[i] == '\\' {
			return nil, false
		}
	}
	// go-qr segments for the first version of each range of character
	// count widths (1–9, 10–26, 27–40) and takes the segments that fit
	// that version; its capacity at level Q is 13 data codewords for
	// version 1, 154 for version 10.
	for _, v := range []struct{ version, capacity int }{{qr.MinVersion, 13}, {10, 154}} {
		segs, bits := asciiSegments(content, v.version)
		if segs == nil {
			return nil, false
		}
		if bits >= 0 && bits <= v.capacity*8 {
			return segs, true
		}
	}
	return nil, false
}

// qrModeCountBits are, for go-qr's modes in its order (byte, alphanumeric,
// numeric, kanji), the character count bits in versions 1–9 and 10–26.
var qrModeCountBits = [4][2]int{{8, 16}, {9, 11}, {10, 12}, {8, 10}}

// asciiSegments segments printable ASCII content optimally for version
// (below 27), as go-qr's computeCharacterModes and splitIntoSegments do,
// and returns the segments and the bits they take in that version (go-qr's
// getTotalBits: -1 if a segment is too long to count); nil if a segment
// cannot be made.
func asciiSegments(content string, version int) ([]*qr.QrSegment, int) {
	const numModes = 4
	const byteMode, alnumMode, numericMode = 0, 1, 2
	r := 0
	if version >= 10 {
		r = 1
	}
	var head [numModes]int
	for m := range head {
		head[m] = (4 + qrModeCountBits[m][r]) * 6
	}
	// from[i*numModes+j] is the mode character i is encoded in when the
	// encoding is in mode j after it; -1 while none is known.
	from := make([]int8, len(content)*numModes)
	prev := head
	for i := 0; i < len(content); i++ {
		c := content[i]
		f := from[i*numModes : (i+1)*numModes]
		var cur [numModes]int
		f[0], f[1], f[2], f[3] = byteMode, -1, -1, -1
		cur[byteMode] = prev[byteMode] + 8*6
		if strings.IndexByte(alphanumericChars, c) >= 0 {
			cur[alnumMode] = prev[alnumMode] + 33
			f[alnumMode] = alnumMode
		}
		if c >= '0' && c <= '9' {
			cur[numericMode] = prev[numericMode] + 20
			f[numericMode] = numericMode
		}
		// No other printable ASCII character is kanji to go-qr
		// (TestSegmentsOptimallyASCII).
		for j := 0; j < numModes; j++ {
			for k := 0; k < numModes; k++ {
				newCost := (cur[k]+5)/6*6 + head[j]
				if f[k] >= 0 && (f[j] < 0 || newCost < cur[j]) {
					cur[j] = newCost
					f[j] = int8(k)
				}
			}
		}
		prev = cur
	}
	mode := 0
	for m := 1; m < numModes; m++ {
		if prev[m] < prev[mode] {
			mode = m
		}
	}
	modes := make([]int8, len(content))
	for i := len(content) - 1; i >= 0; i-- {
		mode = int(from[i*numModes+mode])
		modes[i] = int8(mode)
	}

	var segs []*qr.QrSegment
	bits := 0
	for start := 0; start < len(content); {
		end := start + 1
		for end < len(content) && modes[end] == modes[start] {
			end++
		}
		run := content[start:end]
		n := len(run)
		var seg *qr.QrSegment
		var err error
		var data int
		switch modes[start] {
		case byteMode:
			seg, err = qr.MakeBytes([]byte(run))
			data = 8 * n
		case alnumMode:
			seg, err = qr.MakeAlphanumeric(run)
			data = 11*(n/2) + 6*(n%2)
		case numericMode:
			seg, err = qr.MakeNumeric(run)
			data = 10*(n/3) + [3]int{0, 4, 7}[n%3]
		default:
			return nil, 0
		}
		if err != nil {
			return nil, 0
		}
		segs = append(segs, seg)
		cc := qrModeCountBits[modes[start]][r]
		if n >= 1<<cc || bits < 0 {
			bits = -1
		} else {
			bits += 4 + cc + data
		}
		start = end
	}
	return segs, bits
}

// alphanumericChars are the characters of the QR alphanumeric mode.
const alphanumericChars = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
