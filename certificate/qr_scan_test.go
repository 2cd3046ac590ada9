package certificate

import (
	"image"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/taahod/taahod/internal/pdftest"
	"github.com/taahod/taahod/reports"
)

// TestQRSurvivesPhotocopy scans the issued sample certificate as a
// photocopy would give it — page 1 at 150 dpi, blurred by a Gaussian of
// σ = 1 pixel — and at 110 dpi, and reads the QR code with zbarimg: it
// must decode, be a compact URL in upper case (the QR alphanumeric mode),
// and verify offline with the public key alone, stating the certificate's
// facts.
func TestQRSurvivesPhotocopy(t *testing.T) {
	c, issued := issuedSample(t)
	pub := testSigner(t).PublicKey()
	facts, err := ParseFactsPayload(issued.FactsPayload)
	if err != nil {
		t.Fatal(err)
	}
	if !reports.IsCompactQRURL(issued.QRURL) || strings.ToUpper(issued.QRURL) != issued.QRURL || len(issued.QRURL) > 200 {
		t.Fatalf("QR URL %q, want a compact upper-case URL of at most 200 characters", issued.QRURL)
	}
	for _, tc := range []struct {
		name  string
		dpi   int
		sigma float64
	}{
		{"150 dpi blurred σ=1px", 150, 1},
		{"110 dpi", 110, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			img := scanPage(t, issued.PDF, tc.dpi)
			if tc.sigma > 0 {
				img = gaussianBlur(img, tc.sigma)
			}
			codes := zbarImage(t, img)
			if len(codes) != 1 || codes[0] != issued.QRURL {
				t.Fatalf("zbarimg read %q, want [%q]", codes, issued.QRURL)
			}
			q, err := VerifyQRCode(pub, codes[0])
			if err != nil {
				t.Fatalf("VerifyQRCode: %v", err)
			}
			if !q.Matches(facts, issued.FactsPayload) || q.Serial != c.Serial || !q.OffsetAmount.Equal(c.OffsetAmount) {
				t.Errorf("the scanned code states %+v, not the certificate's facts", q)
			}
		})
	}
}

// scanPage renders page 1 of pdf in grey at dpi dots per inch.
func scanPage(t *testing.T, pdf []byte, dpi int) *image.Gray {
	t.Helper()
	pdftoppm := pdftest.Tool(t, "pdftoppm", "poppler-utils")
	path := pdftest.WriteTemp(t, "doc.pdf", pdf)
	prefix := strings.TrimSuffix(path, ".pdf")
	pdftest.Run(t, pdftoppm, "-png", "-gray", "-r", strconv.Itoa(dpi), "-f", "1", "-l", "1", "-singlefile", path, prefix)
	f, err := os.Open(prefix + ".png")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	g := image.NewGray(img.Bounds())
	for y := g.Rect.Min.Y; y < g.Rect.Max.Y; y++ {
		for x := g.Rect.Min.X; x < g.Rect.Max.X; x++ {
			g.Set(x, y, img.At(x, y))
		}
	}
	return g
}

// gaussianBlur blurs img with a Gaussian of standard deviation sigma
// pixels, as two passes of a kernel cut at three sigma, the edges
// extended.
func gaussianBlur(img *image.Gray, sigma float64) *image.Gray {
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	sum := 0.0
	for i := range k {
		x := float64(i - r)
		k[i] = math.Exp(-x * x / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	clamp := func(v, hi int) int { return min(max(v, 0), hi-1) }
	pass := func(src []float64, dx, dy int) []float64 {
		dst := make([]float64, w*h)
		for y := range h {
			for x := range w {
				acc := 0.0
				for i, kv := range k {
					sx, sy := clamp(x+(i-r)*dx, w), clamp(y+(i-r)*dy, h)
					acc += kv * src[sy*w+sx]
				}
				dst[y*w+x] = acc
			}
		}
		return dst
	}
	px := make([]float64, w*h)
	for y := range h {
		for x := range w {
			px[y*w+x] = float64(img.Pix[y*img.Stride+x])
		}
	}
	px = pass(pass(px, 1, 0), 0, 1)
	out := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range px {
		out.Pix[i] = uint8(math.Round(min(max(v, 0), 255)))
	}
	return out
}

// zbarImage writes img as PNG and returns the QR codes zbarimg reads in it.
func zbarImage(t *testing.T, img image.Image) []string {
	t.Helper()
	zbarimg := pdftest.Tool(t, "zbarimg", "zbar-tools")
	path := filepath.Join(t.TempDir(), "scan.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if *sampleOut != "" {
		data, _ := os.ReadFile(path)
		_ = os.WriteFile(filepath.Join(*sampleOut, "scan-"+strings.ReplaceAll(t.Name(), "/", "_")+".png"), data, 0o644)
	}
	// zbarimg exits 4 when it finds no code: read what it printed either way.
	out, _ := runAllowFail(zbarimg, "-q", "--raw", "-Sdisable", "-Sqrcode.enable", path)
	return strings.Fields(out)
}

// runAllowFail runs a tool and returns its standard output and error,
// for a tool whose failure is an answer (zbarimg finding no code).
func runAllowFail(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).Output()
	return string(out), err
}
