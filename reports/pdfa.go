package reports

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// Archival form (PDF/A-2b, ISO 19005-2, level B).
//
// gofpdf writes a plain PDF. finishArchival rewrites its last two objects,
// the document information and the catalog, and adds what PDF/A-2b asks for
// and gofpdf cannot write: a comment of high-bit bytes after the header
// (§6.1.2), a trailer /ID (§6.1.3), an sRGB output intent with its ICC
// profile (§6.2.3), XMP metadata that says the same as the document
// information (§6.6), and the document's language (/Lang, used by readers
// and required for accessibility). The rest of the file is copied byte for
// byte, its cross-reference offsets moved by the length of the comment.
// Everything is derived from the document itself, so the same input still
// gives the same bytes. The documents use no transparency (a watermark is a
// light solid colour under the content, see document.underlay), embed their
// one font, and have no annotations, actions or encryption.

// documentZone is the time zone of every document's dates: Iran Standard
// Time, which has had no daylight saving time since 2022.
var documentZone = time.FixedZone("IRST", 3*60*60+30*60)

// archiveInfo is what the document information and XMP metadata say.
type archiveInfo struct {
	title, subject string
	created        time.Time
}

// binaryComment follows the header line: four bytes above 127 tell
// transfer tools that the file is binary (PDF/A-2 §6.1.2).
const binaryComment = "%\xE2\xE3\xCF\xD3\n"

// gofpdfTrailer matches the trailer gofpdf writes.
var gofpdfTrailer = regexp.MustCompile(`\nxref\n0 (\d+)\n((?:\d{10} \d{5} [fn] \n)+)trailer\n<<\n/Size (\d+)\n/Root (\d+) 0 R\n/Info (\d+) 0 R\n>>\nstartxref\n(\d+)\n%%EOF\n$`)

// finishArchival turns a gofpdf document into its archival form.
func finishArchival(pdf []byte, info archiveInfo) ([]byte, error) {
	header := bytes.IndexByte(pdf, '\n') + 1
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.")) || header != len("%PDF-1.x\n") {
		return nil, fmt.Errorf("archival form: the file does not start with a PDF header")
	}
	// The trailer is matched from the last cross-reference table on, not
	// over the whole file.
	at := max(bytes.LastIndex(pdf, []byte("\nxref\n")), 0)
	m := gofpdfTrailer.FindSubmatchIndex(pdf[at:])
	if m == nil {
		return nil, fmt.Errorf("archival form: the file does not end with gofpdf's cross-reference table and trailer")
	}
	for i := range m {
		m[i] += at
	}
	group := func(i int) string { return string(pdf[m[2*i]:m[2*i+1]]) }
	size, _ := strconv.Atoi(group(1))
	root, _ := strconv.Atoi(group(4))
	infoObj, _ := strconv.Atoi(group(5))
	if s, _ := strconv.Atoi(group(3)); s != size || root != size-1 || infoObj != size-2 {
		return nil, fmt.Errorf("archival form: expected the information and catalog to be the last objects (size %d, root %d, info %d)", size, root, infoObj)
	}
	var offsets []int
	for _, line := range strings.Split(strings.TrimSuffix(group(2), "\n"), "\n") {
		n, _ := strconv.Atoi(line[:10])
		offsets = append(offsets, n)
	}
	if len(offsets) != size {
		return nil, fmt.Errorf("archival form: %d cross-reference entries for %d objects", len(offsets), size)
	}
	catalog, err := objectBody(pdf[offsets[root]:m[0]+1], root)
	if err != nil {
		return nil, err
	}

	metadataObj, profileObj := size, size+1
	var out bytes.Buffer
	out.Grow(len(pdf) + 8<<10)
	// gofpdf states the oldest version its features allow; the file uses
	// those of PDF 1.7 (ActualText, output intents), on which PDF/A-2 rests.
	out.WriteString("%PDF-1.7\n")
	out.WriteString(binaryComment)
	shift := len(binaryComment)
	out.Write(pdf[header:offsets[infoObj]])
	newOffsets := make([]int, size+2)
	for i := 1; i < infoObj; i++ {
		newOffsets[i] = offsets[i] + shift
	}

	newOffsets[infoObj] = out.Len()
	fmt.Fprintf(&out, "%d 0 obj\n<<\n/Title %s\n/Subject %s\n/Creator %s\n/Producer %s\n/CreationDate %s\n/ModDate %s\n>>\nendobj\n",
		infoObj, pdfTextString(info.title), pdfTextString(info.subject), pdfTextString(creatorTool),
		pdfTextString(producer), pdfTextString(pdfDate(info.created)), pdfTextString(pdfDate(info.created)))

	newOffsets[root] = out.Len()
	fmt.Fprintf(&out, "%d 0 obj\n<<\n%s\n/Lang (fa-IR)\n/Metadata %d 0 R\n"+
		"/OutputIntents [<</Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (%s) /Info (%s) /DestOutputProfile %d 0 R>>]\n>>\nendobj\n",
		root, bytes.TrimSpace(catalog), metadataObj, srgbDescription, srgbDescription, profileObj)

	// The metadata stream is not compressed, so that tools that do not
	// parse PDF can still find it (PDF 32000-1 §14.3.2).
	xmp := xmpPacket(info)
	newOffsets[metadataObj] = out.Len()
	fmt.Fprintf(&out, "%d 0 obj\n<</Type /Metadata /Subtype /XML /Length %d>>\nstream\n%s\nendstream\nendobj\n", metadataObj, len(xmp), xmp)

	profile := srgbProfile()
	newOffsets[profileObj] = out.Len()
	fmt.Fprintf(&out, "%d 0 obj\n<</N 3 /Length %d>>\nstream\n", profileObj, len(profile))
	out.Write(profile)
	out.WriteString("\nendstream\nendobj\n")

	// The file identifier is a digest of the file so far: documents with
	// the same content have the same identifier, different ones differ.
	sum := sha256.Sum256(out.Bytes())
	id := strings.ToUpper(hex.EncodeToString(sum[:16]))

	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", size+2)
	for _, off := range newOffsets[1:] {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<<\n/Size %d\n/Root %d 0 R\n/Info %d 0 R\n/ID [<%s> <%s>]\n>>\nstartxref\n%d\n%%%%EOF\n",
		size+2, root, infoObj, id, id, xref)
	return out.Bytes(), nil
}

