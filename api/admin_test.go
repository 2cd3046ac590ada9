package api

import (
	"context"
	"database/sql"
	"os"
)

type sqlDB = sql.DB

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func openAdmin() (*sql.DB, error) { return sql.Open("postgres", os.Getenv("DATABASE_URL")) }
