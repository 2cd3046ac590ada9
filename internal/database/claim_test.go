package database_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
)

// TestClaimCommitsWithTheChange: an idempotency key is written by the
// request's first writing transaction and only if it commits; of many
// transactions with one key at once, exactly one makes its change.
func TestClaimCommitsWithTheChange(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	var user int64
	if err := db.Get(&user, `INSERT INTO users (username, password_hash, role, created_at) VALUES ('u1', 'x', 'admin', now()) RETURNING id`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE effects (key TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	hash := make([]byte, 32)
	newClaim := func(key string) (*database.Claim, context.Context) {
		c := &database.Claim{UserID: user, Key: key, Hash: hash}
		return c, database.WithClaim(ctx, c)
	}
	keyRows := func(key string) (n int) {
		if err := db.Get(&n, `SELECT count(*) FROM idempotency_keys WHERE key = $1`, key); err != nil {
			t.Fatal(err)
		}
		return n
	}
	effects := func(key string) (n int) {
		if err := db.Get(&n, `SELECT count(*) FROM effects WHERE key = $1`, key); err != nil {
			t.Fatal(err)
		}
		return n
	}
	write := func(key string) func(tx *database.Tx) error {
		return func(tx *database.Tx) error {
			if _, err := tx.Exec(`INSERT INTO effects VALUES ($1)`, key); err != nil {
				return err
			}
			tx.Audit(ctx, someone, "test.effect", "effect", key, nil)
			return nil
		}
	}

	t.Run("a failed transaction leaves the key free", func(t *testing.T) {
		c, cctx := newClaim("failed")
		err := db.Transact(cctx, func(tx *database.Tx) error {
			if err := write("failed")(tx); err != nil {
				return err
			}
			return errors.New("the handler fails after writing")
		})
		if err == nil || c.State() != database.ClaimOpen || keyRows("failed") != 0 || effects("failed") != 0 {
			t.Fatalf("err %v, state %v, %d key rows, %d effects", err, c.State(), keyRows("failed"), effects("failed"))
		}
	})

	t.Run("reads record nothing; the write records the key with its record", func(t *testing.T) {
		c, cctx := newClaim("read-then-write")
		if err := db.TransactWith(cctx, database.Options{ReadOnly: true}, func(tx *database.Tx) error { return nil }); err != nil {
			t.Fatal(err)
		}
		if err := db.Transact(cctx, func(tx *database.Tx) error {
			var n int
			return tx.Get(&n, `SELECT count(*) FROM effects`)
		}); err != nil {
			t.Fatal(err)
		}
		if c.State() != database.ClaimOpen || keyRows("read-then-write") != 0 {
			t.Fatalf("a read claimed the key: %v", c.State())
		}
		if err := db.Transact(cctx, write("read-then-write")); err != nil {
			t.Fatal(err)
		}
		var target string
		if err := db.Get(&target, `SELECT target_type || ' ' || target_id FROM idempotency_keys WHERE key = 'read-then-write' AND status IS NULL`); err != nil || target != "effect read-then-write" {
			t.Fatalf("key row names %q (%v)", target, err)
		}
		if c.State() != database.ClaimCommitted {
			t.Fatalf("state %v after the write", c.State())
		}
		// A later transaction of the same request is not the key's.
		if err := db.Transact(cctx, write("read-then-write")); err != nil || effects("read-then-write") != 2 {
			t.Fatalf("second transaction of the request: %v", err)
		}
	})

	t.Run("one effect of many at once", func(t *testing.T) {
		const n = 16
		claims := make([]*database.Claim, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			c, cctx := newClaim("many")
			claims[i] = c
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.Transact(cctx, write("many"))
			}()
		}
		wg.Wait()
		committed := 0
		for i, c := range claims {
			switch c.State() {
			case database.ClaimCommitted:
				committed++
				if errs[i] != nil {
					t.Errorf("committed with error %v", errs[i])
				}
			case database.ClaimTaken, database.ClaimBusy:
				if taahod.ErrorCode(errs[i]) != taahod.EIDEMPOTENCYINFLIGHT {
					t.Errorf("state %v with error %v", c.State(), errs[i])
				}
			default:
				t.Errorf("state %v, error %v", c.State(), errs[i])
			}
		}
		if committed != 1 || effects("many") != 1 || keyRows("many") != 1 {
			t.Fatalf("%d committed, %d effects, %d key rows", committed, effects("many"), keyRows("many"))
		}
	})
}
