package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
)

// seeded is the demo, loaded once per test binary (with a signing key, so
// that it has certificates) into a database that the tests needing the
// whole demo copy: seed-demo takes seconds, a copy a fraction of one.
var seeded struct {
	once     sync.Once
	template string // database name
	key      string // the signing key's path
	err      error
}

// seededDatabase returns a fresh copy of the seeded demo, dropped when the
// test ends, and points DATABASE_URL and TAAHOD_SIGNING_KEY (of this process
// and of the servers it starts) at it and its key.
func seededDatabase(t *testing.T) (*database.DB, string) {
	t.Helper()
	base := dbtest.URL(t)
	seeded.once.Do(func() { seeded.err = seedTemplate(base) })
	if seeded.err != nil {
		t.Fatalf("seeded demo database: %v", seeded.err)
	}
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := fmt.Sprintf("taahod_demo_%d_%s", os.Getpid(), strings.ToLower(strings.ReplaceAll(t.Name(), "/", "_")))
	if _, err := admin.Exec(`CREATE DATABASE ` + name + ` TEMPLATE ` + seeded.template); err != nil {
		t.Fatal(err)
	}
	dsn := withDatabase(t, base, name)
	db, err := database.Open(context.Background(), dsn, 8)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db.Close()
		if admin, err := sqlx.Open("postgres", base); err == nil {
			_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
			admin.Close()
		}
	})
	t.Setenv("DATABASE_URL", dsn)
	t.Setenv("TAAHOD_SIGNING_KEY", seeded.key)
	return db, dsn
}

// seedTemplate makes the seeded database from the migrated template and
// registers its removal at the end of the tests.
func seedTemplate(base string) error {
	dir, err := os.MkdirTemp("", "taahod-demo-key")
	if err != nil {
		return err
	}
	seeded.key = filepath.Join(dir, "signing-key.pem")
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(seeded.key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return err
	}
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		return err
	}
	defer admin.Close()
	seeded.template = fmt.Sprintf("taahod_demo_%d", os.Getpid())
	dbtest.AfterAll(func() {
		os.RemoveAll(dir)
		if admin, err := sqlx.Open("postgres", base); err == nil {
			_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + seeded.template + ` WITH (FORCE)`)
			admin.Close()
		}
	})
	// An empty database migrated by the command itself, then seeded.
	if _, err := admin.Exec(`CREATE DATABASE ` + seeded.template); err != nil {
		return err
	}
	u, err := url.Parse(base)
	if err != nil {
		return err
	}
	u.Path = "/" + seeded.template
	var out, errOut strings.Builder
	for _, name := range []string{"DATABASE_URL", "TAAHOD_SIGNING_KEY"} {
		if old, ok := os.LookupEnv(name); ok {
			defer os.Setenv(name, old)
		} else {
			defer os.Unsetenv(name)
		}
	}
	os.Setenv("DATABASE_URL", u.String())
	os.Setenv("TAAHOD_SIGNING_KEY", seeded.key)
	for _, args := range [][]string{{"migrate"}, {"seed-demo"}} {
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errOut); code != 0 {
			return fmt.Errorf("%s: exit %d: %s", args[0], code, errOut.String())
		}
	}
	return nil
}

// withDatabase is the URL base with its database replaced by name.
func withDatabase(t *testing.T, base, name string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
