package api

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
)

// The public verification answers anyone by serial, and serials are
// sequential: so by serial alone it tells only whether a certificate
// stands (status, year, date of issue, what replaced it). What the
// certificate certifies (the unit, the amount, the PDF's digest, why it was
// revoked) needs a proof of holding it: the verification code printed
// beside the serial (?code=), the code its QR code carries (?q=, the part
// of /Q/CODE after /Q/), or the signed facts the long QR URL of the first
// certificates carried (?p=&s=). When a certificate was revoked is public,
// as its status is; why is the holder's to read.

// publicCertificate is what anyone may learn of a certificate by its
// serial alone.
type publicCertificate struct {
	Serial         string             `json:"serial"`
	Status         certificate.Status `json:"status"`
	FiscalYear     int                `json:"fiscal_year"`
	IssuedOn       taahod.Date        `json:"issued_on"`
	IssuedOnJalali string             `json:"issued_on_jalali"`
	SupersededBy   string             `json:"superseded_by,omitempty"`
	// RevokedOn is a revoked certificate's date of revocation.
	RevokedOn       *taahod.Date `json:"revoked_on,omitempty"`
	RevokedOnJalali string       `json:"revoked_on_jalali,omitempty"`
}

// heldCertificate is what the holder of a certificate learns: the public
// facts and what it certifies, and, for a revoked one, when and why.
type heldCertificate struct {
	publicCertificate
	UnitName         string          `json:"unit_name"`
	OffsetAmount     decimal.Decimal `json:"offset_amount"`
	SHA256           string          `json:"sha256"`
	RevocationReason string          `json:"revocation_reason,omitempty"`
}

// holderProof is what a public verification was given to prove that the
// caller holds the certificate.
type holderProof struct {
	// Code is the verification code as ReadVerificationCode reads it; ""
	// when none was given.
	Code string
	// P and S are the long QR URL's signed facts and signature, base64url.
	P, S string
	// Q is the code of a compact QR URL (certificate.CompactQRURL), in
	// capitals.
	Q string
	// Typed is the code as it was typed, for the page to give back.
	Typed string
}

// given reports whether any proof was given.
func (h holderProof) given() bool { return h.Code != "" || h.P != "" || h.S != "" || h.Q != "" }

// readHolderProof reads ?code=, ?q=, ?p= and ?s=. It returns EINVALID
// naming code for a code that cannot be one (another length, a letter
// outside the alphabet), naming q for a text that is no QR code's, and
// naming p or s when only one of them is given: none depends on the serial,
// so the refusal tells nothing of it.
func readHolderProof(c *gin.Context) (holderProof, error) {
	h := holderProof{Typed: c.Query("code"), P: c.Query("p"), S: c.Query("s"), Q: strings.ToUpper(strings.TrimSpace(c.Query("q")))}
	var p taahod.Problems
	if h.Q != "" {
		if _, _, err := certificate.ReadQRCode(h.Q); err != nil {
			p.Add("q", "malformed", "q is the code of the certificate's QR code, the part of its URL after /Q/")
		}
	}
	if strings.TrimSpace(h.Typed) != "" {
		code, ok := certificate.ReadVerificationCode(h.Typed)
		if !ok {
			p.Add("code", "invalid_verification_code", "a verification code is the 10 characters printed beside the serial, such as 7KQ4-M2XD-9P")
		}
		h.Code = code
	}
	switch {
	case h.P != "" && h.S == "":
		p.Add("s", "required", "s, the signature, comes with p, the signed facts, as the certificate's QR code gives them")
	case h.S != "" && h.P == "":
		p.Add("p", "required", "p, the signed facts, comes with s, their signature, as the certificate's QR code gives them")
	}
	return h, p.Err()
}

// check reports whether the proof shows that the caller holds r. It
// returns ECODEMISMATCH, naming the field at fault, for a proof that is
// not r's: a wrong code, or signed facts that are not r's.
func (h holderProof) check(r certificate.Record) (bool, error) {
	if !h.given() {
		return false, nil
	}
	if h.Code != "" && !r.HasCode(h.Code) {
		return false, &taahod.Error{Code: certificate.ECODEMISMATCH, Message: "the verification code is not this certificate's",
			Fields: []taahod.FieldError{{Field: "code", Code: certificate.ECODEMISMATCH, Message: "is not the code printed on this certificate"}}}
	}
	if h.Q != "" && !r.HasQRCode(h.Q) {
		return false, &taahod.Error{Code: certificate.ECODEMISMATCH, Message: "the QR code is not this certificate's",
			Fields: []taahod.FieldError{{Field: "q", Code: certificate.ECODEMISMATCH, Message: "is not the code this certificate's QR code carries"}}}
	}
	if h.P != "" && !r.HasSignedFacts(h.P, h.S) {
		return false, &taahod.Error{Code: certificate.ECODEMISMATCH, Message: "the signed facts are not this certificate's",
			Fields: []taahod.FieldError{{Field: "p", Code: certificate.ECODEMISMATCH, Message: "p and s are not the facts and signature this certificate's QR code carries"}}}
	}
	return true, nil
}

// lookupPublic finds a certificate for the public verification; serials
// match as people type them (certificate.ReadSerial): in any case, with Persian
// or Arabic-Indic digits.
func (s *Server) lookupPublic(c *gin.Context) (certificate.Record, error) {
	serial, ok := certificate.ReadSerial(c.Param("serial"))
	if !ok {
		return certificate.Record{}, taahod.Errorf(taahod.ENOTFOUND, "no certificate has the serial %q", c.Param("serial"))
	}
	return s.certificates.Lookup(c.Request.Context(), serial)
}

