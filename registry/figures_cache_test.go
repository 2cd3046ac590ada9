package registry_test

import (
	"context"
	"testing"

	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/registry"
)

// figuresVersion reads the records' version of migration 0024 and how
// many transactions have moved it.
func figuresVersion(t *testing.T, db *database.DB) (version, changes int64) {
	t.Helper()
	if err := db.QueryRow(`SELECT version, changes FROM registry_figures_version`).Scan(&version, &changes); err != nil {
		t.Fatal(err)
	}
	return version, changes
}

// TestFiguresKeptUntilTheRecordsMove: a Store answers with the figures it
// counted for as long as the records' version has not moved, and counts
// again as soon as it has. Every kind of record the figures count is
// covered by TestYearCountsFollowTheRecords, which reads one Store's
// figures after each change; this test shows that the figures are kept at
// all (a count changed with the triggers off is not seen until the
// version moves), and covers the pledges, which that test does not write.
func TestFiguresKeptUntilTheRecordsMove(t *testing.T) {
	s, db := fixture(t)
	ctx := context.Background()
	figures := func(when string) (registry.Figures, registry.TwoYears) {
		t.Helper()
		f, err := s.Figures(ctx, 1404)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		two, err := s.TwoYears(ctx, 1404)
		if err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		if two.Figures.Resolutions != f.Resolutions || two.Figures.SchoolsPledged != f.SchoolsPledged {
			t.Fatalf("%s: TwoYears counts %+v, %d schools; Figures %+v, %d", when,
				two.Figures.Resolutions, two.Figures.SchoolsPledged, f.Resolutions, f.SchoolsPledged)
		}
		return f, two
	}
	before, _ := figures("the fixture")
	if before.Resolutions.Total != 3 {
		t.Fatalf("the fixture has %d resolutions in 1404, want 3", before.Resolutions.Total)
	}

	// A count moved behind the service's back with every trigger off (as a
	// replica applies changes): the version does not move, and neither do
	// the figures kept. (Without the cache the figures would show 103.)
	version, _ := figuresVersion(t, db)
	conn, err := db.Connx(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`SET session_replication_role = replica`,
		`UPDATE registry_year_resolutions SET n = n + 100 WHERE year = 1404 AND category = 'banking' AND status = 'implemented'`,
		`RESET session_replication_role`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	conn.Close()
	if v, _ := figuresVersion(t, db); v != version {
		t.Fatalf("the version moved from %d to %d with the triggers off", version, v)
	}
	if kept, _ := figures("a count changed with the triggers off"); kept.Resolutions.Total != 3 {
		t.Fatalf("the figures were counted again (%d resolutions) though the version did not move", kept.Resolutions.Total)
	}
	if _, err := db.Exec(`UPDATE registry_year_resolutions SET n = n - 100 WHERE year = 1404 AND category = 'banking' AND status = 'implemented'`); err != nil {
		t.Fatal(err)
	}
	if v, _ := figuresVersion(t, db); v == version {
		t.Fatalf("a count changed and the version stayed at %d", v)
	}

	// Pledges: a new one counts its school in its year; a submitted total
	// moving (every expenditure's submission) does not move the version;
	// a pledge moved to the year before leaves 1404.
	var school, unit, pledge int64
	if err := db.Get(&school, `INSERT INTO schools (name, kind, county, created_at, updated_at)
		VALUES ('مدرسه', 'school', 'قزوین', now(), now()) RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&unit, `SELECT id FROM units LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&pledge, `INSERT INTO pledges (unit_id, school_id, amount, pledged_on, created_at)
		VALUES ($1, $2, 1000, '2025-06-01', now()) RETURNING id`, unit, school); err != nil {
		t.Fatal(err)
	}
	if f, two := figures("a pledge"); f.SchoolsPledged != before.SchoolsPledged+1 || two.Previous.SchoolsPledged != 0 {
		t.Fatalf("after a pledge in 1404: %d schools pledged in 1404 (was %d), %d in 1403", f.SchoolsPledged,
			before.SchoolsPledged, two.Previous.SchoolsPledged)
	}
	version, _ = figuresVersion(t, db)
	if _, err := db.Exec(`UPDATE pledges SET submitted_total = submitted_total + 10 WHERE id = $1`, pledge); err != nil {
		t.Fatal(err)
	}
	if v, _ := figuresVersion(t, db); v != version {
		t.Fatalf("a pledge's submitted total moved the version from %d to %d", version, v)
	}
	if _, err := db.Exec(`UPDATE pledges SET pledged_on = '2025-03-01' WHERE id = $1`, pledge); err != nil {
		t.Fatal(err)
	}
	if f, two := figures("a pledge moved to 1403"); f.SchoolsPledged != before.SchoolsPledged || two.Previous.SchoolsPledged != 1 {
		t.Fatalf("after the pledge moved to 1403: %d schools pledged in 1404 (want %d), %d in 1403 (want 1)",
			f.SchoolsPledged, before.SchoolsPledged, two.Previous.SchoolsPledged)
	}
}

// TestFiguresVersionMovesOncePerTransaction: a transaction that writes
// many records moves the version once, at its commit, and one rolled back
// does not move it.
func TestFiguresVersionMovesOncePerTransaction(t *testing.T) {
	_, db := fixture(t)
	version, changes := figuresVersion(t, db)
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO sessions (kind, held_on, created_at, updated_at) VALUES ('formal', '2025-05-01', now(), now())`,
		`INSERT INTO resolutions (adopted_on, text, category, created_by, created_at) VALUES ('2025-06-01', 'x', 'land', 'test', now())`,
		`INSERT INTO resolutions (adopted_on, text, category, created_by, created_at) VALUES ('2024-06-01', 'y', 'gas', 'test', now())`,
	} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// Not before the commit, even as the transaction sees it: the version
	// moves at commit, so that no writer holds its row while it waits for
	// anything else.
	var inside int64
	if err := tx.Get(&inside, `SELECT version FROM registry_figures_version`); err != nil {
		t.Fatal(err)
	}
	if inside != version {
		t.Fatalf("the version moved from %d to %d before the commit", version, inside)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	moved, movedChanges := figuresVersion(t, db)
	if moved == version || movedChanges != changes+1 {
		t.Fatalf("one transaction of three writes: version %d → %d, moved %d times, want once", version, moved, movedChanges-changes)
	}

	tx, err = db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`INSERT INTO resolutions (adopted_on, text, category, created_by, created_at) VALUES ('2025-06-01', 'z', 'land', 'test', now())`); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if v, n := figuresVersion(t, db); v != moved || n != movedChanges {
		t.Fatalf("a rolled-back transaction moved the version from %d to %d", moved, v)
	}
}
