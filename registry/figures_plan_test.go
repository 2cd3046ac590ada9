package registry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/registry"
)

// TestFiguresArePlannedOncePerConnection: the figures' statements, read
// on every request of the public home and of GET /public/registry, are
// planned once per connection and not at every run. PostgreSQL plans a
// prepared statement afresh for its first five runs and keeps its generic
// plan afterwards only when that plan is estimated no dearer than the
// fresh ones; over unnested year arrays it never was, and planning cost
// about as much as running the statement (BenchmarkPublicHome).
func TestFiguresArePlannedOncePerConnection(t *testing.T) {
	_, dsn := dbtest.NewWithURL(t)
	ctx := context.Background()
	// One connection, so that every run is on the session asked below.
	db, err := database.Open(ctx, dsn, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := registry.NewStore(db)
	const runs = 8
	for range runs {
		// The records move between runs, so that the Store counts again
		// rather than answer with the figures it kept (figuresCache).
		if _, err := db.ExecContext(ctx, `UPDATE registry_figures_version SET version = version + 1`); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Figures(ctx, 1404); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TwoYears(ctx, 1404); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := db.QueryxContext(ctx, `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var (
			statement       string
			generic, custom int
		)
		if err := rows.Scan(&statement, &generic, &custom); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(statement, "registry_year_resolutions") {
			continue
		}
		seen++
		name := "the figures of one year"
		if strings.Contains(statement, "string_agg") {
			name = "the figures of two years with the categories"
		}
		if generic+custom != runs || custom > 5 {
			t.Errorf("%s: planned afresh %d times in %d runs (generic plan %d times), want at most 5",
				name, custom, runs, generic)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if seen != 2 {
		t.Errorf("%d figures statements prepared on the connection, want 2 (one year, two years)", seen)
	}
}
