package reports

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/pdftest"
)

// updateGolden rewrites the golden text files from what pdftotext reads
// today; look at the diff before committing it.
var updateGolden = flag.Bool("update-golden", false, "rewrite reports/testdata/*.txt from the rendered documents")

// extracted runs pdftotext (raw order when raw is set) on pdf and returns
// its lines without the invisible bidi marks and embeddings that poppler
// and the ActualText spans add (U+200E, U+200F, U+202A–U+202E), trimmed,
// blank lines dropped. ZWNJ and everything visible stay.
func extracted(t testing.TB, pdf []byte, raw bool) []string {
	t.Helper()
	args := []string{"-enc", "UTF-8"}
	if raw {
		args = append(args, "-raw")
	}
	args = append(args, pdftest.WriteTemp(t, "doc.pdf", pdf), "-")
	out := pdftest.Run(t, pdftest.Tool(t, "pdftotext", "poppler-utils"), args...)
	out = strings.Map(func(r rune) rune {
		switch {
		case r == '\u200e', r == '\u200f', r >= '\u202a' && r <= '\u202e':
			return -1
		case r == '\f':
			return '\n'
		}
		return r
	}, out)
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// presentationForm returns the first Arabic presentation form in s, if any.
func presentationForm(s string) (rune, bool) {
	for _, r := range s {
		if (r >= 0xFB50 && r <= 0xFDFF) || (r >= 0xFE70 && r <= 0xFEFF) {
			return r, true
		}
	}
	return 0, false
}

// TestExtractedTextReadsInOrder draws the phrases the issue names and reads
// them back: pdftotext gives each line as written — standard letters,
// ZWNJ, brackets and colons where they are read, digits as shown — and
// pdftotext -raw gives the same text in the same order, though it breaks a
// line where its direction changes.
func TestExtractedTextReadsInOrder(t *testing.T) {
	lines := []string{
		"هزینه‌کرد مدرسه‌سازی به‌عنوان",
		"مبلغ منظورشده (ریال)",
		"محل صدور: قزوین",
		"گواهی شماره QZV-1404-000001 صادر شد.",
		"مبلغ ۱٬۲۳۴٬۵۶۷٫۵ ریال، سال ۱۴۰۴.",
		"تاریخ: ۱۴۰۴/۰۹/۰۵ — نرخ ۸۸٫۴۶٪ (بدون گرد کردن)",
		"ماده ۱۷۲ قانون «مالیات‌های مستقیم»",
		"لا الله",
	}
	date, err := taahod.ParseDate("2025-11-26")
	if err != nil {
		t.Fatal(err)
	}
	d, err := newDocument(docInfo{title: "آزمون", subject: "test", date: date})
	if err != nil {
		t.Fatal(err)
	}
	y := 20.0
	for i, l := range lines {
		d.setFont(i%2 == 1, 11) // bold lines are drawn differently
		y = d.paragraph(marginX, y, contentWidth, l, alignStart) + 4
	}
	pdf, err := d.bytes()
	if err != nil {
		t.Fatal(err)
	}

	got := extracted(t, pdf, false)
	if strings.Join(got, "\n") != strings.Join(lines, "\n") {
		t.Errorf("pdftotext reads\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(lines, "\n"))
	}
	raw := strings.Join(extracted(t, pdf, true), "")
	want := strings.Join(lines, "")
	if strings.ReplaceAll(raw, " ", "") != strings.ReplaceAll(want, " ", "") {
		t.Errorf("pdftotext -raw reads, joined\n%s\nwant\n%s", raw, want)
	}
}

// TestExtractClasses checks classForExtraction against poppler itself, for
// every rune the documents can draw and every letter an ActualText holds:
// each is put between two Latin and two Persian letters and read back raw.
func TestExtractClasses(t *testing.T) {
	runes := drawableRunes()
	for r := rune(0x0621); r <= 0x064A; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, 0x067E, 0x0686, 0x0698, 0x06A9, 0x06AF, 0x06CC, 0x06C0, zwnj, zwj, lrm, rlm)
	date, _ := taahod.ParseDate("2025-11-26")
	d, err := newDocument(docInfo{title: "classes", subject: "test", date: date})
	if err != nil {
		t.Fatal(err)
	}
	y := 10.0
	for _, r := range runes {
		for _, tmpl := range []string{"ab%ccd", "بپ%cتث"} {
			if y > 280 {
				d.newPage()
				y = 10
			}
			d.pdf.RawWriteStr(actualTextOperator(fmt.Sprintf(tmpl, r)))
			d.glyphs(20, y, "xx")
			d.pdf.RawWriteStr("EMC")
			y += 4
		}
	}
	pdf, err := d.bytes()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"-raw", "-enc", "UTF-8", pdftest.WriteTemp(t, "classes.pdf", pdf), "-"}
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(pdftest.Run(t, pdftest.Tool(t, "pdftotext", "poppler-utils"), args...), "\f", ""), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	if len(out) != 2*len(runes) {
		t.Fatalf("pdftotext -raw gave %d lines for %d runes", len(out), len(runes))
	}
	for i, r := range runes {
		latin, persian := out[2*i], strings.NewReplacer("\u202b", "", "\u202c", "").Replace(out[2*i+1])
		var poppler extractClass
		switch {
		case strings.ContainsRune(latin, '\u202b'): // poppler reversed it on its own
			poppler = extractRTL
		case strings.HasPrefix(persian, "پب"): // it split the Persian letters
			poppler = extractLTR
		default:
			poppler = extractNeutral
		}
		if got := classForExtraction(r); got != poppler {
			t.Errorf("classForExtraction(U+%04X %q) = %d, poppler treats it as %d", r, r, got, poppler)
		}
	}
}

