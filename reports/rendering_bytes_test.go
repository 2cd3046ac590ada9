package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"testing"
)

// updateGoldenPDF rewrites testdata/*-v2.pdf: only when the layout of
// version 2 is meant to change, which it may not once certificates of that
// version exist (see RendererVersion).
var updateGoldenPDF = flag.Bool("update-golden-pdf", false, "rewrite reports/testdata/*-v2.pdf from the rendered documents")

// v2Goldens are documents of the current renderer version with the bytes
// they had when version 2 was in use, as testdata/certificate-v1*.pdf are
// for version 1: `taahod verify` renders a stored certificate again and
// compares the bytes, so no speed-up of the renderer may change one byte.
func v2Goldens(t *testing.T) map[string]func() ([]byte, error) {
	c := v1Sample(t)
	annulled := c
	annulled.Status, annulled.StatusReason, annulled.StatusOn, annulled.SupersededBy = StatusSuperseded, "برگ تشخیص اصلاح شد", jalali(t, 1404, 10, 1), "QZV-1404-000021"
	return map[string]func() ([]byte, error){
		"certificate-v2.pdf":          func() ([]byte, error) { return RenderCertificateVersion(c, ModeFinal, 2) },
		"certificate-v2-annulled.pdf": func() ([]byte, error) { return RenderCertificateVersion(annulled, ModeAnnulled, 2) },
		"certificate-v2-preview.pdf":  func() ([]byte, error) { return RenderCertificateVersion(c, ModePreview, 2) },
		"registry-report-v2.pdf":      func() ([]byte, error) { return RenderRegistryReport(sampleRegistryReport(t)) },
	}
}

// TestRendererV2Golden: documents of version 2 render byte for byte as
// they did when their golden files were written.
func TestRendererV2Golden(t *testing.T) {
	for name, render := range v2Goldens(t) {
		t.Run(name, func(t *testing.T) {
			pdf, err := render()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", name)
			if *updateGoldenPDF {
				if err := os.WriteFile(path, pdf, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pdf, want) {
				t.Errorf("renders %d bytes (sha256 %s), not the %d bytes of %s (sha256 %s)",
					len(pdf), digestOf(pdf), len(want), path, digestOf(want))
			}
		})
	}
}

// everyKind are documents of every kind the renderer makes: both renderer
// versions, every mode, one page and several, and the registry report.
func everyKind(t *testing.T) []func() ([]byte, error) {
	docs := renderings(t)
	for _, name := range []string{"certificate-v2.pdf", "certificate-v2-annulled.pdf", "certificate-v2-preview.pdf", "registry-report-v2.pdf"} {
		docs = append(docs, v2Goldens(t)[name])
	}
	c := v1Sample(t)
	annulled := c
	annulled.Status, annulled.StatusReason, annulled.StatusOn = StatusRevoked, "اشتباه در نام واحد", jalali(t, 1404, 10, 1)
	docs = append(docs,
		func() ([]byte, error) { return RenderCertificateVersion(c, ModeFinal, 1) },
		func() ([]byte, error) { return RenderCertificateVersion(annulled, ModeAnnulled, 1) })
	return docs
}

// gofpdfRenderings renders docs with gofpdf writing the whole file itself,
// as every document was written before output finished them.
func gofpdfRenderings(t *testing.T, docs []func() ([]byte, error)) [][]byte {
	t.Helper()
	fastOutput = false
	defer func() { fastOutput = true }()
	var want [][]byte
	for i, render := range docs {
		pdf, err := render()
		if err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		want = append(want, pdf)
	}
	return want
}

// TestFastOutputSameBytes: documents finished by output, the first time
// their runes are drawn (the font's objects written by fontSubsetter) and
// after (the kept font objects), are byte for byte what gofpdf writes.
func TestFastOutputSameBytes(t *testing.T) {
	docs := everyKind(t)
	want := gofpdfRenderings(t, docs)
	fontBlocks.reset()
	for round := range 3 {
		for i, render := range docs {
			pdf, err := render()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pdf, want[i]) {
				t.Errorf("round %d, document %d: output writes %d bytes (sha256 %s), gofpdf %d (sha256 %s)",
					round, i, len(pdf), digestOf(pdf), len(want[i]), digestOf(want[i]))
			}
		}
	}
	if hits := fontBlocks.reset(); hits < 2*len(docs) {
		t.Errorf("the kept font objects were reused %d times in the two later rounds of %d documents", hits, len(docs))
	}
}

