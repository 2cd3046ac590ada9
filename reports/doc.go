// Package reports makes the documents Taahod gives out: the signed Persian
// certificate PDF and its public verify page, and the registry's yearly
// report.
//
// Documents are A4 PDFs drawn with github.com/jung-kurt/gofpdf in Vazirmatn,
// cut once per process to the glyphs they can use (CheckFonts); Persian text
// is shaped and ordered by reports/fa, since gofpdf does neither. Rendering
// is deterministic: the same input gives the same bytes.
//
// A certificate is signed with Ed25519 twice (see FactsPayload and
// DocumentPayload): its facts, which the QR code carries so that anyone can
// check them offline, and those facts bound to the PDF's bytes. Issue does
// both and renders the PDF.
package reports
