package reports

import (
	"bytes"
	"fmt"
	"testing"
)

// renderings are certificates that differ in what gofpdf keeps per
// document: the runes drawn (so the font subset), the number of pages and
// the watermark.
func renderings(t *testing.T) []func() ([]byte, error) {
	c := sampleCertificate(t)
	final, _ := issuedSample(t)

	other := final
	other.Unit.Name = "هنرستان فنی «ژرف‌اندیش» (۲)"
	other.Serial = "QZV-1404-000042"

	long := final
	long.Expenditures = nil
	for i := range 40 {
		e := final.Expenditures[i%len(final.Expenditures)]
		e.InvoiceNo = fmt.Sprintf("Z-%03d", i+1)
		long.Expenditures = append(long.Expenditures, e)
	}

	revoked := final
	revoked.Status, revoked.StatusReason = StatusRevoked, "اشتباه در نام واحد"

	return []func() ([]byte, error){
		func() ([]byte, error) { return RenderCertificate(final, ModeFinal) },
		func() ([]byte, error) { return RenderCertificate(other, ModeFinal) },
		func() ([]byte, error) { return RenderCertificate(c, ModePreview) },
		func() ([]byte, error) { return RenderCertificate(long, ModeFinal) },
		func() ([]byte, error) { return RenderCertificate(revoked, ModeAnnulled) },
		func() ([]byte, error) { return RenderRegistryReport(sampleRegistryReport(t)) },
	}
}

// TestParsedFontSameBytes checks that documents given the font parsed once
// are byte for byte those that gofpdf makes when each document parses the
// font itself, as every certificate stored before did: `taahod verify`
// renders stored certificates again and compares their bytes.
func TestParsedFontSameBytes(t *testing.T) {
	faces, err := loadTypefaces()
	if err != nil {
		t.Fatal(err)
	}
	if faces.regular.parsed == nil {
		t.Fatal("the font could not be prepared once: gofpdf's internals are not those parsedFont expects")
	}
	docs := renderings(t)
	parseFontsOnce = false
	var want [][]byte
	for _, render := range docs {
		pdf, err := render()
		if err != nil {
			parseFontsOnce = true
			t.Fatal(err)
		}
		want = append(want, pdf)
	}
	parseFontsOnce = true
	// Twice over, so that each document is also made after others that
	// drew other runes.
	for round := range 2 {
		for i, render := range docs {
			pdf, err := render()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pdf, want[i]) {
				t.Errorf("round %d, document %d: %d bytes with the font parsed once, %d parsed per document; they differ",
					round, i, len(pdf), len(want[i]))
			}
		}
	}
}

// TestParsedFontConcurrent renders different documents at once and checks
// each against its rendering alone: what gofpdf changes per document must
// not leak into another. Run with -race.
func TestParsedFontConcurrent(t *testing.T) {
	docs := renderings(t)
	var want [][]byte
	for _, render := range docs {
		pdf, err := render()
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, pdf)
	}
	errs := make(chan error, 4*len(docs))
	for range 4 {
		for i, render := range docs {
			go func() {
				pdf, err := render()
				if err == nil && !bytes.Equal(pdf, want[i]) {
					err = fmt.Errorf("document %d rendered concurrently differs", i)
				}
				errs <- err
			}()
		}
	}
	for range 4 * len(docs) {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
