package database

import (
	"context"

	"github.com/jmoiron/sqlx"
)

// EachRow runs query and calls fn with each row scanned into a new T, as
// the row arrives: the stores' Each functions, which stream a list's rows
// into a file without holding them all. An error of fn stops the reading
// and is returned as it is; the database's errors are mapped (MapError).
func EachRow[T any](ctx context.Context, q sqlx.QueryerContext, query string, args []any, fn func(*T) error) error {
	rows, err := q.QueryxContext(ctx, query, args...)
	if err != nil {
		return MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var v T
		if err := rows.StructScan(&v); err != nil {
			return MapError(err)
		}
		if err := fn(&v); err != nil {
			return err
		}
	}
	return MapError(rows.Err())
}
