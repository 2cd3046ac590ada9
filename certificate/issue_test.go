package certificate

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/taahod/taahod/reports"
)

// qrParam returns query parameter name of a QR URL.
func qrParam(t *testing.T, u, name string) string {
	t.Helper()
	m := regexp.MustCompile(`[?&]` + name + `=([^&]*)`).FindStringSubmatch(u)
	if m == nil {
		t.Fatalf("%q has no %s", u, name)
	}
	return m[1]
}

func TestIssue(t *testing.T) {
	_, issued := issuedSample(t)
	pub := testSigner(t).PublicKey()
	if !Verify(pub, issued.FactsPayload, issued.FactsSignature) {
		t.Error("facts signature does not verify")
	}
	if !Verify(pub, issued.DocumentPayload, issued.DocumentSignature) {
		t.Error("document signature does not verify")
	}
	facts, sum, err := ParseDocumentPayload(issued.DocumentPayload)
	if err != nil {
		t.Fatal(err)
	}
	if sum != SHA256Hex(issued.PDF) || sum != issued.PDFSHA256 {
		t.Errorf("document payload binds PDF %s, the PDF's digest is %s", sum, SHA256Hex(issued.PDF))
	}
	if want := FactsOf(sampleCertificate(t)); !facts.Equal(want) {
		t.Errorf("document payload facts %+v, want %+v", facts, want)
	}
	if issued.FactsSHA256 != SHA256Hex([]byte(issued.FactsPayload)) {
		t.Error("FactsSHA256 is not the digest of the facts payload")
	}
	if !strings.HasPrefix(issued.DocumentPayload, issued.FactsPayload) {
		t.Error("document payload does not extend the facts payload")
	}

	again, err := Issue(sampleCertificate(t), testSigner(t))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.PDF, issued.PDF) || again.DocumentSignature != issued.DocumentSignature {
		t.Error("issuing the same certificate twice gave different bytes or signatures")
	}
}

// TestIssueQRCode: the QR code printed on the issued certificate reads back
// as its URL, whose signed summary states the certificate's facts.
func TestIssueQRCode(t *testing.T) {
	c, issued := issuedSample(t)
	codes := zbarImage(t, scanPage(t, issued.PDF, 200))
	if len(codes) != 1 || codes[0] != issued.QRURL {
		t.Fatalf("QR codes on page 1 = %q, want [%q]", codes, issued.QRURL)
	}
	check, _ := CheckQRCode(testSigner(t).PublicKey(), CompactQRCodeOf(codes[0]), FactsOf(c), issued.FactsPayload)
	if check != QRMatches {
		t.Errorf("CheckQRCode of the scanned code = %v, want QRMatches", check)
	}
}

// TestSampleIssue pins what issuing the sample certificate with the test
// key prints of its signing: reports' tests render the sample with these
// values (reports/sample_test.go) instead of signing it.
func TestSampleIssue(t *testing.T) {
	_, issued := issuedSample(t)
	const (
		qrURL = "HTTPS://TAAHOD.EXAMPLE/Q/AEBVCWSWAV6AAAARAV6AAT6CAECQFX64DQ4RBPEIXCUHWPE5ZMKT5M3DHY24CNL6UY5YZPTJ6AS2RANTY3MF4SUEIHBVOQGX63VUSETOUGH3JLRUJO47AVHXU7JKVQNYF7U4UYZS3SYPYIOH7I6A2CI"
		facts = "10bc88b8a87b3c9d1f79ad68697a4bf375243be8264f5bd32ec50c5bb02c55d0"
		code  = "TN4A-1RFM-XA"
	)
	if issued.QRURL != qrURL || issued.FactsSHA256 != facts || issued.VerificationCode != code {
		t.Errorf("issued QR URL %q, facts digest %s, code %s; reports/sample_test.go has %q, %s, %s",
			issued.QRURL, issued.FactsSHA256, issued.VerificationCode, qrURL, facts, code)
	}
	c := sampleCertificate(t)
	c.QRURL, c.PayloadSHA256, c.VerificationCode = qrURL, facts, code
	pdf, err := reports.RenderCertificate(c, reports.ModeFinal)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pdf, issued.PDF) {
		t.Error("the sample rendered with the pinned values is not the issued PDF")
	}
}
