package certificate

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"github.com/taahod/taahod/reports"
	"net/url"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// FileCopy says which document of a stored certificate a file is.
type FileCopy int

const (
	// CopyAltered: the file names a stored certificate but is neither its
	// issued PDF nor the annulled copy given out now: it was altered, or
	// made elsewhere.
	CopyAltered FileCopy = iota
	// CopyIssued: the file is the PDF as issued, byte for byte.
	CopyIssued
	// CopyAnnulled: the file is the annulled copy of a revoked or superseded
	// certificate, byte for byte as the service renders it now.
	CopyAnnulled
)

// FileCheck is what CheckFile found about a PDF file.
type FileCheck struct {
	// Serial is the serial the file's metadata names.
	Serial string
	// Found is false when no certificate has that serial.
	Found bool
	// Record is the stored certificate, when Found.
	Record Record
	// Copy says which of its documents the file is.
	Copy FileCopy
	// Problems are what is wrong with the stored certificate itself: a
	// signature that does not verify with the key, or payloads that disagree
	// with the stored figures or the stored PDF. Empty for a sound one.
	Problems []string
}

// Genuine reports whether the file is a document the service issued for a
// sound certificate (the issued PDF or its annulled copy).
func (f FileCheck) Genuine() bool {
	return f.Found && f.Copy != CopyAltered && len(f.Problems) == 0
}

// Valid reports whether the file is the issued PDF of a sound certificate
// that is valid now: the only outcome for which the file may be relied on.
func (f FileCheck) Valid() bool {
	return f.Genuine() && f.Copy == CopyIssued && f.Record.Status == StatusValid
}

// CheckFile checks a PDF file against the stored certificates, for `taahod
// verify-cert`: it finds the certificate the file names, tells whether the
// file is byte for byte its issued PDF or the annulled copy given out now,
// and checks the stored certificate's payloads and signatures with pub. It
// returns an error if the file names no certificate or the database fails.
func (s *Store) CheckFile(ctx context.Context, pdf []byte, pub ed25519.PublicKey) (FileCheck, error) {
	serial, _, err := reports.CertificateInfo(pdf)
	if err != nil {
		return FileCheck{}, err
	}
	f := FileCheck{Serial: serial}
	r, err := lookup(ctx, s.DB, serial)
	if err != nil {
		if taahod.ErrorCode(err) == taahod.ENOTFOUND {
			return f, nil
		}
		return f, database.MapError(err)
	}
	f.Found, f.Record = true, r
	stored, err := storedPDF(ctx, s.DB, r.ID)
	if err != nil {
		return f, err
	}
	f.Problems = checkRecord(r, stored, pub)
	sum := SHA256Hex(pdf)
	switch {
	case sum == r.SHA256 && bytes.Equal(pdf, stored):
		f.Copy = CopyIssued
	case r.Status != StatusValid:
		annulled, err := reports.RenderCertificateVersion(r.annulled(), reports.ModeAnnulled, r.RendererVersion)
		if err != nil {
			return f, fmt.Errorf("render the annulled copy of %s: %w", serial, err)
		}
		if bytes.Equal(pdf, annulled) {
			f.Copy = CopyAnnulled
		}
	}
	return f, nil
}

// checkRecord checks a stored certificate against itself: its PDF against
// the recorded digest, its facts payload against its figures and against
// what it printed, its document payload against both, and, with a key, its
// two signatures and the signed URL its QR code carries. It returns what
// it found wrong.
func checkRecord(r Record, pdf []byte, pub ed25519.PublicKey) []string {
	var out []string
	bad := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	if SHA256Hex(pdf) != r.SHA256 {
		bad("the stored PDF's SHA-256 is %s, not the recorded %s", SHA256Hex(pdf), r.SHA256)
	}
	facts, err := ParseFactsPayload(r.FactsPayload)
	if err != nil {
		bad("the facts payload does not parse: %v", err)
	} else {
		row := Facts{Serial: r.Serial, UnitNationalID: r.Printed.Unit.NationalID, FiscalYear: r.FiscalYear,
			TaxDue: r.TaxDue, EligibleSpendingUsed: r.SpendingUsed, OffsetAmount: r.OffsetAmount, IssuedOn: r.IssuedOn}
		if !facts.Equal(row) {
			bad("the facts payload states other figures than the certificate's row")
		}
		if !facts.Equal(FactsOf(r.Printed)) {
			bad("the facts payload states other figures than the certificate printed")
		}
	}
	if code := r.Printed.VerificationCode; code != "" && code != r.VerificationCode() {
		// The codes themselves stay out of the report: they unlock the figures.
		bad("the certificate printed another verification code than its facts signature gives")
	}
	if r.Printed.PayloadSHA256 != SHA256Hex([]byte(r.FactsPayload)) {
		bad("the certificate printed the digest %s, not its facts payload's %s", r.Printed.PayloadSHA256, SHA256Hex([]byte(r.FactsPayload)))
	}
	docFacts, sum, err := ParseDocumentPayload(r.Payload)
	switch {
	case err != nil:
		bad("the document payload does not parse: %v", err)
	case r.Payload != r.FactsPayload+pdfKey+"="+sum+"\n":
		bad("the document payload does not extend the facts payload")
	case sum != r.SHA256:
		bad("the document payload names the PDF %s, not the stored %s", sum, r.SHA256)
	case !docFacts.Equal(facts):
		bad("the document payload states other facts than the facts payload")
	}
	if pub == nil {
		return out
	}
	if !Verify(pub, r.FactsPayload, r.FactsSignature) {
		bad("the facts signature does not verify with the key")
	}
	if !Verify(pub, r.Payload, r.Signature) {
		bad("the document signature does not verify with the key")
	}
	if code := CompactQRCodeOf(r.Printed.QRURL); code != "" {
		if q, _ := CheckQRCode(pub, code, facts, r.FactsPayload); q != QRMatches {
			bad("the QR code's signed summary checks as %s", q)
		}
	} else if u, err := url.Parse(r.Printed.QRURL); err != nil {
		bad("the QR code's URL does not parse: %v", err)
	} else if q, _ := CheckQR(pub, u.Query().Get("p"), u.Query().Get("s"), facts); q != QRMatches {
		bad("the QR code's signed URL checks as %s", q)
	}
	return out
}

