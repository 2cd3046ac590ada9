package registry_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/registry"
)

// recounts pairs each yearly count table of migrations 0016 and 0022 with the same
// count made from the records (each record's year from fiscal_years), both
// as sorted text rows of the non-zero counts.
var recounts = []struct{ name, kept, recount string }{
	{"resolutions by category and status",
		`SELECT year, category, status, n FROM registry_year_resolutions WHERE n > 0 ORDER BY 1, 2, 3`,
		`SELECT y.year, r.category, r.status, count(*) FROM resolutions r
		   JOIN fiscal_years y ON r.adopted_on BETWEEN y.first_day AND y.last_day GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`},
	{"each unit's resolutions",
		`SELECT year, unit_id, resolutions, field_resolutions FROM registry_year_units WHERE resolutions > 0 ORDER BY 1, 2`,
		`SELECT y.year, r.unit_id, count(*), count(*) FILTER (WHERE r.session_kind = 'field') FROM resolutions r
		   JOIN fiscal_years y ON r.adopted_on BETWEEN y.first_day AND y.last_day WHERE r.unit_id IS NOT NULL
		  GROUP BY 1, 2 ORDER BY 1, 2`},
	{"units examined",
		`SELECT year, units_examined, units_examined_in_field_sessions FROM registry_year_units_examined
		  WHERE units_examined > 0 ORDER BY 1`,
		`SELECT y.year, count(DISTINCT r.unit_id), count(DISTINCT r.unit_id) FILTER (WHERE r.session_kind = 'field') FROM resolutions r
		   JOIN fiscal_years y ON r.adopted_on BETWEEN y.first_day AND y.last_day WHERE r.unit_id IS NOT NULL
		  GROUP BY 1 ORDER BY 1`},
	{"cases by channel and outcome",
		`SELECT year, channel, outcome, n FROM registry_year_cases WHERE n > 0 ORDER BY 1, 2, 3`,
		`SELECT y.year, c.channel, c.outcome, count(*) FROM cases c
		   JOIN fiscal_years y ON c.opened_on BETWEEN y.first_day AND y.last_day GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`},
	{"each year's revived units (migration 0022)",
		`SELECT year, unit_id FROM registry_year_revived_units ORDER BY 1, 2`,
		`SELECT DISTINCT y.year, v.unit_id FROM revivals v
		   JOIN fiscal_years y ON v.revived_on BETWEEN y.first_day AND y.last_day ORDER BY 1, 2`},
	{"revived units",
		`SELECT year, revived_units FROM registry_year_revivals WHERE revived_units > 0 ORDER BY 1`,
		`SELECT y.year, count(DISTINCT v.unit_id) FROM revivals v
		   JOIN fiscal_years y ON v.revived_on BETWEEN y.first_day AND y.last_day GROUP BY 1 ORDER BY 1`},
}

