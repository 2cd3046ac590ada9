package database

import (
	"context"
	"fmt"
	"sync"

	"github.com/taahod/taahod"
)

// Idempotency keys commit with the work they guard.
//
// A request that carries an Idempotency-Key puts a Claim in its context
// (WithClaim). The first writing transaction of that request (see
// TransactWith) then
//
//   - at its start takes a transaction-scoped advisory lock on the key
//     without waiting and looks the key up: a lock held by another
//     transaction means the first request with the key is running now
//     (ClaimBusy, 409 idempotency_key_in_use); a key already written means
//     the work is done (ClaimTaken, the caller replays it);
//   - just before its commit writes the key's row (user, key, request hash,
//     and the record the transaction's first audit entry names) in the same
//     transaction as the change. The primary key (user_id, key) is the last
//     guard: a second transaction with the key fails to insert and rolls back
//     with everything it did.
//
// So the key and the effect commit together or not at all: a crash (kill -9)
// or a database fault before the commit leaves no row, and a retry runs
// afresh; after the commit a retry finds the row, and never does the work
// twice. The response is stored in the row after the commit (api
// idempotency), or, on a hot path that writes with one statement, by that
// statement (claim_answer.go); if the process dies in between, the row without a
// response still names the record that was written, and the api answers a
// retry with its Location. There is no lease to expire and no claim that can
// outlive its work: we chose this over a timed lease because a lease cannot
// tell a slow request from a dead one, and a wrong guess writes twice.
//
// A request whose handler writes in several transactions binds the key to the
// first; a request that writes nothing leaves the claim open, and the api
// stores its answer (say a 422) on its own.

// ClaimState is where a Claim stands.
type ClaimState int

const (
	// ClaimOpen: no transaction of the request has committed the key yet.
	ClaimOpen ClaimState = iota
	// ClaimCommitted: the key committed with the request's change.
	ClaimCommitted
	// ClaimTaken: another request committed the key first; this request's
	// transaction rolled back without effect.
	ClaimTaken
	// ClaimBusy: another request with the key was inside its transaction;
	// this request's transaction did nothing.
	ClaimBusy
)

// Claim is an Idempotency-Key that the request's first writing transaction
// records together with its change. It is safe for concurrent use.
type Claim struct {
	UserID int64
	Key    string
	// Hash fingerprints the request (method, path, body): 32 bytes.
	Hash []byte

	mu    sync.Mutex
	state ClaimState
	// answer is the answer the claim's statement stored with the key
	// (claim_answer.go), if it did.
	answer *StoredAnswer
}

// State reports where the claim stands.
func (c *Claim) State() ClaimState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

func (c *Claim) set(s ClaimState) {
	c.mu.Lock()
	c.state = s
	c.mu.Unlock()
}

type claimKey struct{}

// WithClaim returns ctx carrying the claim that the first writing
// transaction run with it records.
func WithClaim(ctx context.Context, c *Claim) context.Context {
	return context.WithValue(ctx, claimKey{}, c)
}

// HasOpenClaim reports whether ctx carries an idempotency claim that no
// transaction has settled yet: a store that writes with one autocommitted
// statement must then write in a transaction (TransactWith), so that the key
// commits with the change.
func HasOpenClaim(ctx context.Context) bool { return openClaim(ctx) != nil }

// openClaim returns the context's claim while no transaction has settled it.
func openClaim(ctx context.Context) *Claim {
	c, _ := ctx.Value(claimKey{}).(*Claim)
	if c == nil || c.State() != ClaimOpen {
		return nil
	}
	return c
}

// idempotencyLockClass is the first half of the two-key advisory locks on
// idempotency keys; the two-key space is apart from the one-key locks that
// other stores take.
const idempotencyLockClass = 0x1de7

// errClaimed is what a transaction returns when its request's key is busy or
// already done; the handler's answer is then replaced by the api.
func errClaimed(state ClaimState) error {
	if state == ClaimBusy {
		return taahod.Errorf(taahod.EIDEMPOTENCYINFLIGHT, "the first request with this Idempotency-Key is still running")
	}
	return taahod.Errorf(taahod.EIDEMPOTENCYINFLIGHT, "a request with this Idempotency-Key was carried out already")
}

// checkClaim runs first in a writing transaction with an open claim: it
// locks the key for the transaction and fails when the key is busy or done.
func checkClaim(ctx context.Context, tx *Tx, c *Claim) error {
	var row struct {
		Locked bool `db:"locked"`
		Done   bool `db:"done"`
	}
	err := tx.GetContext(ctx, &row, `
		SELECT pg_try_advisory_xact_lock($1, hashtext($4)) AS locked,
		       EXISTS (SELECT 1 FROM idempotency_keys WHERE user_id = $2 AND key = $3) AS done`,
		idempotencyLockClass, c.UserID, c.Key, fmt.Sprintf("%d:%s", c.UserID, c.Key))
	if err != nil {
		return fmt.Errorf("lock idempotency key: %w", err)
	}
	switch {
	case !row.Locked:
		c.set(ClaimBusy)
		return errClaimed(ClaimBusy)
	case row.Done:
		c.set(ClaimTaken)
		return errClaimed(ClaimTaken)
	}
	return nil
}

// recordClaim writes the key's row in the transaction, if the transaction
// changed anything (it has audit entries, or a statement named what it
// wrote with Tx.Wrote: either spares asking the database); it reports
// whether it did. The row names the record of
// the first audit entry, so that a retry can say where the work went even if
// the response is never stored.
func recordClaim(ctx context.Context, tx *Tx, c *Claim) (bool, error) {
	if len(tx.audit) == 0 && tx.target == nil {
		var wrote bool
		if err := tx.GetContext(ctx, &wrote, `SELECT txid_current_if_assigned() IS NOT NULL`); err != nil {
			return false, fmt.Errorf("did the transaction write: %w", err)
		}
		if !wrote {
			return false, nil
		}
	}
	var targetType, targetID *string
	switch {
	case len(tx.audit) > 0:
		targetType, targetID = &tx.audit[0].TargetType, &tx.audit[0].TargetID
	case tx.target != nil:
		targetType, targetID = &tx.target[0], &tx.target[1]
	}
	res, err := tx.ExecContext(ctx, `
		INSERT INTO idempotency_keys (user_id, key, request_hash, created_at, target_type, target_id)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (user_id, key) DO NOTHING`,
		c.UserID, c.Key, c.Hash, tx.Now, targetType, targetID)
	if err != nil {
		return false, fmt.Errorf("record idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		c.set(ClaimTaken)
		return false, errClaimed(ClaimTaken)
	}
	return true, nil
}