// maxCertificateFindings bounds what Verify reports.
const maxCertificateFindings = 50

// VerifyCertificates checks every stored certificate without the signing key: each
// one's PDF against its recorded digest and its payloads against its
// figures (checkRecord), the PDF against a fresh rendering of what it
// printed (so that an annulled copy can be rendered faithfully), the links
// between superseded and superseding certificates, and that the serials of
// each province and year run from 1 to the counter without a gap. It
// returns a summary and what it found. The signatures are checked by
// `taahod verify-cert`, which has the key.
func VerifyCertificates(ctx context.Context, db *database.DB) (string, []database.Finding, error) {
	var findings []database.Finding
	add := func(subject, format string, args ...any) {
		if len(findings) < maxCertificateFindings {
			findings = append(findings, database.Finding{Check: "certificates", Subject: subject, Problem: fmt.Sprintf(format, args...)})
		}
	}
	records, err := loadRecords(ctx, db, recordSelect+` ORDER BY c.id`)
	if err != nil {
		return "", nil, database.MapError(err)
	}
	bySerial := make(map[string]Record, len(records))
	for _, r := range records {
		bySerial[r.Serial] = r
	}
	for _, r := range records {
		subject := "certificate " + r.Serial
		pdf, err := storedPDF(ctx, db, r.ID)
		if err != nil {
			return "", nil, err
		}
		for _, p := range checkRecord(r, pdf, nil) {
			add(subject, "%s", p)
		}
		again, err := reports.RenderCertificateVersion(r.Printed, reports.ModeFinal, r.RendererVersion)
		if err != nil {
			add(subject, "what it printed no longer renders: %v", err)
		} else if !bytes.Equal(again, pdf) {
			add(subject, "rendering what it printed with renderer version %d gives other bytes than the stored PDF: its record "+
				"or its PDF was changed (its annulled copy would no longer match what it printed)", r.RendererVersion)
		}
		if r.Supersedes != nil {
			old, ok := bySerial[*r.Supersedes]
			if !ok || old.Status != StatusSuperseded || old.SupersededBy == nil || *old.SupersededBy != r.Serial {
				add(subject, "supersedes %s, which does not name it as its successor", *r.Supersedes)
			}
			if ok && (old.UnitID != r.UnitID || old.FiscalYear != r.FiscalYear) {
				add(subject, "supersedes %s of another unit or year", *r.Supersedes)
			}
		}
		if r.SupersededBy != nil {
			next, ok := bySerial[*r.SupersededBy]
			if !ok || next.Supersedes == nil || *next.Supersedes != r.Serial {
				add(subject, "superseded by %s, which does not name it as the one it replaces", *r.SupersededBy)
			}
		}
		if r.Printed.Supersedes != derefOr(r.Supersedes) {
			add(subject, "printed that it replaces %q but is recorded replacing %q", r.Printed.Supersedes, derefOr(r.Supersedes))
		}
	}

	var counters []struct {
		Province string `db:"province"`
		Year     int    `db:"fiscal_year"`
		Last     int    `db:"last_seq"`
		Count    int    `db:"n"`
		Max      int    `db:"max_seq"`
	}
	if err := db.SelectContext(ctx, &counters, `
		SELECT k.province, k.fiscal_year, k.last_seq, count(c.id) AS n, COALESCE(max(c.seq), 0) AS max_seq
		  FROM certificate_counters k
		  LEFT JOIN certificates c ON c.province = k.province AND c.fiscal_year = k.fiscal_year
		 GROUP BY k.province, k.fiscal_year, k.last_seq
		 ORDER BY k.province, k.fiscal_year`); err != nil {
		return "", nil, database.MapError(err)
	}
	for _, k := range counters {
		if k.Count != k.Last || k.Max != k.Last {
			add(fmt.Sprintf("serials %s-%d", k.Province, k.Year),
				"the counter is at %d but %d certificates have serials up to %d: the serials are not gapless", k.Last, k.Count, k.Max)
		}
	}
	return fmt.Sprintf("%d certificates, %d serial counters", len(records), len(counters)), findings, nil
}

func derefOr(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