func TestActualTextOperator(t *testing.T) {
	got := actualTextOperator("به‌نام (۱)")
	var want strings.Builder
	want.WriteString("/Span <</ActualText <FEFF")
	for _, u := range utf16.Encode([]rune("به‌نام (۱)")) {
		fmt.Fprintf(&want, "%04X", u)
	}
	want.WriteString(">>> BDC")
	if got != want.String() {
		t.Errorf("actualTextOperator = %q, want %q", got, want.String())
	}
}

// TestGoldenText compares, line by line, the text pdftotext reads from the
// sample certificate, its annulled copy, its preview and the sample yearly
// report with the expected Persian in testdata: letters as written (no
// presentation forms), in reading order, with ZWNJ, brackets, colons and
// digits where the reader sees them. Raw order is compared too. How poppler
// groups lines into blocks (a table column by column, a label apart from its
// value) is its own layout and is part of the golden text.
func TestGoldenText(t *testing.T) {
	c, issued := issuedSample(t)
	annulled := c
	annulled.QRURL, annulled.PayloadSHA256, annulled.VerificationCode = issued.QRURL, issued.FactsSHA256, issued.VerificationCode
	annulled.Status, annulled.StatusReason, annulled.StatusOn = StatusRevoked, "اشتباه در مبلغ منظورشده", c.IssuedOn
	annulledPDF, err := RenderCertificate(annulled, ModeAnnulled)
	if err != nil {
		t.Fatal(err)
	}
	previewPDF, err := RenderCertificate(c, ModePreview)
	if err != nil {
		t.Fatal(err)
	}
	reportPDF, err := RenderRegistryReport(sampleRegistryReport(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []struct {
		name string
		pdf  []byte
	}{
		{"certificate", issued.PDF},
		{"certificate-annulled", annulledPDF},
		{"certificate-preview", previewPDF},
		{"registry-report", reportPDF},
	} {
		for _, raw := range []bool{false, true} {
			name := doc.name
			if raw {
				name += "-raw"
			}
			t.Run(name, func(t *testing.T) {
				got := extracted(t, doc.pdf, raw)
				for _, l := range got {
					if r, ok := presentationForm(l); ok {
						t.Errorf("line %q has the presentation form U+%04X", l, r)
					}
				}
				path := filepath.Join("testdata", name+".txt")
				if *updateGolden {
					if err := os.WriteFile(path, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				want := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
				for i := 0; i < max(len(got), len(want)); i++ {
					var g, w string
					if i < len(got) {
						g = got[i]
					}
					if i < len(want) {
						w = want[i]
					}
					if g != w {
						t.Errorf("line %d:\n got %q\nwant %q", i+1, g, w)
					}
				}
			})
		}
	}
}