// TestRenderTwiceSameBytes renders a certificate again, in turn and then
// from many goroutines at once (run with -race): every rendering is the
// same bytes.
func TestRenderTwiceSameBytes(t *testing.T) {
	c, _ := issuedSample(t)
	first, err := RenderCertificate(c, ModeFinal)
	if err != nil {
		t.Fatal(err)
	}
	again, err := RenderCertificate(c, ModeFinal)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) {
		t.Fatalf("rendered twice: %s, then %s", digestOf(first), digestOf(again))
	}
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			pdf, err := RenderCertificate(c, ModeFinal)
			if err == nil && !bytes.Equal(pdf, first) {
				err = fmt.Errorf("a concurrent rendering is %s, not %s", digestOf(pdf), digestOf(first))
			}
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestFontCacheKeepsDocumentsApart renders certificates A, B, A, B, A', B
// (A' draws exactly A's runes, in another order, so it reuses A's font
// objects) and compares each with its rendering by gofpdf alone: nothing
// of one certificate may appear in another through the kept font objects.
func TestFontCacheKeepsDocumentsApart(t *testing.T) {
	a, _ := issuedSample(t)
	b := a
	b.Unit.Name = "هنرستان فنی «ژرف‌اندیش» (۲)"
	b.Serial = "QZV-1404-000042"
	a2 := a
	a2.Serial = "QZV-1404-000071" // the digits of A's 000017
	docs := []func() ([]byte, error){
		func() ([]byte, error) { return RenderCertificate(a, ModeFinal) },
		func() ([]byte, error) { return RenderCertificate(b, ModeFinal) },
		func() ([]byte, error) { return RenderCertificate(a2, ModeFinal) },
	}
	want := gofpdfRenderings(t, docs)
	if bytes.Equal(want[0], want[2]) {
		t.Fatal("A and A' render the same: the test cannot tell them apart")
	}
	fontBlocks.reset()
	for _, i := range []int{0, 1, 0, 1, 2, 1} {
		pdf, err := docs[i]()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(pdf, want[i]) {
			t.Errorf("certificate %d after others: %s, rendered alone by gofpdf %s", i, digestOf(pdf), digestOf(want[i]))
		}
	}
	if hits := fontBlocks.reset(); hits != 4 {
		t.Errorf("the kept font objects were reused %d times, want 4 (all but the first A and B)", hits)
	}
}

// TestRenderCertificateAllocates: rendering a certificate allocates at most
// 1 MB (issue 13's goal; BenchmarkRenderCertificate measures it and the
// time). Bytes allocated do not depend on the machine's load, unlike time.
// The first rendering, which keeps the font objects, is not counted.
func TestRenderCertificateAllocates(t *testing.T) {
	if raceDetector() {
		t.Skip("allocations are counted without -race: the race detector makes sync.Pool drop what it is given, and more allocates")
	}
	c, _ := issuedSample(t)
	if _, err := RenderCertificate(c, ModeFinal); err != nil {
		t.Fatal(err)
	}
	const runs = 10
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		if _, err := RenderCertificate(c, ModeFinal); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 1<<20 {
		t.Errorf("a certificate allocates %d bytes, over 1 MB", per)
	}
}

// raceDetector reports whether the test binary was built with -race.
func raceDetector() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// digestOf names a document in a failure by its SHA-256.
func digestOf(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