func (s *Server) verifyCertificate(c *gin.Context) error {
	proof, err := readHolderProof(c)
	if err != nil {
		return err
	}
	r, err := s.lookupPublic(c)
	if err != nil {
		return err
	}
	// A status changes: let no cache keep an old one.
	c.Header("Cache-Control", "no-store")
	p := publicCertificate{
		Serial: r.Serial, Status: r.Status, FiscalYear: r.FiscalYear,
		IssuedOn: r.IssuedOn, IssuedOnJalali: r.IssuedOn.Jalali(), SupersededBy: deref(r.SupersededBy),
	}
	if r.Status == certificate.StatusRevoked && r.StatusAt != nil {
		on := taahod.Today(*r.StatusAt)
		p.RevokedOn, p.RevokedOnJalali = &on, on.Jalali()
	}
	held, err := proof.check(r)
	if err != nil {
		return err
	}
	if !held {
		return ok(c, p)
	}
	full := heldCertificate{publicCertificate: p, UnitName: r.Printed.Unit.Name, OffsetAmount: r.OffsetAmount, SHA256: r.SHA256}
	if r.Status == certificate.StatusRevoked {
		full.RevocationReason = deref(r.StatusReason)
	}
	return ok(c, full)
}

// verifyPage answers the Persian page a certificate's QR code opens. By
// serial alone it shows whether the certificate stands and a field for its
// verification code; with the right code, or the signed facts of its QR
// code, also what it certifies. It says whether the signed facts in the
// URL (p and s) are genuine and this certificate's; a code that is not the
// certificate's is told beside the field (403), and one that cannot be a
// code likewise (422).
func (s *Server) verifyPage(c *gin.Context) error {
	var page bytes.Buffer
	status := http.StatusOK
	// The page tells a bad code beside its field; a p without s is told in
	// the signature's box (CheckQR).
	proof, _ := readHolderProof(c)
	r, err := s.lookupPublic(c)
	switch {
	case taahod.ErrorCode(err) == taahod.ENOTFOUND:
		status = http.StatusNotFound
		if err := certificate.RenderVerifyNotFound(&page, c.Param("serial")); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		facts, err := certificate.ParseFactsPayload(r.FactsPayload)
		if err != nil {
			return err
		}
		v := certificate.VerifyView{
			Serial: r.Serial, Status: r.Status, SupersededBy: deref(r.SupersededBy), Supersedes: deref(r.Supersedes),
			StatusReason: deref(r.StatusReason),
			UnitName:     r.Printed.Unit.Name, FiscalYear: r.FiscalYear, OffsetAmount: r.OffsetAmount, IssuedOn: r.IssuedOn,
			PayloadSHA256: r.FactsSHA256(), KeyURL: "/api/v1/verify/key",
			Code: proof.Typed,
		}
		if r.StatusAt != nil {
			v.StatusOn = taahod.Today(*r.StatusAt)
		}
		signer := s.certificates.Issuer.Signer
		switch {
		case signer == nil && (proof.P != "" || proof.S != "" || proof.Q != ""):
			v.QR = certificate.QRUnchecked
		case signer == nil:
		case proof.Q != "":
			v.QR, _ = certificate.CheckQRCode(signer.PublicKey(), proof.Q, facts, r.FactsPayload)
		default:
			v.QR, _ = certificate.CheckQR(signer.PublicKey(), proof.P, proof.S, facts)
		}
		switch {
		case proof.Code == "" && strings.TrimSpace(proof.Typed) != "":
			status, v.CodeFault = http.StatusUnprocessableEntity, certificate.CodeMalformed
		case proof.Code != "" && !r.HasCode(proof.Code):
			status, v.CodeFault = http.StatusForbidden, certificate.CodeMismatch
		default:
			// A QR URL whose facts are not this certificate's is told in
			// the signature's box; only the held ones open the figures.
			v.Disclosed = proof.Code != "" || r.HasSignedFacts(proof.P, proof.S) || (proof.Q != "" && r.HasQRCode(proof.Q))
		}
		if err := certificate.RenderVerifyPage(&page, v); err != nil {
			return err
		}
	}
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	// The page has its style inline and nothing else to load; its one form
	// (the verification code) comes back to it.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	c.Data(status, "text/html; charset=utf-8", page.Bytes())
	return nil
}

// qrLink answers the URL a certificate's QR code carries, /Q/{code}: a
// redirect to the certificate's verify page with the code, which checks
// its signature and opens what it certifies. A code that is no
// certificate's QR code is a Persian page saying so (404).
func (s *Server) qrLink(c *gin.Context) error {
	code := strings.ToUpper(c.Param("code"))
	q, _, err := certificate.ReadQRCode(code)
	h := c.Writer.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	if err != nil {
		var page bytes.Buffer
		if err := certificate.RenderVerifyBadQR(&page); err != nil {
			return err
		}
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		c.Data(http.StatusNotFound, "text/html; charset=utf-8", page.Bytes())
		return nil
	}
	c.Redirect(http.StatusSeeOther, "/v/"+url.PathEscape(q.Serial)+"?q="+url.QueryEscape(code))
	return nil
}
