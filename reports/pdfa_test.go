package reports

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/taahod/taahod/internal/pdftest"
)

// sampleDocuments renders every kind of document Taahod makes from the
// samples: the issued certificate, its annulled copy, its preview and the
// yearly report.
func sampleDocuments(t *testing.T) map[string][]byte {
	t.Helper()
	c, issued := issuedSample(t)
	annulled := c
	annulled.QRURL, annulled.PayloadSHA256, annulled.VerificationCode = issued.QRURL, issued.FactsSHA256, issued.VerificationCode
	annulled.Status, annulled.StatusReason, annulled.StatusOn = StatusRevoked, "اشتباه در مبلغ منظورشده", c.IssuedOn
	docs := map[string][]byte{"certificate": issued.PDF}
	var err error
	if docs["certificate-annulled"], err = RenderCertificate(annulled, ModeAnnulled); err != nil {
		t.Fatal(err)
	}
	if docs["certificate-preview"], err = RenderCertificate(c, ModePreview); err != nil {
		t.Fatal(err)
	}
	if docs["registry-report"], err = RenderRegistryReport(sampleRegistryReport(t)); err != nil {
		t.Fatal(err)
	}
	return docs
}

// xmpFields is what TestArchivalForm reads from the XMP packet.
type xmpFields struct {
	Title       string `xml:"RDF>Description>title>Alt>li"`
	Description string `xml:"RDF>Description>description>Alt>li"`
	CreatorTool string `xml:"RDF>Description>CreatorTool"`
	CreateDate  string `xml:"RDF>Description>CreateDate"`
	ModifyDate  string `xml:"RDF>Description>ModifyDate"`
	Producer    string `xml:"RDF>Description>Producer"`
	Part        string `xml:"RDF>Description>part"`
	Conformance string `xml:"RDF>Description>conformance"`
}

// TestArchivalForm checks, in every document, the PDF/A-2b clauses that
// the files can be tested for here (veraPDF cannot be installed: see
// README, "Archival PDFs"): qpdf finds the file sound; §6.1.2 the header and
// its binary comment; §6.1.3 the trailer's /ID; §6.2.3 an sRGB output intent
// whose profile is embedded; §6.6 XMP metadata identifying PDF/A-2B that
// says what the document information says, dates with their time zone;
// §6.2.10 no transparency; and the document language.
func TestArchivalForm(t *testing.T) {
	qpdf := pdftest.Tool(t, "qpdf", "qpdf")
	for name, pdf := range sampleDocuments(t) {
		t.Run(name, func(t *testing.T) {
			path := pdftest.WriteTemp(t, name+".pdf", pdf)
			if out := pdftest.Run(t, qpdf, "--check", path); !strings.Contains(out, "No syntax or stream encoding errors found") {
				t.Errorf("qpdf --check:\n%s", out)
			}

			first, second, _ := strings.Cut(string(pdf[:min(64, len(pdf))]), "\n")
			second, _, _ = strings.Cut(second, "\n")
			high := 0
			for i := 0; i < len(second); i++ {
				if second[i] > 127 {
					high++
				}
			}
			if !regexp.MustCompile(`^%PDF-1\.[4-7]$`).MatchString(first) || !strings.HasPrefix(second, "%") || high < 4 {
				t.Errorf("the file starts %q, want a PDF header and a comment of four bytes above 127", pdf[:min(24, len(pdf))])
			}
			if !regexp.MustCompile(`trailer\n<<\n(?:.*\n)*/ID \[<[0-9A-F]{32}> <[0-9A-F]{32}>\]\n`).Match(pdf) {
				t.Error("the trailer has no /ID")
			}

			catalog := regexp.MustCompile(`(?s)\d+ 0 obj\n<<\n/Type /Catalog\n.*?\n>>\nendobj`).Find(pdf)
			if catalog == nil {
				t.Fatal("no catalog found")
			}
			if !bytes.Contains(catalog, []byte("/Lang (fa-IR)")) {
				t.Error("the catalog has no /Lang (fa-IR)")
			}
			intent := regexp.MustCompile(`/OutputIntents \[<</Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier \(sRGB IEC61966-2\.1\) /Info \(sRGB IEC61966-2\.1\) /DestOutputProfile (\d+) 0 R>>\]`).FindSubmatch(catalog)
			if intent == nil {
				t.Fatalf("the catalog has no sRGB PDF/A output intent:\n%s", catalog)
			}
			if profile := streamOf(t, pdf, string(intent[1]), "/N 3"); !bytes.Equal(profile, srgbProfile()) {
				t.Error("the output intent's profile is not the sRGB profile")
			}
			meta := regexp.MustCompile(`/Metadata (\d+) 0 R`).FindSubmatch(catalog)
			if meta == nil {
				t.Fatal("the catalog has no /Metadata")
			}
			packet := streamOf(t, pdf, string(meta[1]), "/Type /Metadata /Subtype /XML")
			var x xmpFields
			if err := xml.Unmarshal(packet[bytes.Index(packet, []byte("<x:xmpmeta")):bytes.Index(packet, []byte("<?xpacket end"))], &x); err != nil {
				t.Fatalf("XMP does not parse: %v\n%s", err, packet)
			}
			if x.Part != "2" || x.Conformance != "B" {
				t.Errorf("XMP identifies PDF/A part %q conformance %q, want 2 and B", x.Part, x.Conformance)
			}

			info := pdfInfo(t, pdf)
			for _, f := range []struct{ field, xmp, info string }{
				{"title", x.Title, info["Title"]},
				{"subject", x.Description, info["Subject"]},
				{"creator", x.CreatorTool, info["Creator"]},
				{"producer", x.Producer, info["Producer"]},
				{"creation date", x.CreateDate, info["CreationDate"]},
				{"modification date", x.ModifyDate, info["ModDate"]},
			} {
				if f.xmp == "" || f.xmp != f.info {
					t.Errorf("%s: XMP says %q, the document information %q", f.field, f.xmp, f.info)
				}
			}
			if !strings.HasPrefix(info["Creator"], "Taahod document renderer ") {
				t.Errorf("Creator %q does not name the renderer and its version", info["Creator"])
			}
			if !regexp.MustCompile(`[+-]\d\d:\d\d$`).MatchString(x.CreateDate) {
				t.Errorf("creation date %q has no time zone", x.CreateDate)
			}

			for _, key := range []string{"/ca ", "/CA ", "/SMask", "/Transparency", "/ExtGState", "/BM "} {
				if bytes.Contains(pdf, []byte(key)) {
					t.Errorf("the file has %s: transparency", key)
				}
			}
		})
	}
}

