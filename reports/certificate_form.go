package reports

import "regexp"

// serialPattern is the form of the serial a certificate prints: a province
// code of capital letters, the four-digit year and the six-digit sequence.
// The certificate package, which takes serials, checks the same form.
var serialPattern = regexp.MustCompile(`^[A-Z]{2,8}-[0-9]{4}-[0-9]{6}$`)

// sha256Hex is the form of the digest a certificate prints.
var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)
