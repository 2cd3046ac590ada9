package reports

import (
	"fmt"

	"github.com/taahod/taahod/reports/fa"
)

// CheckDrawable reports a configured text (what names it) that the
// certificates' font cannot draw, so that a bad configuration is refused at
// start rather than at the first issue.
func CheckDrawable(what, s string) error {
	faces, err := loadTypefaces()
	if err != nil {
		return err
	}
	// What is drawn is the shaped text, so check that and not the letters.
	if bad := faces.undrawable(fa.Visual(fa.Shape(fa.Normalize(s)))); len(bad) > 0 {
		return fmt.Errorf("%s %q cannot be printed: the certificate font has no glyph for %s", what, s, runeList(bad))
	}
	return nil
}
