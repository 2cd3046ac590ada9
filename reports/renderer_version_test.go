package reports

import (
	"bytes"
	"crypto/sha256"
	"os"
	"testing"
)

// v1Sample is the sample certificate as renderer version 1 issued it: its
// long QR URL, facts digest and verification code, which
// testdata/certificate-v1*.pdf print. The PDFs were rendered by the code of
// version 1 (commit bf2dd0f) from sampleCertificate.
func v1Sample(t *testing.T) Certificate {
	c := sampleCertificate(t)
	c.QRURL = "https://taahod.example/v/QZV-1404-000017?p=dGFhaG9kLWNlcnRpZmljYXRlLXYxCnNlcmlhbD1RWlYtMTQwNC0wMDAwMTcKdW5pdF9uYXRpb25hbF9pZD0xMDg2MDAxMjM0MgpmaXNjYWxfeWVhcj0xNDA0CnRheF9kdWU9MjUwMDAwMDAwMAplbGlnaWJsZV9zcGVuZGluZ191c2VkPTEyMzQ1Njc4OTAuNQpvZmZzZXRfYW1vdW50PTEyMzQ1Njc4OTAuNQppc3N1ZWRfb249MjAyNS0xMS0yNgo&s=_pS5UpCgxx0Wg5fN5wd5xqMllT9LxqbqMYuESmOnTka4hFkoPE1PsuHQQWcYmH68TQy5rQ9Ll_27gHyl-TNiCA"
	c.PayloadSHA256 = "10bc88b8a87b3c9d1f79ad68697a4bf375243be8264f5bd32ec50c5bb02c55d0"
	c.VerificationCode = "TN4A-1RFM-XA"
	return c
}

// TestRendererVersions: a certificate of version 1 renders again, final
// and annulled, byte for byte as version 1's code rendered it, although the
// current layout renders the same certificate differently; and a version
// the renderer does not keep is refused.
func TestRendererVersions(t *testing.T) {
	c := v1Sample(t)
	annulled := c
	annulled.Status, annulled.StatusReason, annulled.StatusOn, annulled.SupersededBy = StatusSuperseded, "برگ تشخیص اصلاح شد", jalali(t, 1404, 10, 1), "QZV-1404-000021"
	for _, tc := range []struct {
		name string
		c    Certificate
		mode Mode
		file string
	}{
		{"final", c, ModeFinal, "testdata/certificate-v1.pdf"},
		{"annulled", annulled, ModeAnnulled, "testdata/certificate-v1-annulled.pdf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			v1, err := RenderCertificateVersion(tc.c, tc.mode, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(v1, want) {
				t.Errorf("version 1 renders %d bytes (sha256 %x), not the %d bytes version 1 issued (sha256 %x)",
					len(v1), sha256.Sum256(v1), len(want), sha256.Sum256(want))
			}
			current, err := RenderCertificate(tc.c, tc.mode)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(current, want) {
				t.Fatalf("version %d renders the same bytes as version 1: the test cannot tell the versions apart", RendererVersion)
			}
			if lang := []byte("/Lang (fa-IR)"); !bytes.Contains(current, lang) || bytes.Contains(v1, lang) {
				t.Errorf("only the current version should have the archival form's /Lang")
			}
		})
	}
	for _, v := range []int{0, RendererVersion + 1} {
		if _, err := RenderCertificateVersion(c, ModeFinal, v); err == nil {
			t.Errorf("renderer version %d rendered", v)
		}
	}
}
