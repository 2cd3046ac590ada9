package registry_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/taahod/taahod/api"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/registry"
)

// benchYear is a year of the generated registry: about 100,000 resolutions
// and 20,000 cases.
const benchYear = 1403

// benchDatabase returns a database holding the generated registry of
// scripts/registry_bench_data.sql (1,000,000 resolutions, 200,000 cases):
// TAAHOD_BENCH_DATABASE_URL when set (filled already, say by psql), and
// otherwise a fresh test database that it fills, which takes a minute or two.
func benchDatabase(b *testing.B) *database.DB {
	b.Helper()
	if url := os.Getenv("TAAHOD_BENCH_DATABASE_URL"); url != "" {
		db, err := database.Open(context.Background(), url, 4)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		return db
	}
	db := dbtest.New(b)
	script, err := os.ReadFile("../scripts/registry_bench_data.sql")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if _, err := db.Exec(string(script)); err != nil {
		b.Fatalf("fill the benchmark database: %v", err)
	}
	if _, err := db.Exec(`VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	fmt.Printf("registry benchmark: generated 1,000,000 resolutions and 200,000 cases in %s\n", time.Since(start).Round(time.Second))
	return db
}

// plainCounts is the plain SQL behind the figures: one count per figure,
// each a scalar subquery, in one statement: what one would write by hand.
const plainCounts = `
	SELECT (SELECT count(*) FROM sessions WHERE held_on BETWEEN $1 AND $2 AND kind = 'formal'),
	       (SELECT count(*) FROM sessions WHERE held_on BETWEEN $1 AND $2 AND kind = 'field'),
	       (SELECT count(*) FROM sessions WHERE held_on BETWEEN $1 AND $2 AND kind = 'site_visit'),
	       (SELECT count(*) FROM sessions WHERE held_on BETWEEN $1 AND $2),
	       (SELECT count(*) FROM resolutions WHERE adopted_on BETWEEN $1 AND $2),
	       (SELECT count(*) FROM resolutions WHERE adopted_on BETWEEN $1 AND $2 AND status = 'implemented'),
	       (SELECT count(*) FROM resolutions WHERE adopted_on BETWEEN $1 AND $2 AND status = 'in_follow_up'),
	       (SELECT count(*) FROM resolutions WHERE adopted_on BETWEEN $1 AND $2 AND status = 'not_implemented'),
	       (SELECT count(*) FROM resolutions WHERE adopted_on BETWEEN $1 AND $2 AND status = 'notified'),
	       (SELECT count(*) FROM resolutions WHERE adopted_on BETWEEN $1 AND $2 AND status = 'cancelled'),
	       (SELECT count(DISTINCT unit_id) FROM resolutions WHERE adopted_on BETWEEN $1 AND $2),
	       (SELECT count(DISTINCT unit_id) FROM resolutions WHERE adopted_on BETWEEN $1 AND $2 AND session_kind = 'field'),
	       (SELECT count(*) FROM cases WHERE opened_on BETWEEN $1 AND $2
	           AND channel IN ('phone_inquiry', 'written_inquiry') AND outcome = 'resolved'),
	       (SELECT count(*) FROM cases WHERE opened_on BETWEEN $1 AND $2 AND channel IN ('referral_provincial', 'referral_national')),
	       (SELECT count(DISTINCT unit_id) FROM revivals WHERE revived_on BETWEEN $1 AND $2)`

// BenchmarkRegistryFigures times the yearly figures over 1,000,000
// resolutions and 200,000 cases: through the published HTTP endpoint, through
// the store, and the plain SQL counts behind them. The goal: at most 100 ms,
// and at most 1.5 times the plain SQL.
func BenchmarkRegistryFigures(b *testing.B) {
	db := benchDatabase(b)
	ctx := context.Background()
	store := registry.NewStore(db)
	first, last, _ := registry.YearBounds(benchYear)
	var total int
	if err := db.Get(&total, `SELECT count(*) FROM resolutions`); err != nil {
		b.Fatal(err)
	}
	f, err := store.Figures(ctx, benchYear)
	if err != nil {
		b.Fatal(err)
	}
	var plain [15]int
	dest := make([]any, len(plain))
	for i := range plain {
		dest[i] = &plain[i]
	}
	if err := db.QueryRowx(plainCounts, first, last).Scan(dest...); err != nil {
		b.Fatal(err)
	}
	// The benchmark compares like with like: the store and the plain SQL
	// agree on every figure.
	same := [15]int{f.Sessions.Formal, f.Sessions.Field, f.Sessions.SiteVisit, f.Sessions.Total, f.Resolutions.Total,
		f.Resolutions.Implemented, f.Resolutions.InFollowUp, f.Resolutions.NotImplemented, f.Resolutions.Notified, f.Resolutions.Cancelled,
		f.UnitsExamined, f.UnitsExaminedInFieldSessions, f.CasesResolvedWithoutSession, f.Referrals, f.RevivedUnits}
	if same != plain {
		b.Fatalf("the store counts %v, the plain SQL %v", same, plain)
	}

	srv := httptest.NewServer(api.New(db, auth.NewStore(db), api.Config{}).Handler())
	defer srv.Close()
	url := fmt.Sprintf("%s/api/v1/public/registry?year=%d", srv.URL, benchYear)

	per := map[string]time.Duration{}
	run := func(name string, fn func() error) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := fn(); err != nil {
					b.Fatal(err)
				}
			}
			per[name] = b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(per[name].Microseconds())/1000, "ms/op")
		})
	}
	run("http", func() error {
		res, err := http.Get(url)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if _, err := io.Copy(io.Discard, res.Body); err != nil || res.StatusCode != 200 {
			return fmt.Errorf("GET %s: %d %v", url, res.StatusCode, err)
		}
		return nil
	})
	run("store", func() error {
		_, err := store.Figures(ctx, benchYear)
		return err
	})
	run("plain_sql_counts", func() error {
		return db.QueryRowx(plainCounts, first, last).Scan(dest...)
	})
	if per["plain_sql_counts"] > 0 {
		ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
		fmt.Printf("registry figures of %d over %d resolutions (%d in the year): HTTP %s, store %s, plain SQL counts %s; "+
			"HTTP is %.2f× the plain SQL (goal: ≤ 100 ms and ≤ 1.5×)\n",
			benchYear, total, f.Resolutions.Total, ms(per["http"]), ms(per["store"]), ms(per["plain_sql_counts"]),
			float64(per["http"])/float64(per["plain_sql_counts"]))
	}
}