// TestArchivalDates checks that a certificate states its date of issue,
// noon UTC, in Iran's time with the offset, in both places.
func TestArchivalDates(t *testing.T) {
	_, issued := issuedSample(t)
	info := pdfInfo(t, issued.PDF)
	if got, want := info["CreationDate"], "2025-11-26T15:30:00+03:30"; got != want {
		t.Errorf("CreationDate %q, want %q (1404/09/05, noon UTC)", got, want)
	}
	if !bytes.Contains(issued.PDF, []byte("/CreationDate (D:20251126153000+03'30')")) {
		t.Error("the document information's CreationDate is not written with its offset")
	}
}

// pdfInfo returns the document information as pdfinfo -isodates reads it.
func pdfInfo(t *testing.T, pdf []byte) map[string]string {
	t.Helper()
	out := pdftest.Run(t, pdftest.Tool(t, "pdfinfo", "poppler-utils"), "-isodates", pdftest.WriteTemp(t, "doc.pdf", pdf))
	info := make(map[string]string)
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			info[k] = strings.TrimSpace(v)
		}
	}
	return info
}

// streamOf returns the data of stream object n, whose dictionary must
// contain dict.
func streamOf(t *testing.T, pdf []byte, n, dict string) []byte {
	t.Helper()
	m := regexp.MustCompile(`(?s)\n` + n + ` 0 obj\n<<([^>]*)>>\nstream\n`).FindSubmatchIndex(pdf)
	if m == nil || !strings.Contains(string(pdf[m[2]:m[3]]), dict) {
		t.Fatalf("object %s is not a stream with %s", n, dict)
	}
	length := regexp.MustCompile(`/Length (\d+)`).FindSubmatch(pdf[m[2]:m[3]])
	if length == nil {
		t.Fatalf("stream %s has no /Length", n)
	}
	l, _ := strconv.Atoi(string(length[1]))
	data := pdf[m[1] : m[1]+l]
	if !bytes.HasPrefix(pdf[m[1]+l:], []byte("\nendstream")) {
		t.Fatalf("stream %s does not end where its /Length says", n)
	}
	return data
}

// TestSRGBProfile reads the profile back as an ICC reader would: its header,
// its tag table, the primaries adding up to the D50 white of the connection
// space, and the sRGB transfer curve.
func TestSRGBProfile(t *testing.T) {
	p := srgbProfile()
	u32 := func(at int) uint32 { return binary.BigEndian.Uint32(p[at:]) }
	if int(u32(0)) != len(p) || string(p[36:40]) != "acsp" || string(p[12:24]) != "mntrRGB XYZ " || u32(8) != 0x02100000 {
		t.Fatalf("header %q: want a v2.1 RGB display profile of %d bytes", p[:40], len(p))
	}
	tags := map[string][]byte{}
	n := int(u32(128))
	for i := 0; i < n; i++ {
		e := 132 + 12*i
		off, size := int(u32(e+4)), int(u32(e+8))
		if off%4 != 0 || off+size > len(p) {
			t.Fatalf("tag %q at %d+%d lies outside the profile or unaligned", p[e:e+4], off, size)
		}
		tags[string(p[e:e+4])] = p[off : off+size]
	}
	for _, sig := range []string{"desc", "cprt", "wtpt", "rXYZ", "gXYZ", "bXYZ", "rTRC", "gTRC", "bTRC"} {
		if tags[sig] == nil {
			t.Errorf("no %s tag", sig)
		}
	}
	xyz := func(sig string) [3]float64 {
		b := tags[sig]
		var v [3]float64
		for i := range v {
			v[i] = float64(int32(binary.BigEndian.Uint32(b[8+4*i:]))) / 65536
		}
		return v
	}
	r, g, b, w := xyz("rXYZ"), xyz("gXYZ"), xyz("bXYZ"), xyz("wtpt")
	for i := range w {
		if math.Abs(r[i]+g[i]+b[i]-w[i]) > 0.001 {
			t.Errorf("primaries add up to %.4f in component %d, white is %.4f", r[i]+g[i]+b[i], i, w[i])
		}
	}
	curve := tags["rTRC"]
	count := int(binary.BigEndian.Uint32(curve[8:]))
	at := func(i int) float64 { return float64(binary.BigEndian.Uint16(curve[12+2*i:])) / 65535 }
	if count != 1024 || at(0) != 0 || at(count-1) != 1 {
		t.Fatalf("curve of %d points from %v to %v", count, at(0), at(count-1))
	}
	// sRGB 50 % grey is 21.4 % luminance.
	if mid := at(count / 2); math.Abs(mid-0.2140) > 0.002 {
		t.Errorf("curve at the middle = %.4f, want about 0.214", mid)
	}
	for i := 1; i < count; i++ {
		if at(i) < at(i-1) {
			t.Fatalf("curve falls at point %d", i)
		}
	}
}
