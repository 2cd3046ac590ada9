package certificate

import (
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports"
)

// FactsOf returns the facts a certificate's signature vouches for.
func FactsOf(c reports.Certificate) Facts {
	return Facts{
		Serial:               c.Serial,
		UnitNationalID:       c.Unit.NationalID,
		FiscalYear:           c.FiscalYear,
		TaxDue:               c.TaxDue,
		EligibleSpendingUsed: c.EligibleSpendingUsed,
		OffsetAmount:         c.OffsetAmount,
		IssuedOn:             c.IssuedOn,
	}
}

// IssuedCertificate is a signed and rendered certificate: what the issuing
// transaction stores and POST /certificates answers.
type IssuedCertificate struct {
	// PDF is the certificate as issued (ModeFinal).
	PDF []byte
	// PDFSHA256 is the hex SHA-256 of PDF.
	PDFSHA256 string
	// FactsPayload and FactsSignature are the signed facts; the QR code
	// carries a signed summary of them (CompactQRCode), and the long QR
	// URL of the first certificates carried them whole.
	FactsPayload   string
	FactsSignature string
	// FactsSHA256 is the digest printed on the certificate.
	FactsSHA256 string
	// DocumentPayload and DocumentSignature bind the facts to the PDF
	// bytes: the contract's payload and signature.
	DocumentPayload   string
	DocumentSignature string
	// QRURL is the URL in the QR code.
	QRURL string
	// VerificationCode is the code printed beside the serial, derived from
	// FactsSignature.
	VerificationCode string
}

// Issue signs the certificate's facts, fills in QRURL, PayloadSHA256 and
// VerificationCode, renders the final PDF and signs the document payload.
// Because Ed25519 and the rendering are deterministic, issuing the same
// certificate again with the same key gives the same bytes. It returns an EINVALID *taahod.Error
// for facts that cannot be signed or text that cannot be printed, and
// another error if rendering fails.
func Issue(c reports.Certificate, signer *Signer) (*IssuedCertificate, error) {
	facts, err := FactsPayload(FactsOf(c))
	if err != nil {
		return nil, err
	}
	out := &IssuedCertificate{FactsPayload: facts, FactsSignature: signer.Sign(facts), FactsSHA256: SHA256Hex([]byte(facts))}
	code, err := CompactQRCode(FactsOf(c), facts, signer)
	if err != nil {
		return nil, err
	}
	if out.QRURL, err = CompactQRURL(c.PublicURL, code); err != nil {
		return nil, err
	}
	if err := reports.QRFits(out.QRURL); err != nil {
		return nil, err
	}
	if out.VerificationCode, err = VerificationCode(out.FactsSignature); err != nil {
		return nil, err
	}
	c.QRURL, c.PayloadSHA256, c.VerificationCode = out.QRURL, out.FactsSHA256, out.VerificationCode
	c.Status, c.StatusReason, c.StatusOn, c.SupersededBy = reports.StatusValid, "", taahod.Date{}, ""
	if out.PDF, err = reports.RenderCertificate(c, reports.ModeFinal); err != nil {
		return nil, err
	}
	out.PDFSHA256 = SHA256Hex(out.PDF)
	if out.DocumentPayload, err = DocumentPayload(facts, out.PDFSHA256); err != nil {
		return nil, err
	}
	out.DocumentSignature = signer.Sign(out.DocumentPayload)
	return out, nil
}
