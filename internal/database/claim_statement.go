package database

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
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
//
// The statement also forgets a row of the key older than ClaimRetention (the
// api's keyKnown does that for the other routes, in a round trip of its own
// that a statement claim spares): its claim CTE counts only a row younger
// than that as done, and its CTE forgotten deletes an older one before the
// key's row is inserted.
//
// When ctx carries an AnswerForm (WithAnswerForm) the statement can also
// store the request's answer with the key (StatementClaimAnsweredSQL), so
// that the submission is one statement and one commit, not a second write
// after it: see StatementAnswer.
type StatementClaim struct {
	c      *Claim
	now    time.Time
	form   AnswerForm
	answer *StatementAnswer
	// body and headers are answer's templates as format() strings.
	body, headers string
}

// ClaimRetention is how long an idempotency key is kept: the api's
// IdempotencyRetention, at least the contract's 24 hours. A statement claim
// forgets an older row of its key, as the api does before other routes.
const ClaimRetention = 48 * time.Hour

// OpenStatementClaim returns the open claim of ctx, recorded with the time
// now, and false when ctx has none (or it is settled).
func OpenStatementClaim(ctx context.Context, now time.Time) (StatementClaim, bool) {
	c := openClaim(ctx)
	if c == nil {
		return StatementClaim{}, false
	}
	form, _ := ctx.Value(answerFormKey{}).(AnswerForm)
	return StatementClaim{c: c, now: now, form: form}, true
}

// StatementClaimArgs is how many placeholders StatementClaimSQL and
// StatementClaimRecordSQL (or StatementClaimAnsweredSQL) use together, from
// the same first; StatementClaimAnsweredSQL uses StatementAnswerArgs more.
const StatementClaimArgs = 8

// StatementClaimSQL returns the CTE claim (locked, done), to put first in the
// statement's WITH list; it and StatementClaimRecordSQL use the placeholders
// $first to $first+StatementClaimArgs-1, whose values Args gives.
func StatementClaimSQL(first int) string {
	p := func(i int) string { return "$" + strconv.Itoa(first+i) }
	// MATERIALIZED: the lock is taken once, whatever reads it.
	// forgotten deletes the key's row when it is past the retention; the
	// row that inserts the key waits for it (claimRowAfterForgotten), and a
	// row deleted earlier in one's own transaction is no unique violation.
	return `claim AS MATERIALIZED (
		SELECT pg_try_advisory_xact_lock(` + p(0) + `::int, hashtext(` + p(3) + `::text)) AS locked,
		       EXISTS (SELECT 1 FROM idempotency_keys WHERE user_id = ` + p(1) + `::bigint AND key = ` + p(2) + `::text
		                  AND created_at >= ` + p(7) + `::timestamptz) AS done
	), forgotten AS (
		DELETE FROM idempotency_keys WHERE user_id = ` + p(1) + `::bigint AND key = ` + p(2) + `::text
		   AND created_at < ` + p(7) + `::timestamptz AND (SELECT locked FROM claim)
		RETURNING 1
	)`
}

