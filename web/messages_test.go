package web

import (
	"testing"

	"github.com/taahod/taahod"
	_ "github.com/taahod/taahod/internal/auth" // registers its codes
	_ "github.com/taahod/taahod/ledger"        // registers its codes
	_ "github.com/taahod/taahod/registry"      // registers its codes
	_ "github.com/taahod/taahod/reports"       // registers its codes
)

// TestEveryCodeHasASentence fails when a problem code of the domain has no
// Persian sentence for the pages to show.
func TestEveryCodeHasASentence(t *testing.T) {
	for _, code := range taahod.Codes {
		if messages[code] == "" {
			t.Errorf("problem code %q has no Persian sentence in messages", code)
		}
	}
	for _, code := range []string{"required", "invalid_choice", "too_long", "duplicate", "evidence_required",
		"wrong_password", "too_short", "same_as_username", "unchanged", "mismatch", "invalid_jalali_date",
		"not_a_number", "separators_not_allowed", "too_many_decimals", "not_positive", "csrf"} {
		if messages[code] == "" {
			t.Errorf("field code %q has no Persian sentence", code)
		}
	}
	if Message("no such code") != messages[taahod.EINVALID] {
		t.Errorf("an unknown code is not given the general sentence")
	}
}
