package certificate

import (
	"strings"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports"
)

// serialDashes are the dashes people type, or their keyboards give, between
// a serial's parts, read as the ASCII hyphen.
var serialDashes = strings.NewReplacer("‐", "-", "‑", "-", "–", "-", "—", "-", "−", "-", "ـ", "-")

// ReadSerial reads a certificate serial as people type it, in a form or
// in a URL: any case, Persian, Arabic-Indic or ASCII digits, spaces around
// it, a Persian or Arabic hyphen-like dash between its parts. It returns
// the serial in its canonical form (QZV-1404-000001), and false when the
// text is not a serial's shape.
func ReadSerial(typed string) (string, bool) {
	s := strings.ToUpper(serialDashes.Replace(strings.TrimSpace(taahod.ASCIIDigits(typed))))
	return s, reports.IsSerial(s)
}
