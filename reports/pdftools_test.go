package reports

import (
	"flag"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/taahod/taahod/internal/pdftest"
)

// The PDF tests read the documents back with poppler-utils (pdftotext,
// pdffonts, pdfinfo, pdftoppm), zbar-tools (zbarimg) and qpdf, as a reader
// would. They fail, rather than skip, when a tool is missing: a skipped check
// on a CI machine would look like a passing one. On Debian:
//
//	apt-get install poppler-utils zbar-tools qpdf

// sampleOut, when set, is a folder where the sample registry report is
// written (scripts/render-sample-certificate sets it; the certificate it
// shows is the demo's, written by cmd/taahod's TestDemoCertificates).
var sampleOut = flag.String("sample-out", "", "write the sample registry report PDF to this folder")

// pdfText extracts the text of pdf with pdftotext (pages first to last, 0
// for all) and normalizes it with readable.
func pdfText(t testing.TB, pdf []byte, first, last int) string {
	t.Helper()
	bin := pdftest.Tool(t, "pdftotext", "poppler-utils")
	args := []string{"-enc", "UTF-8"}
	if first > 0 {
		args = append(args, "-f", strconv.Itoa(first), "-l", strconv.Itoa(last))
	}
	args = append(args, pdftest.WriteTemp(t, "doc.pdf", pdf), "-")
	return readable(pdftest.Run(t, bin, args...))
}

// readable brings Persian text to a form in which text extracted from a
// PDF and the text that was drawn compare equal:
//   - NFKC maps the presentation forms the PDF draws back to letters;
//   - ZWNJ, which shaping drops, and the bidi controls pdftotext adds go;
//   - white space, the punctuation . : ، — and the brackets ( ) « » go, so
//     that these checks look for words and numbers wherever poppler's layout
//     puts the spaces and punctuation between them. Where the punctuation
//     lands is checked line by line by TestGoldenText. Letters, digits and
//     their order remain.
func readable(s string) string {
	s = norm.NFKC.String(s)
	return strings.Map(func(r rune) rune {
		switch r {
		case '\u200c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e',
			'.', ':', '،', '—', '(', ')', '«', '»':
			return -1
		}
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// pdfPages returns the page count pdfinfo reports.
func pdfPages(t testing.TB, pdf []byte) int {
	t.Helper()
	info := pdftest.Run(t, pdftest.Tool(t, "pdfinfo", "poppler-utils"), pdftest.WriteTemp(t, "doc.pdf", pdf))
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("pdfinfo printed no page count:\n%s", info)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// pdfFont is one row of pdffonts.
type pdfFont struct {
	name             string
	embedded, subset bool
	hasToUnicodeCMap bool
	typ              string
}

// pdfFonts lists the fonts of pdf with pdffonts.
func pdfFonts(t testing.TB, pdf []byte) []pdfFont {
	t.Helper()
	out := pdftest.Run(t, pdftest.Tool(t, "pdffonts", "poppler-utils"), pdftest.WriteTemp(t, "doc.pdf", pdf))
	var fonts []pdfFont
	for _, line := range strings.Split(out, "\n")[2:] {
		f := strings.Fields(line)
		if len(f) < 7 {
			continue
		}
		// name, type (one or more words), encoding, emb, sub, uni, object id
		n := len(f)
		fonts = append(fonts, pdfFont{
			name:             f[0],
			typ:              strings.Join(f[1:n-6], " "),
			embedded:         f[n-5] == "yes",
			subset:           f[n-4] == "yes",
			hasToUnicodeCMap: f[n-3] == "yes",
		})
	}
	return fonts
}

// qrCodes renders page 1 of pdf at 200 dpi, like a scan of the printed
// page, and returns the QR codes zbarimg reads on it.
func qrCodes(t testing.TB, pdf []byte) []string {
	t.Helper()
	pdftoppm := pdftest.Tool(t, "pdftoppm", "poppler-utils")
	zbarimg := pdftest.Tool(t, "zbarimg", "zbar-tools")
	path := pdftest.WriteTemp(t, "doc.pdf", pdf)
	prefix := strings.TrimSuffix(path, ".pdf")
	pdftest.Run(t, pdftoppm, "-png", "-r", "200", "-f", "1", "-l", "1", "-singlefile", path, prefix)
	out := pdftest.Run(t, zbarimg, "-q", "--raw", "-Sdisable", "-Sqrcode.enable", prefix+".png")
	return strings.Fields(out)
}
