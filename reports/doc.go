// Package reports renders the documents Taahod gives out: the Persian
// certificate PDF (its layout and renderer versions) and the registry's
// yearly report. It draws what it is given; the certificate package issues,
// signs, stores and verifies certificates and calls it to render.
//
// Documents are A4 PDFs drawn with github.com/jung-kurt/gofpdf in Vazirmatn,
// cut once per process to the glyphs they can use (CheckFonts); Persian text
// is shaped and ordered by reports/fa, since gofpdf does neither. Rendering
// is deterministic: the same input gives the same bytes.
package reports
