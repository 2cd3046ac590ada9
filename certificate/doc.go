// Package certificate is the certificates' domain: issuing a unit-year's
// certificate with its gapless serial, superseding and revoking it, and
// keeping it (Store); the issuer's configuration (Issuer); Ed25519 signing
// and its keys (Signer); the signed payloads, the compact QR code and the
// verification code; and verifying a file, a QR code or every stored
// certificate. Package reports renders the PDFs it signs.
//
// A certificate is signed with Ed25519 twice (see FactsPayload and
// DocumentPayload): its facts, which the QR code carries a signed summary
// of so that anyone can check them offline, and those facts bound to the
// PDF's bytes. Issue does both and renders the PDF.
package certificate
