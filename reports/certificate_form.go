package reports

import "regexp"

// serialPattern is the form of the serial a certificate prints: a province
// code of capital letters, the four-digit year and the six-digit sequence.
var serialPattern = regexp.MustCompile(`^[A-Z]{2,8}-[0-9]{4}-[0-9]{6}$`)

// sha256Hex is the form of the digest a certificate prints.
var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// IsSerial reports whether s is a certificate serial in its canonical form
// (QZV-1404-000001): the form the layout prints and the certificate
// package issues, reads and verifies.
func IsSerial(s string) bool { return serialPattern.MatchString(s) }

// IsSHA256Hex reports whether s is a SHA-256 digest in lowercase hex, the
// form a certificate prints and signs.
func IsSHA256Hex(s string) bool { return sha256Hex.MatchString(s) }
