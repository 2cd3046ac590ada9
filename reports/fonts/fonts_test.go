package fonts

import (
	"bytes"
	"strings"
	"testing"
)

func TestEmbedded(t *testing.T) {
	for name, ttf := range map[string][]byte{"Regular": Regular, "Bold": Bold} {
		if !bytes.HasPrefix(ttf, []byte{0, 1, 0, 0}) {
			t.Errorf("%s does not start like a TrueType font", name)
		}
	}
	if !strings.Contains(License, "SIL OPEN FONT LICENSE Version 1.1") ||
		!strings.Contains(License, "Vazirmatn Project Authors") {
		t.Error("License is not Vazirmatn's OFL 1.1 text")
	}
}
