// Package dbtest gives tests real PostgreSQL databases: one migrated template
// per test binary, and a fresh copy of it for each test that asks.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/migrations"
)

var (
	once     sync.Once
	template string
	setupErr error
)

// afterAll holds what AfterAll registered.
var (
	afterAllMu sync.Mutex
	afterAll   []func()
)

// AfterAll registers f to run once the package's tests have finished, before
// Main drops the template: the clean-up of a database or file that several
// tests of a package share.
func AfterAll(f func()) {
	afterAllMu.Lock()
	afterAll = append(afterAll, f)
	afterAllMu.Unlock()
}

// Main runs a package's tests and drops the template database afterwards.
// Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	afterAllMu.Lock()
	for _, f := range afterAll {
		f()
	}
	afterAllMu.Unlock()
	if template != "" {
		if admin, err := adminDB(); err == nil {
			_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + template + ` WITH (FORCE)`)
			admin.Close()
		}
	}
	os.Exit(code)
}

// URL returns the admin URL of the test cluster; the test fails when
// DATABASE_URL is unset, for the tests need a real PostgreSQL (make test
// starts one).
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("DATABASE_URL")
	if u == "" {
		t.Fatal("DATABASE_URL is not set: run the tests with `make test`, which starts a private PostgreSQL")
	}
	return u
}

func adminDB() (*sqlx.DB, error) {
	return sqlx.Open("postgres", os.Getenv("DATABASE_URL"))
}

// withDatabase returns the URL of database name on the test cluster.
func withDatabase(raw, name string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("DATABASE_URL must be a postgres:// URL for the tests")
	}
	u.Path = "/" + name
	return u.String(), nil
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s_%d_%s", prefix, os.Getpid(), hex.EncodeToString(b))
}

func setup() error {
	admin, err := adminDB()
	if err != nil {
		return err
	}
	defer admin.Close()
	name := randomName("taahod_tpl")
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		return fmt.Errorf("create template database: %w", err)
	}
	template = name
	dsn, err := withDatabase(os.Getenv("DATABASE_URL"), name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := database.Open(ctx, dsn, 2)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := migrations.Up(ctx, db.DB.DB); err != nil {
		return err
	}
	return nil
}

// New returns a fresh, migrated database for one test, dropped when the test
// ends. Tests that use it may run in parallel.
func New(t testing.TB) *database.DB {
	t.Helper()
	db, _ := NewWithURL(t)
	return db
}

// NewWithURL is New that also returns the database's URL, for tests that
// start the binary against it.
func NewWithURL(t testing.TB) (*database.DB, string) {
	t.Helper()
	base := URL(t)
	once.Do(func() { setupErr = setup() })
	if setupErr != nil {
		t.Fatalf("test database template: %v", setupErr)
	}
	admin, err := adminDB()
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := randomName("taahod_t")
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + template); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	dsn, err := withDatabase(base, name)
	if err != nil {
		t.Fatal(err)
	}
	db, err := database.Open(context.Background(), dsn, 8)
	if err != nil {
		t.Fatal(err)
	}
	// No sequencer runs in a test: each commit chains its own audit
	// entries, so that tests read them in the chain right after a change.
	db.ChainOnCommit = true
	t.Cleanup(func() {
		db.Close()
		admin, err := adminDB()
		if err != nil {
			return
		}
		defer admin.Close()
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
	})
	return db, dsn
}