// producer is the document's Producer and pdf:Producer.
const producer = "Taahod (gofpdf)"

// objectBody returns the dictionary contents of object n, which starts
// obj: what lies between its << and its >>.
func objectBody(obj []byte, n int) ([]byte, error) {
	open := []byte(fmt.Sprintf("%d 0 obj\n<<", n))
	end := []byte(">>\nendobj\n")
	if !bytes.HasPrefix(obj, open) || !bytes.HasSuffix(obj, end) {
		return nil, fmt.Errorf("archival form: object %d is not a dictionary as gofpdf writes it", n)
	}
	return obj[len(open) : len(obj)-len(end)], nil
}

// pdfLiteralEscaper escapes the characters a PDF literal string cannot
// hold as they are. Replacers are made once: making one costs more than
// using it.
var pdfLiteralEscaper = strings.NewReplacer(`\`, `\\`, "(", `\(`, ")", `\)`)

// pdfTextString writes s as a PDF text string: literal when it is printable
// ASCII, else UTF-16BE with a byte order mark, in hex.
func pdfTextString(s string) string {
	ascii := true
	for _, r := range s {
		if r < 0x20 || r > 0x7E {
			ascii = false
			break
		}
	}
	if ascii {
		return "(" + pdfLiteralEscaper.Replace(s) + ")"
	}
	var b strings.Builder
	b.WriteString("<FEFF")
	const digits = "0123456789ABCDEF"
	for _, u := range utf16.Encode([]rune(s)) {
		b.Write([]byte{digits[u>>12], digits[u>>8&0xF], digits[u>>4&0xF], digits[u&0xF]})
	}
	b.WriteString(">")
	return b.String()
}

// pdfDate writes t as a PDF date with its offset from UTC (PDF 32000-1
// §7.9.4), such as D:20251126153000+03'30'.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	return fmt.Sprintf("D:%s%s%02d'%02d'", t.Format("20060102150405"), sign, off/3600, off%3600/60)
}

// xmpPacket is the document's XMP metadata: the document information in
// the properties PDF/A maps it to (ISO 19005-2 §6.6.2.3.1), and the PDF/A
// identification.
func xmpPacket(info archiveInfo) []byte {
	date := info.created.Format("2006-01-02T15:04:05-07:00")
	var b bytes.Buffer
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
<dc:format>application/pdf</dc:format>
`)
	fmt.Fprintf(&b, "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li></rdf:Alt></dc:title>\n", xmlText(info.title))
	fmt.Fprintf(&b, "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">%s</rdf:li></rdf:Alt></dc:description>\n", xmlText(info.subject))
	fmt.Fprintf(&b, "<xmp:CreatorTool>%s</xmp:CreatorTool>\n", xmlText(creatorTool))
	fmt.Fprintf(&b, "<xmp:CreateDate>%s</xmp:CreateDate>\n<xmp:ModifyDate>%s</xmp:ModifyDate>\n", date, date)
	fmt.Fprintf(&b, "<pdf:Producer>%s</pdf:Producer>\n", xmlText(producer))
	b.WriteString(`<pdfaid:part>2</pdfaid:part>
<pdfaid:conformance>B</pdfaid:conformance>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="r"?>`)
	return b.Bytes()
}

// xmlText escapes s for XML character data.
func xmlText(s string) string { return xmlEscaper.Replace(s) }

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
