package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
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
					len(pdf), SHA256Hex(pdf), len(want), path, SHA256Hex(want))
			}
		})
	}
}
