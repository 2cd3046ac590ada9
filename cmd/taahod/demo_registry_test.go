package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/registry"
)

// TestRegistryDemo: after seed-demo, the published figures of 1404 and 1403
// are the source report's, and every figure's rows are as many as it says.
func TestRegistryDemo(t *testing.T) {
	db, url := dbtest.NewWithURL(t)
	t.Setenv("DATABASE_URL", url)
	if code, out, stderr := runTaahod(t, "", "seed-demo"); code != 0 || !strings.Contains(out, "registry 1404") {
		t.Fatalf("seed-demo: %d %q %q", code, out, stderr)
	}
	s := registry.NewStore(db)
	want := map[int]string{
		1404: `{"year":1404,"sessions":{"formal":28,"field":6,"site_visit":0,"total":34},` +
			`"resolutions":{"total":260,"implemented":230,"in_follow_up":30,"not_implemented":0,"notified":0,"cancelled":0},` +
			`"units_examined":228,"units_examined_in_field_sessions":26,"cases_resolved_without_session":70,"referrals":10,` +
			`"revived_units":0,"schools_pledged":10,`,
		1403: `{"year":1403,"sessions":{"formal":68,"field":0,"site_visit":0,"total":68},` +
			`"resolutions":{"total":353,"implemented":341,"in_follow_up":12,"not_implemented":0,"notified":0,"cancelled":0},`,
	}
	for year, prefix := range want {
		f, err := s.Figures(context.Background(), year)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(f)
		if !strings.HasPrefix(string(b), prefix) {
			t.Fatalf("%d:\n got %s\nwant %s…", year, b, prefix)
		}
		if year == 1403 && f.RevivedUnits != 55 {
			t.Fatalf("1403 revived %d units, want 55", f.RevivedUnits)
		}
		if year == 1404 && (f.ImplementationRate.Value.String() != "0.8846" || f.ImplementationRate.Denominator != 260) {
			t.Fatalf("1404 implementation rate: %+v", f.ImplementationRate)
		}
		for _, name := range registry.FigureNames() {
			count, rows, err := s.FigureRows(context.Background(), registry.Public(), year, name, 0, 500)
			if err != nil || len(rows) != count {
				t.Fatalf("%d %s: %d rows, count %d, %v", year, name, len(rows), count, err)
			}
		}
	}
	if _, findings, err := registry.Verify(context.Background(), db); err != nil || len(findings) != 0 {
		t.Fatalf("verify: %v %v", findings, err)
	}
	rep, err := s.YearReport(context.Background(), registry.Public(), 1404)
	if err != nil || rep.Overdue.Resolutions != 30 {
		t.Fatalf("1404's overdue resolutions: %d, %v", rep.Overdue.Resolutions, err)
	}
}
