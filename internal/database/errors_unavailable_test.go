package database_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// TestMapErrorConnectionLost: every way the driver says the connection or
// the server went away (PostgreSQL restarted, shutting down, starting, out
// of connections) is `unavailable` (503 with Retry-After at the edge),
// never an internal error; a cancelled query or request is not.
func TestMapErrorConnectionLost(t *testing.T) {
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	for name, err := range map[string]error{
		"bad connection":       driver.ErrBadConn,
		"wrapped bad conn":     fmt.Errorf("insert: %w", driver.ErrBadConn),
		"connection refused":   refused,
		"connection reset":     fmt.Errorf("read: %w", syscall.ECONNRESET),
		"broken pipe":          fmt.Errorf("write: %w", syscall.EPIPE),
		"EOF":                  io.EOF,
		"unexpected EOF":       fmt.Errorf("read: %w", io.ErrUnexpectedEOF),
		"connection done":      sql.ErrConnDone,
		"57P01 admin_shutdown": &pq.Error{Code: "57P01"},
		"57P02 crash_shutdown": &pq.Error{Code: "57P02"},
		"57P03 starting up":    &pq.Error{Code: "57P03"},
		"08006 failure":        &pq.Error{Code: "08006"},
		"08003 no connection":  &pq.Error{Code: "08003"},
		"53300 too many":       &pq.Error{Code: "53300"},
	} {
		if got := taahod.ErrorCode(database.MapError(err)); got != taahod.EUNAVAILABLE {
			t.Errorf("%s: %q, want %q", name, got, taahod.EUNAVAILABLE)
		}
	}
	for name, err := range map[string]error{
		"query canceled":    &pq.Error{Code: "57014"},
		"context canceled":  context.Canceled,
		"deadline exceeded": context.DeadlineExceeded,
		"syntax error":      &pq.Error{Code: "42601"},
	} {
		if got := taahod.ErrorCode(database.MapError(err)); got == taahod.EUNAVAILABLE {
			t.Errorf("%s: unavailable, want anything else", name)
		}
	}
}