// textRows reads a query's rows as text, one string per row.
func textRows(t *testing.T, db *database.DB, query string) []string {
	t.Helper()
	rows, err := db.Queryx(query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		cols, err := rows.SliceScan()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(cols...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkYearCounts fails unless every kept count equals its recount from the
// records, and the store's figures of each year equal the plain counts of
// the records (plainCounts, the registry benchmark's hand-written SQL).
func checkYearCounts(t *testing.T, s *registry.Store, db *database.DB, when string, years ...int) {
	t.Helper()
	for _, c := range recounts {
		kept, recount := textRows(t, db, c.kept), textRows(t, db, c.recount)
		if !slices.Equal(kept, recount) {
			t.Fatalf("%s: the kept %s\n%q\ndiffer from the records' recount\n%q", when, c.name, kept, recount)
		}
	}
	for _, year := range years {
		f, err := s.Figures(context.Background(), year)
		if err != nil {
			t.Fatal(err)
		}
		first, last, _ := registry.YearBounds(year)
		var plain [15]int
		dest := make([]any, len(plain))
		for i := range plain {
			dest[i] = &plain[i]
		}
		if err := db.QueryRowx(plainCounts, first, last).Scan(dest...); err != nil {
			t.Fatal(err)
		}
		got := [15]int{f.Sessions.Formal, f.Sessions.Field, f.Sessions.SiteVisit, f.Sessions.Total, f.Resolutions.Total,
			f.Resolutions.Implemented, f.Resolutions.InFollowUp, f.Resolutions.NotImplemented, f.Resolutions.Notified, f.Resolutions.Cancelled,
			f.UnitsExamined, f.UnitsExaminedInFieldSessions, f.CasesResolvedWithoutSession, f.Referrals, f.RevivedUnits}
		if got != plain {
			t.Fatalf("%s: the figures of %d are %v, the records count %v", when, year, got, plain)
		}
		byCategory, err := s.ResolutionsByCategory(context.Background(), year)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range byCategory {
			var n int
			if err := db.Get(&n, `SELECT count(*) FROM resolutions WHERE adopted_on BETWEEN $1 AND $2 AND category = $3`,
				first, last, c.Category); err != nil {
				t.Fatal(err)
			}
			if c.Statuses.Total != n {
				t.Fatalf("%s: %d resolutions of %s in %d, the records count %d", when, c.Statuses.Total, c.Category, year, n)
			}
		}
	}
}

// TestYearCountsFollowTheRecords: the yearly counts the figures read
// (migration 0016) equal a recount from the records after every kind of
// change: records made one by one and imported in bulk, status changes,
// sessions moved to another year or kind (their resolutions follow by
// cascade), cases edited, records deleted, a unit's last resolution gone,
// and changes rolled back, whole or to a savepoint.
func TestYearCountsFollowTheRecords(t *testing.T) {
	s, db := fixture(t)
	ctx := context.Background()
	checkYearCounts(t, s, db, "the fixture", 1403, 1404)

	other, err := s.CreateUnit(ctx, taahod.System, registry.NewUnit{Name: "واحد دوم", NationalID: taahod.MakeLegalEntityID("1010234568"), County: "البرز"})
	if err != nil {
		t.Fatal(err)
	}
	county := "آوج"
	field, ids, err := s.CreateSessionWithResolutions(ctx, taahod.System,
		registry.NewSession{Kind: registry.KindField, HeldOnJalali: "1404/03/05", County: &county},
		[]registry.NewResolution{
			{UnitID: &other.ID, Text: "برق", Category: "electricity", Agencies: []string{"برق"}},
			{UnitID: &other.ID, Text: "آب", Category: "water", Agencies: []string{"آب"}},
		})
	if err != nil {
		t.Fatal(err)
	}
	checkYearCounts(t, s, db, "a field session with two resolutions", 1403, 1404)

	for _, id := range ids {
		if _, err := s.ChangeStatus(ctx, taahod.System, id, registry.StatusChange{Status: registry.StatusNotImplemented, OnJalali: "1404/03/10"}); err != nil {
			t.Fatal(err)
		}
	}
	// A change dated before the current one is recorded but does not
	// become current: the counts do not move.
	if _, err := s.ChangeStatus(ctx, taahod.System, ids[0], registry.StatusChange{Status: registry.StatusImplemented, OnJalali: "1404/03/06"}); err != nil {
		t.Fatal(err)
	}
	checkYearCounts(t, s, db, "status changes", 1403, 1404)

	// The field session moves to 1403 and becomes formal: its resolutions
	// follow it (ON UPDATE CASCADE), and the other unit leaves 1404.
	if _, err := s.UpdateSession(ctx, taahod.System, field.ID, registry.SessionPatch{
		HeldOnJalali: taahod.Optional[string]{Set: true, Value: "1403/11/01"}}); err != nil {
		t.Fatal(err)
	}
	checkYearCounts(t, s, db, "a session moved to the year before", 1403, 1404)
	if _, err := s.UpdateSession(ctx, taahod.System, field.ID, registry.SessionPatch{
		Kind: taahod.Optional[string]{Set: true, Value: registry.KindFormal}, County: taahod.Optional[string]{Set: true, Null: true}}); err != nil {
		t.Fatal(err)
	}
	checkYearCounts(t, s, db, "a field session made formal", 1403, 1404)

	// Imports: many resolutions and cases in one statement each.
	var rows []registry.ResolutionRow
	for i := range 30 {
		r := registry.ResolutionRow{NewResolution: registry.NewResolution{Text: fmt.Sprintf("مصوبه %d", i), Category: registry.Categories[i%len(registry.Categories)].Value,
			Agencies: []string{"دارایی"}, AdoptedOnJalali: fmt.Sprintf("1404/0%d/1%d", 1+i%6, i%10)}}
		if i%2 == 0 {
			r.UnitID = &other.ID
		}
		rows = append(rows, r)
	}
	if _, err := s.ImportResolutions(ctx, taahod.System, rows, "test"); err != nil {
		t.Fatal(err)
	}
	var cases []registry.CaseRow
	for i := range 12 {
		c := registry.NewCase{UnitID: &other.ID, Channel: []string{"phone_inquiry", "written_inquiry", "referral_provincial", "referral_national"}[i%4],
			Subject: "موضوع", Category: "tax", OpenedOnJalali: fmt.Sprintf("140%d/02/0%d", 3+i%2, 1+i%9), Outcome: "open"}
		cases = append(cases, registry.CaseRow{NewCase: c})
	}
	imported, err := s.ImportCases(ctx, taahod.System, cases, "test")
	if err != nil {
		t.Fatal(err)
	}
	checkYearCounts(t, s, db, "imports", 1403, 1404)

	// A case resolved, and another moved to the other year.
	if _, err := s.UpdateCase(ctx, taahod.System, imported.IDs[0], registry.CasePatch{
		Outcome: taahod.Optional[string]{Set: true, Value: "resolved"}, ClosedOnJalali: taahod.Optional[string]{Set: true, Value: "1403/02/05"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.UpdateCase(ctx, taahod.System, imported.IDs[1], registry.CasePatch{
		OpenedOnJalali: taahod.Optional[string]{Set: true, Value: "1403/12/29"}}); err != nil {
		t.Fatal(err)
	}
	checkYearCounts(t, s, db, "cases edited", 1403, 1404)

	// Rolled back, whole: a resolution, a status change, a case, and a
	// deletion leave no trace in the counts.
	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO resolutions (adopted_on, unit_id, text, category, created_by, created_at) VALUES ('2025-06-01', 1, 'x', 'land', 'test', now())`,
		`INSERT INTO cases (unit_id, channel, subject, category, opened_on, outcome, created_at, updated_at)
		 VALUES (1, 'referral_national', 'x', 'tax', '2025-06-01', 'referred', now(), now())`,
		`DELETE FROM resolution_agencies`,
		`DELETE FROM resolutions r WHERE unit_id = ` + fmt.Sprint(other.ID) + `
		    AND NOT EXISTS (SELECT 1 FROM resolution_status_changes c WHERE c.resolution_id = r.id)`,
		`INSERT INTO resolution_status_changes (resolution_id, status, changed_on, actor_name, created_at)
		 SELECT id, 'cancelled', adopted_on + 400, 'test', now() FROM resolutions`,
	} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	checkYearCounts(t, s, db, "a rolled-back transaction", 1403, 1404)

	// Rolled back to a savepoint: what came before it stays counted.
	tx, err = db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO resolutions (adopted_on, unit_id, text, category, created_by, created_at) VALUES ('2025-06-01', 1, 'kept', 'land', 'test', now())`,
		`SAVEPOINT s`,
		`INSERT INTO resolutions (adopted_on, unit_id, text, category, created_by, created_at) VALUES ('2024-06-01', 1, 'gone', 'gas', 'test', now())`,
		`ROLLBACK TO SAVEPOINT s`,
	} {
		if _, err := tx.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	checkYearCounts(t, s, db, "a savepoint rolled back", 1403, 1404)

	// Deletions: the other unit's resolutions (its last ones: it is no
	// longer examined in any year), then every case.
	// (The status history is append-only: its guard is lifted for the
	// deletion, as an administrator repairing the records would.)
	if _, err := db.Exec(`ALTER TABLE resolution_status_changes DISABLE TRIGGER resolution_status_changes_append_only`); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DELETE FROM resolution_agencies WHERE resolution_id IN (SELECT id FROM resolutions WHERE unit_id = $1)`,
		`DELETE FROM resolution_status_changes WHERE resolution_id IN (SELECT id FROM resolutions WHERE unit_id = $1)`,
		`DELETE FROM resolutions WHERE unit_id = $1`,
	} {
		if _, err := db.Exec(q, other.ID); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := db.Exec(`ALTER TABLE resolution_status_changes ENABLE TRIGGER resolution_status_changes_append_only`); err != nil {
		t.Fatal(err)
	}
	checkYearCounts(t, s, db, "a unit's resolutions deleted", 1403, 1404)
	if _, err := db.Exec(`DELETE FROM cases`); err != nil {
		t.Fatal(err)
	}
	checkYearCounts(t, s, db, "every case deleted", 1403, 1404)
}

// TestYearCountsOfWritersSideBySide: two transactions give the same unit
// its first resolution of a year at once; the unit is examined once, and
// once only after the first of them rolls back.
func TestYearCountsOfWritersSideBySide(t *testing.T) {
	s, db := fixture(t)
	unit, err := s.CreateUnit(context.Background(), taahod.System, registry.NewUnit{Name: "واحد سوم", NationalID: taahod.MakeLegalEntityID("1010234569"), County: "قزوین"})
	if err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO resolutions (adopted_on, unit_id, text, category, created_by, created_at) VALUES ('2025-07-01', $1, 'x', 'water', 'test', now())`
	for _, rollBackFirst := range []bool{false, true} {
		first, err := db.Beginx()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := first.Exec(insert, unit.ID); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			second, err := db.Beginx()
			if err != nil {
				done <- err
				return
			}
			if _, err := second.Exec(insert, unit.ID); err != nil { // waits for first's lock on the unit's count
				_ = second.Rollback()
				done <- err
				return
			}
			done <- second.Commit()
		}()
		time.Sleep(200 * time.Millisecond) // let the second block on the count's row
		if rollBackFirst {
			err = first.Rollback()
		} else {
			err = first.Commit()
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		checkYearCounts(t, s, db, fmt.Sprintf("two writers side by side (first rolled back: %v)", rollBackFirst), 1404)
		if _, err := db.Exec(`DELETE FROM resolutions WHERE unit_id = $1`, unit.ID); err != nil {
			t.Fatal(err)
		}
		checkYearCounts(t, s, db, "the unit's resolutions deleted", 1404)
	}
}

// TestFiscalYearsTable: the table the counts take a date's year from
// agrees with taahod.FiscalYearBounds, year after year with no gap.
func TestFiscalYearsTable(t *testing.T) {
	_, db := fixture(t)
	var years []struct {
		Year  int    `db:"year"`
		First string `db:"first_day"`
		Last  string `db:"last_day"`
	}
	if err := db.Select(&years, `SELECT year, first_day::text, last_day::text FROM fiscal_years ORDER BY year`); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for i, y := range years {
		if i > 0 && (y.Year != years[i-1].Year+1 || y.First != taahod.MustParseDate(years[i-1].Last).AddDays(1).String()) {
			t.Fatalf("fiscal year %d does not follow %+v: %+v", y.Year, years[i-1], y)
		}
		first, last := taahod.FiscalYearBounds(y.Year)
		if first.IsZero() {
			continue // begins before 1900: outside taahod.Date, its end is checked by the next year's start
		}
		if first.String() != y.First || last.String() != y.Last {
			t.Fatalf("fiscal year %d: the table says %s to %s, taahod.FiscalYearBounds %s to %s", y.Year, y.First, y.Last, first, last)
		}
		checked++
	}
	if len(years) == 0 || years[0].First > "1900-01-01" || years[len(years)-1].Last < "2199-12-31" || checked < 290 {
		t.Fatalf("the table covers %v to %v (%d years checked): not every date the service takes", years[0], years[len(years)-1], checked)
	}
}

// TestVerifyFindsYearCountsThatDrifted: `taahod verify` recounts the
// yearly counts from the records and names a count changed behind the
// triggers' back.
func TestVerifyFindsYearCountsThatDrifted(t *testing.T) {
	s, db := fixture(t)
	ctx := context.Background()
	if _, findings, err := registry.Verify(ctx, s.DB); err != nil || len(findings) != 0 {
		t.Fatalf("clean counts: %v %v", findings, err)
	}
	for _, q := range []string{
		`UPDATE registry_year_resolutions SET n = n + 1 WHERE year = 1404 AND category = 'gas' AND status = 'cancelled'`,
		`UPDATE registry_year_units_examined SET units_examined = 0 WHERE year = 1404`,
		`INSERT INTO registry_year_cases (year, channel, outcome, n) VALUES (1403, 'referral_national', 'referred', 2)`,
		`INSERT INTO registry_year_revivals (year, revived_units) VALUES (1402, 1)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	_, findings, err := registry.Verify(ctx, s.DB)
	if err != nil || len(findings) != 4 || findings[0].Subject != "the yearly counts of 1402" || findings[1].Subject != "the yearly counts of 1403" ||
		findings[2].Subject != "the yearly counts of 1404" || findings[3].Subject != "the yearly counts of 1404" {
		t.Fatalf("%+v %v", findings, err)
	}
}

// TestYearCountsFollowRevivals: the revived units the figures read
// (migration 0022) equal a recount from the revivals after a unit's
// revival, another revival of the same unit in the same year (not a new
// unit), revivals of several units and years in one statement, and a
// statement rolled back.
func TestYearCountsFollowRevivals(t *testing.T) {
	s, db := fixture(t)
	ctx := context.Background()
	var units []int64
	for i, name := range []string{"واحد احیا یک", "واحد احیا دو"} {
		u, err := s.CreateUnit(ctx, taahod.System, registry.NewUnit{Name: name,
			NationalID: taahod.MakeLegalEntityID(fmt.Sprintf("10102345%02d", 70+i)), County: "قزوین"})
		if err != nil {
			t.Fatal(err)
		}
		units = append(units, u.ID)
	}
	revive := func(when string, query string, args ...any) {
		t.Helper()
		if _, err := db.Exec(query, args...); err != nil {
			t.Fatalf("%s: %v", when, err)
		}
		checkYearCounts(t, s, db, when, 1402, 1403, 1404)
	}
	const one = `INSERT INTO revivals (unit_id, revived_on, actor_name, created_at) VALUES ($1, $2, 'test', now())`
	revive("a revival", one, units[0], "2025-05-01")                       // 1404
	revive("the same unit again in the year", one, units[0], "2025-09-01") // 1404
	revive("the same unit the year before", one, units[0], "2024-06-01")   // 1403
	revive("several units and years in one statement", `
		INSERT INTO revivals (unit_id, revived_on, actor_name, created_at)
		SELECT u, d, 'test', now() FROM unnest($1::bigint[]) u, unnest('{2025-04-01,2025-04-02,2023-05-05}'::date[]) d`,
		pq.Array(units))
	var revived int
	if err := db.Get(&revived, `SELECT revived_units FROM registry_year_revivals WHERE year = 1404`); err != nil || revived != 2 {
		t.Fatalf("1404's revived units: %d, %v; want 2", revived, err)
	}

	tx, err := db.Beginx()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(one, units[1], "2026-01-01"); err != nil { // 1404, already counted
		t.Fatal(err)
	}
	if _, err := tx.Exec(one, units[1], "2022-01-01"); err != nil { // 1400, new
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	checkYearCounts(t, s, db, "revivals rolled back", 1400, 1403, 1404)
}
