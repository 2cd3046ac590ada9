package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
)

// SQLSTATE classes and codes the service acts on.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeCheckViolation       = "23514"
	codeNotNullViolation     = "23502"
	codeNumericOutOfRange    = "22003"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeAppendOnly           = "55000"
	codeQueryCanceled        = "57014"
	// Text the database cannot store: not UTF-8 or a NUL, longer than its
	// column, or too long for an index. The edges refuse such text first
	// (taahod.EdgeText); these stay client errors should any slip past.
	codeCharacterNotInRepertoire = "22021"
	codeUntranslatableCharacter  = "22P05"
	codeStringTooLong            = "22001"
	codeProgramLimitExceeded     = "54000"
)

// MapError turns a driver error into a domain one by SQLSTATE, never by
// message text: a unique violation is a conflict, a broken reference or a
// failed check is invalid input, a lost connection is "unavailable". Other
// errors pass through unchanged (and become "internal" at the edge).
func MapError(err error) error {
	if err == nil {
		return nil
	}
	var te *taahod.Error
	if errors.As(err, &te) {
		return err
	}
	var pe *pq.Error
	if errors.As(err, &pe) {
		switch pe.Code {
		case codeUniqueViolation:
			return &taahod.Error{Code: taahod.ECONFLICT, Message: "a record with the same key already exists (" + pe.Constraint + ")"}
		case codeForeignKeyViolation:
			return &taahod.Error{Code: taahod.EINVALID, Message: "the request refers to a record that does not exist (" + pe.Constraint + ")"}
		case codeNumericOutOfRange:
			return &taahod.Error{Code: taahod.EINVALID, Message: "a number is too large for the books (at most 18 digits before the decimal point)"}
		case codeCheckViolation, codeNotNullViolation:
			what := pe.Constraint
			if what == "" {
				what = pe.Column
			}
			return &taahod.Error{Code: taahod.EINVALID, Message: "the database refused the values (" + what + ")"}
		case codeCharacterNotInRepertoire, codeUntranslatableCharacter:
			return &taahod.Error{Code: taahod.EINVALID, Message: "the request has text that is not UTF-8 or holds a NUL character"}
		case codeStringTooLong, codeProgramLimitExceeded:
			return &taahod.Error{Code: taahod.EINVALID, Message: "a text of the request is too long to be stored"}
		case codeAppendOnly:
			return fmt.Errorf("append-only table touched: %w", err)
		}
		// 08: connection exceptions; 57: the server is shutting down or
		// starting (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03
		// cannot_connect_now), except a cancelled query; 53: out of
		// resources, such as too many connections while it restarts.
		if c := pe.Code.Class(); c == "08" || c == "53" || (c == "57" && pe.Code != codeQueryCanceled) {
			return &taahod.Error{Code: taahod.EUNAVAILABLE, Message: "the database is unavailable"}
		}
		return err
	}
	if isConnectionError(err) {
		return &taahod.Error{Code: taahod.EUNAVAILABLE, Message: "the database is unavailable"}
	}
	return err
}

// IsRetryable reports whether err is a serialization failure or a deadlock,
// after which the whole transaction may simply be run again.
func IsRetryable(err error) bool {
	var pe *pq.Error
	if errors.As(err, &pe) {
		return pe.Code == codeSerializationFailure || pe.Code == codeDeadlockDetected
	}
	return false
}

func isConnectionError(err error) bool {
	// lib/pq answers io.EOF or io.ErrUnexpectedEOF when the server closes
	// the connection under a query (PostgreSQL restarted), and
	// database/sql ErrConnDone for a transaction on such a connection.
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, sql.ErrConnDone) {
		return true
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe)
}
