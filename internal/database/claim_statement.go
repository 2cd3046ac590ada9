package database

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lib/pq"
)

// StatementClaim is an open idempotency claim that the very statement making
// the change checks and records, for a hot path that writes with one
// autocommitted statement (ledger's submission). The statement does what
// TransactWith does around its fn (claim.go), in one round trip instead of
// five (BEGIN, check, change, record, COMMIT):
//
//   - its first CTE (StatementClaimSQL) takes the key's transaction-scoped
//     advisory lock without waiting and asks whether the key is written
//     already, as checkClaim does;
//   - its writes are conditioned on StatementClaimFree, so that a busy or
//     done key changes nothing;
//   - a CTE (StatementClaimRecordSQL) inserts the key's row naming the record
//     written, when one was, as recordClaim does; the primary key stays the
//     last guard: a key committed by another statement after this one's
//     snapshot fails the insert, and the whole statement rolls back (Settle
//     reads that as ClaimTaken).
//
// The statement is its own transaction, so the key commits with the change or
// not at all, exactly as in TransactWith.
type StatementClaim struct {
	c   *Claim
	now time.Time
}

// OpenStatementClaim returns the open claim of ctx, recorded with the time
// now, and false when ctx has none (or it is settled).
func OpenStatementClaim(ctx context.Context, now time.Time) (StatementClaim, bool) {
	c := openClaim(ctx)
	if c == nil {
		return StatementClaim{}, false
	}
	return StatementClaim{c: c, now: now}, true
}

// StatementClaimArgs is how many placeholders StatementClaimSQL and
// StatementClaimRecordSQL use together, from the same first.
const StatementClaimArgs = 7

// StatementClaimSQL returns the CTE claim (locked, done), to put first in the
// statement's WITH list; it and StatementClaimRecordSQL use the placeholders
// $first to $first+StatementClaimArgs-1, whose values Args gives.
func StatementClaimSQL(first int) string {
	p := func(i int) string { return "$" + strconv.Itoa(first+i) }
	// MATERIALIZED: the lock is taken once, whatever reads it.
	return `claim AS MATERIALIZED (
		SELECT pg_try_advisory_xact_lock(` + p(0) + `::int, hashtext(` + p(3) + `::text)) AS locked,
		       EXISTS (SELECT 1 FROM idempotency_keys WHERE user_id = ` + p(1) + `::bigint AND key = ` + p(2) + `::text) AS done
	)`
}

// StatementClaimFree is the condition that a statement's writes must add:
// the key is locked by this statement and not written yet.
const StatementClaimFree = `(SELECT locked AND NOT done FROM claim)`

// StatementClaimRecordSQL returns the CTE claim_row, which records the key
// naming the record of type targetType (a placeholder's value: see Args)
// whose id idQuery gives as text; nothing when idQuery yields no row.
func StatementClaimRecordSQL(idQuery string, first int) string {
	p := func(i int) string { return "$" + strconv.Itoa(first+i) }
	return `claim_row AS (
		INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, target_type, target_id)
		SELECT ` + p(1) + `::bigint, ` + p(2) + `::text, ` + p(4) + `::bytea, ` + p(5) + `::timestamptz, ` + p(6) + `::text, ` + idQuery + `
		 WHERE ` + idQuery + ` IS NOT NULL
	)`
}

// Args returns the values of the placeholders, for a record of targetType.
func (sc StatementClaim) Args(targetType string) []any {
	return []any{idempotencyLockClass, sc.c.UserID, sc.c.Key, fmt.Sprintf("%d:%s", sc.c.UserID, sc.c.Key),
		sc.c.Hash, sc.now, targetType}
}

// Settle reads the statement's outcome: err as it ran, locked and done as
// its claim CTE answered, wrote whether it recorded the key with a change.
// It settles the claim and returns the error the caller returns: the api
// then replays the first answer (ClaimTaken) or answers 409 (ClaimBusy). A
// statement that wrote nothing leaves the claim open, as a transaction
// that wrote nothing does.
func (sc StatementClaim) Settle(err error, locked, done, wrote bool) error {
	var pe *pq.Error
	switch {
	case errors.As(err, &pe) && pe.Code == codeUniqueViolation && pe.Constraint == "idempotency_keys_pkey":
		sc.c.set(ClaimTaken)
		return errClaimed(ClaimTaken)
	case err != nil:
		return err
	case !locked:
		sc.c.set(ClaimBusy)
		return errClaimed(ClaimBusy)
	case done:
		sc.c.set(ClaimTaken)
		return errClaimed(ClaimTaken)
	case wrote:
		sc.c.set(ClaimCommitted)
	}
	return nil
}