// claimRowAfterForgotten is the condition of the insert of the key's row
// that makes it run after the CTE forgotten has deleted an expired row of
// the key (the CTEs of one statement run in no set order otherwise).
const claimRowAfterForgotten = `(SELECT count(*) FROM forgotten) >= 0`

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
		 WHERE ` + idQuery + ` IS NOT NULL AND ` + claimRowAfterForgotten + `
	)`
}

// StatementClaimAnsweredSQL returns the CTE claim_row of a statement that
// also stores its request's answer with the key (StatementClaim.Answer): it
// records the key naming the record of type targetType whose id is the
// value idValue, with the answer filled in by the statement's values
// (values[0] is the record's id, Hole(1); values[i] is Hole(i+1)), one row
// per row of from, which must give at most one. Its placeholders are those
// of StatementClaimRecordSQL, then StatementAnswerArgs more: see AnswerArgs.
func StatementClaimAnsweredSQL(from string, values []string, first int) string {
	p := func(i int) string { return "$" + strconv.Itoa(first+i) }
	// As text: format() writes a boolean as t or f, its text is true or false.
	texts := make([]string, len(values))
	for i, v := range values {
		texts[i] = "(" + v + ")::text"
	}
	vals := strings.Join(texts, ", ")
	return `claim_row AS (
		INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, target_type, target_id,
		                              status, content_type, body, headers, completed_at)
		SELECT ` + p(1) + `::bigint, ` + p(2) + `::text, ` + p(4) + `::bytea, ` + p(5) + `::timestamptz, ` + p(6) + `::text, (` + values[0] + `)::text,
		       ` + p(8) + `::int, ` + p(9) + `::text, convert_to(format(` + p(10) + `::text, ` + vals + `), 'UTF8'),
		       format(` + p(11) + `::text, ` + vals + `)::jsonb, ` + p(5) + `::timestamptz
		  FROM ` + from + `
		 WHERE ` + claimRowAfterForgotten + `
		RETURNING md5(body) AS body_md5
	)`
}

// StatementAnswerDigest is what a statement with StatementClaimAnsweredSQL
// answers, as a column, for SettleAnswered to check the body it stored: the MD5 of
// the body, as hex, or NULL when it stored none.
const StatementAnswerDigest = `(SELECT body_md5 FROM claim_row)`

// StatementAnswerArgs is how many placeholders StatementClaimAnsweredSQL
// uses besides the claim's StatementClaimArgs.
const StatementAnswerArgs = 4

// Args returns the values of the placeholders, for a record of targetType.
func (sc StatementClaim) Args(targetType string) []any {
	return []any{idempotencyLockClass, sc.c.UserID, sc.c.Key, fmt.Sprintf("%d:%s", sc.c.UserID, sc.c.Key),
		sc.c.Hash, sc.now, targetType, sc.now.Add(-ClaimRetention)}
}

// AnswerArgs returns the values of the answer's placeholders of
// StatementClaimAnsweredSQL, after Answer has said yes.
func (sc *StatementClaim) AnswerArgs() []any {
	return []any{sc.answer.Status, sc.answer.ContentType, sc.body, sc.headers}
}

// Answer renders the request's answer from the JSON of the record the
// statement is about to write, with holes where the values only the
// statement knows go (Hole), through the AnswerForm of the context. It
// reports whether the statement is to store it (StatementClaimAnsweredSQL):
// false when the context has no form, or the answer cannot be a template.
func (sc *StatementClaim) Answer(record []byte) bool {
	if sc.form == nil {
		return false
	}
	a := sc.form(record)
	body, ok := formatTemplate(a.Body)
	if !ok {
		return false
	}
	headers, ok := formatTemplate(a.Headers)
	if !ok {
		return false
	}
	sc.answer, sc.body, sc.headers = &a, body, headers
	return true
}

// Settle reads the statement's outcome: err as it ran, locked and done as
// its claim CTE answered, wrote whether it recorded the key with a change.
// It settles the claim and returns the error the caller returns: the api
// then replays the first answer (ClaimTaken) or answers 409 (ClaimBusy). A
// statement that wrote nothing leaves the claim open, as a transaction
// that wrote nothing does.
func (sc StatementClaim) Settle(err error, locked, done, wrote bool) error {
	return sc.SettleAnswered(err, locked, done, wrote, "")
}

// SettleAnswered is Settle for a statement that may have stored its answer
// (StatementClaimAnsweredSQL). digest is the statement's
// StatementAnswerDigest ("" without an answer); values are the statement's
// values of the answer's holes, as text (an id in decimal, a boolean as true
// or false: what the statement's ::text casts write): when the statement
// stored the answer (Answer said yes) and wrote, the claim keeps the answer
// as stored (Claim.StoredAnswer) for the api to send.
func (sc StatementClaim) SettleAnswered(err error, locked, done, wrote bool, digest string, values ...string) error {
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
		if sc.answer != nil {
			a := StoredAnswer{Status: sc.answer.Status, ContentType: sc.answer.ContentType,
				Body: fillHoles(sc.answer.Body, values), Headers: fillHoles(sc.answer.Headers, values)}
			if sum := md5.Sum(a.Body); hex.EncodeToString(sum[:]) != digest {
				// The statement filled the holes otherwise than Go does:
				// an answer that matches no handler's, so that the api
				// stores the handler's over it.
				a = StoredAnswer{}
			}
			sc.c.store(a)
		}
		sc.c.set(ClaimCommitted)
	}
	return nil
}
