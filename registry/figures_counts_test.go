package registry

import "testing"

// TestParseCounts reads the figures' array of counts as PostgreSQL prints
// a bigint[], and refuses anything but exactly n counts.
func TestParseCounts(t *testing.T) {
	got, err := parseCounts([]byte("{34,0,260,9223372036854775807}"), 4)
	if err != nil || len(got) != 4 || got[0] != 34 || got[1] != 0 || got[2] != 260 || got[3] != 9223372036854775807 {
		t.Errorf("parseCounts: %v, %v", got, err)
	}
	if got, err := parseCounts([]byte("{}"), 0); err != nil || len(got) != 0 {
		t.Errorf("no counts: %v, %v", got, err)
	}
	for _, bad := range []string{"", "{", "34,1", "{34,1", "{34,1}", "{34,NULL,1}", "{34,-1,1}", "{34,,1}", "{34,1,1,}",
		"{1,2,3,4}", "{34, 1,1}", "34,1,1}", "{34,1,1", "{9223372036854775808,1,1}"} {
		if got, err := parseCounts([]byte(bad), 3); err == nil {
			t.Errorf("parseCounts(%q) = %v, want an error", bad, got)
		}
	}
}
