// Package database opens the PostgreSQL pool, runs transactions with retries,
// turns driver errors into domain ones, and keeps the hash-chained audit log
// that every change appends to in its own transaction.
package database

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the driver
)

// DefaultMaxConns is the pool size when none is configured: on two cores the
// throughput of this service peaks near 16 connections and falls past 64.
const DefaultMaxConns = 16

// DB is the pool with the clock that stamps transactions.
type DB struct {
	*sqlx.DB
	// Now is the clock; tests set it. Each transaction reads it once.
	Now func() time.Time
	// ChainOnCommit makes every writing transaction, once committed, wait
	// until its audit entries are chained (WaitChained), as appending did
	// before entries were queued. Tests set it (dbtest does), so that they
	// read the chain right after a change; a server leaves it off and lets
	// its Sequencer chain.
	ChainOnCommit bool

	prepared preparedStatements
}

// Open connects to dsn (a lib/pq URL or key=value string) with a pool of at
// most maxConns connections (DefaultMaxConns when 0) and checks that the
// database answers.
func Open(ctx context.Context, dsn string, maxConns int) (*DB, error) {
	if maxConns <= 0 {
		maxConns = DefaultMaxConns
	}
	dsn, err := WithBinaryParameters(dsn)
	if err != nil {
		return nil, err
	}
	raw, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	raw.SetMaxOpenConns(maxConns)
	raw.SetMaxIdleConns(maxConns)
	raw.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := raw.PingContext(pingCtx); err != nil {
		raw.Close()
		return nil, fmt.Errorf("connect to database: %w", MapError(err))
	}
	return &DB{DB: raw, Now: time.Now}, nil
}

// WithBinaryParameters adds binary_parameters=yes to dsn unless it sets that
// parameter already: lib/pq then sends each statement with its parameters in
// one round trip instead of two.
func WithBinaryParameters(dsn string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("DATABASE_URL is not a valid URL: %w", err)
		}
		q := u.Query()
		if q.Get("binary_parameters") == "" {
			q.Set("binary_parameters", "yes")
			u.RawQuery = q.Encode()
		}
		return u.String(), nil
	}
	if strings.Contains(dsn, "binary_parameters=") {
		return dsn, nil
	}
	return strings.TrimSpace(dsn + " binary_parameters=yes"), nil
}
