package reports

import "testing"

// BenchmarkRenderCertificate renders the issued sample certificate (eight
// expenditures, one page). Goal (issue 13): ≤ 3 ms and ≤ 1 MB allocated per
// certificate on one core (go test -bench RenderCertificate -benchmem
// -cpu 1). The font is parsed once per process (parsedFont); what remains
// is mostly gofpdf's: three zlib compressors of about 1.1 MB each (page,
// font subset, CIDToGIDMap), the font subset, and the QR code's mask
// choice.
func BenchmarkRenderCertificate(b *testing.B) {
	c, _ := issuedSample(b)
	var size int
	for b.Loop() {
		pdf, err := RenderCertificate(c, ModeFinal)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/cert")
}

// BenchmarkRenderRegistryReport renders the sample yearly report (two
// pages).
func BenchmarkRenderRegistryReport(b *testing.B) {
	r := sampleRegistryReport(b)
	var size int
	for b.Loop() {
		pdf, err := RenderRegistryReport(r)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "bytes/report")
}
