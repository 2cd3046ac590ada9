package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/jmoiron/sqlx"
)

// env is one scenario's world: a fresh database with the demo data, a
// running server over it, and the demo users signed in.
type env struct {
	name      string
	srv       *server
	db        *sqlx.DB // for the checks: counts, serials
	passwords map[string]string
	tokens    map[string]string // by demo user name
}

// newEnv creates database taahod_chaos_NAME, starts the server on a free
// port (which migrates it), loads the demo data and signs every demo user in.
func (s *suite) newEnv(ctx context.Context, name string) (*env, error) {
	if s.passwords == nil {
		if err := s.makeTemplate(ctx); err != nil {
			return nil, fmt.Errorf("the demo template: %w", err)
		}
	}
	dbURL, err := s.cluster.createDB(ctx, "taahod_chaos_"+name, templateDB)
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	e := &env{name: name, tokens: map[string]string{}}
	e.srv = &server{binary: s.binary, dbURL: dbURL, key: s.key, port: port,
		logPath: filepath.Join(s.dir, name+"-server.log")}
	if err := e.srv.start(ctx); err != nil {
		return nil, err
	}
	e.passwords = s.passwords
	for u, p := range e.passwords {
		if e.tokens[u], err = login(ctx, e.srv.base(), u, p); err != nil {
			e.close()
			return nil, err
		}
	}
	if e.db, err = sqlx.Open("postgres", dbURL); err != nil {
		e.close()
		return nil, err
	}
	e.db.SetMaxOpenConns(4)
	return e, nil
}

func (e *env) close() {
	e.srv.stop()
	if e.db != nil {
		e.db.Close()
	}
}

// templateDB is the database every scenario's is copied from: migrated,
// with the demo data, made once by `taahod migrate` and `taahod seed-demo`.
const templateDB = "taahod_chaos_template"

// makeTemplate makes templateDB and keeps the demo users' passwords.
func (s *suite) makeTemplate(ctx context.Context) error {
	dbURL, err := s.cluster.createDB(ctx, templateDB, "")
	if err != nil {
		return err
	}
	tpl := &server{binary: s.binary, dbURL: dbURL, key: s.key}
	if _, err := tpl.command(ctx, "", "migrate"); err != nil {
		return err
	}
	s.passwords, err = tpl.seedDemo(ctx)
	return err
}

// url is the server's URL of path.
func (e *env) url(path string) string { return e.srv.base() + path }

// verify runs `taahod verify` and records its verdict as the scenario's last
// figure.
func (s *suite) verify(ctx context.Context, e *env) {
	out, err := e.srv.command(ctx, "", "verify")
	if err != nil {
		s.fail(e.name, "taahod verify failed:\n%s", strings.TrimSpace(out))
		fmt.Printf("%s: taahod verify FAILED\n", e.name)
		return
	}
	fmt.Printf("%s: taahod verify exit=0\n", e.name)
}

// scalar reads one number with SQL.
func (e *env) scalar(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := e.db.GetContext(ctx, &n, query, args...)
	return n, err
}
