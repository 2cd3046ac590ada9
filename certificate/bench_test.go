package certificate

import "testing"

// BenchmarkIssueCertificate is the whole of issuing: signing the facts,
// the QR URL, rendering and signing the document payload.
func BenchmarkIssueCertificate(b *testing.B) {
	c := sampleCertificate(b)
	s := testSigner(b)
	var size int
	for b.Loop() {
		out, err := Issue(c, s)
		if err != nil {
			b.Fatal(err)
		}
		size = len(out.PDF)
	}
	b.ReportMetric(float64(size), "bytes/cert")
}
