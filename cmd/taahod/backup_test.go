package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod/internal/dbtest"
)

// pgTool finds a PostgreSQL client program (pg_dump, pg_restore) as
// scripts/dev-db finds the server's: the installation of the server's own
// major version under /usr/lib/postgresql/N/bin (Debian, Ubuntu), else the
// one pg_config names, else the one on PATH.
func pgTool(t *testing.T, db *sqlx.DB, name string) string {
	t.Helper()
	var major int
	if err := db.Get(&major, `SELECT current_setting('server_version_num')::int / 10000`); err != nil {
		t.Fatal(err)
	}
	candidates := []string{fmt.Sprintf("/usr/lib/postgresql/%d/bin/%s", major, name)}
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, filepath.Join(strings.TrimSpace(string(out)), name))
	}
	if p, err := exec.LookPath(name); err == nil {
		candidates = append(candidates, p)
	}
	for _, c := range candidates {
		if fi, err := os.Stat(c); err == nil && !fi.IsDir() {
			return c
		}
	}
	t.Fatalf("%s of PostgreSQL %d not found (looked in %v)", name, major, candidates)
	return ""
}

// emptyDatabase creates an empty database on the test cluster, dropped when
// the test ends, and returns its URL.
func emptyDatabase(t *testing.T, like string) string {
	t.Helper()
	admin, err := sqlx.Open("postgres", dbtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("taahod_restored_%d", os.Getpid())
	if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE template0`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if admin, err := sqlx.Open("postgres", dbtest.URL(t)); err == nil {
			_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			admin.Close()
		}
	})
	return withDatabase(t, like, name)
}

// TestBackupRestore: a database with the demo's data of every capability
// (units, users, registry, schools, pledges, expenditures in every review
// state with their documents, policies, tax years, offsets, certificates
// valid, superseded and revoked, the audit chain), dumped with pg_dump and
// restored with pg_restore into a new database as the README says, verifies
// there as it did at home and holds the same rows; a row changed behind the
// application's back after the restore is then named by `taahod verify`.
func TestBackupRestore(t *testing.T) {
	db, source := seededDatabase(t)
	tables := []string{"units", "users", "resolutions", "schools", "pledges", "expenditures", "expenditure_documents",
		"tax_years", "ledger_postings", "certificates", "audit_log"}
	counts := func(db *sqlx.DB) string {
		var b strings.Builder
		for _, table := range tables {
			var n int
			if err := db.Get(&n, `SELECT count(*) FROM `+table); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				t.Fatalf("no %s in the demo: the backup would not cover it", table)
			}
			fmt.Fprintf(&b, "%s=%d ", table, n)
		}
		return b.String()
	}
	before := counts(db.DB)

	dump := filepath.Join(t.TempDir(), "taahod.dump")
	if out, err := exec.Command(pgTool(t, db.DB, "pg_dump"), "--format=custom", "--file="+dump, source).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	restored := emptyDatabase(t, source)
	if out, err := exec.Command(pgTool(t, db.DB, "pg_restore"), "--exit-on-error", "--no-owner", "--dbname="+restored, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}
	rdb, err := sqlx.Open("postgres", restored)
	if err != nil {
		t.Fatal(err)
	}
	defer rdb.Close()
	if after := counts(rdb); after != before {
		t.Fatalf("restored rows differ:\n before %s\n after  %s", before, after)
	}

	t.Setenv("DATABASE_URL", restored)
	if code, out, stderr := runTaahod(t, "", "verify"); code != 0 || !strings.Contains(out, "verify: all checks passed") {
		t.Fatalf("verify on the restored database: %d\n%s%s", code, out, stderr)
	}

	// Tampering after the restore, past the append-only triggers as only
	// someone with the database's superuser can.
	tamper := func(sql string) {
		t.Helper()
		tx := rdb.MustBegin()
		defer tx.Rollback() //nolint:errcheck
		for _, q := range []string{`SET LOCAL session_replication_role = replica`, sql} {
			if _, err := tx.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	var posting int64
	if err := rdb.Get(&posting, `SELECT min(id) FROM ledger_postings`); err != nil {
		t.Fatal(err)
	}
	tamper(fmt.Sprintf(`UPDATE ledger_postings SET amount = amount + 1 WHERE id = %d`, posting))
	tamper(`UPDATE audit_log SET actor_name = 'mallory' WHERE seq = (SELECT max(seq) FROM audit_log)`)
	code, out, _ := runTaahod(t, "", "verify")
	for _, want := range []string{"BROKEN  ledger", fmt.Sprintf("ledger posting %d", posting), "BROKEN  audit chain"} {
		if code == 0 || !strings.Contains(out, want) {
			t.Fatalf("verify after a posting's amount and an audit entry changed: exit %d, want %q named\n%s", code, want, out)
		}
	}
}
