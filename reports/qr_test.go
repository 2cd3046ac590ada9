package reports

import "testing"

// TestQRModulesCompact: a compact URL is encoded at level Q or above and
// printed at least 35 mm wide.
func TestQRModulesCompact(t *testing.T) {
	_, issued := issuedSample(t)
	mods, err := qrModules(issued.QRURL)
	if err != nil {
		t.Fatal(err)
	}
	// Version v has 17 + 4v modules a side; 180 alphanumeric characters
	// at level Q need version 10.
	if n := len(mods); n > 17+4*10 {
		t.Errorf("%d modules a side (version %d), want version 10 or less", n, (n-17)/4)
	}
	if qrSizeCompact < 35 {
		t.Errorf("printed %v mm wide, want at least 35", qrSizeCompact)
	}
}
