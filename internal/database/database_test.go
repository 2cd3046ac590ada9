package database_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var someone = taahod.Actor{UserID: 0, Username: "tester", Role: taahod.RoleAdmin}

// appendEntries commits n transactions, each with one audit entry.
func appendEntries(t *testing.T, db *database.DB, n int) {
	t.Helper()
	for i := range n {
		err := db.Transact(context.Background(), func(tx *database.Tx) error {
			tx.Audit(context.Background(), someone, "test.step", "thing", i, map[string]any{"i": i, "text": "متن ‌فارسی", "b": nil})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func verify(t *testing.T, db *database.DB) []database.Finding {
	t.Helper()
	_, findings, err := database.VerifyAudit(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return findings
}

func TestAuditChainDetectsTampering(t *testing.T) {
	cases := []struct {
		name    string
		tamper  string
		subject string
	}{
		{"changed content", `UPDATE audit_log SET changes = '{"i":99}' WHERE seq = 3`, "audit row 3"},
		{"changed actor", `UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 2`, "audit row 2"},
		{"changed time", `UPDATE audit_log SET at = at + interval '1 second' WHERE seq = 4`, "audit row 4"},
		{"removed row", `DELETE FROM audit_log WHERE seq = 3`, "audit row 4"},
		{"reordered rows", `UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 100`, "audit row 2"},
		{"removed tail", `DELETE FROM audit_log WHERE seq = 5`, "audit tip"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			db := dbtest.New(t)
			appendEntries(t, db, 5)
			if f := verify(t, db); len(f) != 0 {
				t.Fatalf("untouched chain: %v", f)
			}
			// Behind the application's back: with the triggers off.
			conn, err := db.Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, q := range []string{`SET session_replication_role = replica`, c.tamper, `SET session_replication_role = origin`} {
				if _, err := conn.ExecContext(context.Background(), q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			findings := verify(t, db)
			if len(findings) == 0 {
				t.Fatal("tampering not detected")
			}
			if findings[0].Subject != c.subject {
				t.Fatalf("first finding names %q, want %q: %v", findings[0].Subject, c.subject, findings)
			}
		})
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	db := dbtest.New(t)
	appendEntries(t, db, 2)
	for _, q := range []string{
		`UPDATE audit_log SET action = 'x' WHERE seq = 1`,
		`DELETE FROM audit_log WHERE seq = 1`,
		`TRUNCATE audit_log`,
	} {
		_, err := db.Exec(q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v", q, err)
		}
	}
}

func TestConcurrentAppendsKeepOneChain(t *testing.T) {
	db := dbtest.New(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := db.Transact(context.Background(), func(tx *database.Tx) error {
				tx.Audit(context.Background(), someone, "test.concurrent", "thing", i, map[string]int{"i": i})
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	n, findings, err := database.VerifyAudit(context.Background(), db)
	if err != nil || n != 20 || len(findings) != 0 {
		t.Fatalf("%d rows, %v, %v", n, findings, err)
	}
}

func TestTransactRollsBackAndRetries(t *testing.T) {
	db := dbtest.New(t)
	ctx := context.Background()
	mustExec := func(q string) {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	mustExec(`CREATE TABLE counter (id INT PRIMARY KEY, n INT NOT NULL)`)
	mustExec(`INSERT INTO counter VALUES (1, 0)`)

	t.Run("an error rolls back, and the audit entry goes with it", func(t *testing.T) {
		boom := errors.New("boom")
		err := db.Transact(ctx, func(tx *database.Tx) error {
			if _, err := tx.Exec(`UPDATE counter SET n = 100`); err != nil {
				return err
			}
			tx.Audit(ctx, someone, "test.rollback", "counter", 1, nil)
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("error %v", err)
		}
		var n, entries int
		_ = db.Get(&n, `SELECT n FROM counter`)
		_ = db.Get(&entries, `SELECT count(*) FROM audit_log`)
		if n != 0 || entries != 0 {
			t.Fatalf("n = %d, %d audit entries after a rollback", n, entries)
		}
	})
	t.Run("a panic rolls back", func(t *testing.T) {
		func() {
			defer func() { _ = recover() }()
			_ = db.Transact(ctx, func(tx *database.Tx) error {
				_, _ = tx.Exec(`UPDATE counter SET n = 100`)
				panic("boom")
			})
		}()
		var n int
		_ = db.Get(&n, `SELECT n FROM counter`)
		if n != 0 {
			t.Fatalf("n = %d after a panic", n)
		}
	})
	t.Run("serialization failures are retried", func(t *testing.T) {
		var attempts atomic.Int32
		var wg sync.WaitGroup
		const workers = 8
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := db.TransactWith(ctx, database.Options{Isolation: sql.LevelSerializable}, func(tx *database.Tx) error {
					attempts.Add(1)
					var n int
					if err := tx.Get(&n, `SELECT n FROM counter WHERE id = 1`); err != nil {
						return err
					}
					_, err := tx.Exec(`UPDATE counter SET n = $1 WHERE id = 1`, n+1)
					return err
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		var n int
		_ = db.Get(&n, `SELECT n FROM counter`)
		if n != workers {
			t.Fatalf("counter %d after %d serializable increments (%d attempts)", n, workers, attempts.Load())
		}
	})
}

func TestMapError(t *testing.T) {
	db := dbtest.New(t)
	if _, err := db.Exec(`CREATE TABLE t (id INT PRIMARY KEY, ref INT REFERENCES t (id), v INT CHECK (v > 0))`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO t VALUES (1, NULL, 1)`); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]string{
		`INSERT INTO t VALUES (1, NULL, 1)`: taahod.ECONFLICT,
		`INSERT INTO t VALUES (2, 9, 1)`:    taahod.EINVALID,
		`INSERT INTO t VALUES (3, NULL, 0)`: taahod.EINVALID,
	} {
		_, err := db.Exec(q)
		if got := taahod.ErrorCode(database.MapError(err)); got != want {
			t.Errorf("%s: %s, want %s (%v)", q, got, want, err)
		}
	}
	// No driver text in the message a client sees.
	_, err := db.Exec(`INSERT INTO t VALUES (1, NULL, 1)`)
	if msg := taahod.ErrorMessage(database.MapError(err)); strings.Contains(msg, "duplicate key") {
		t.Errorf("driver text leaks: %s", msg)
	}
}

func TestWithBinaryParameters(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://u@h:5432/db?sslmode=disable": "postgres://u@h:5432/db?binary_parameters=yes&sslmode=disable",
		"postgres://u@h/db?binary_parameters=no": "postgres://u@h/db?binary_parameters=no",
		"host=h dbname=db":                       "host=h dbname=db binary_parameters=yes",
		"host=h binary_parameters=yes":           "host=h binary_parameters=yes",
	} {
		got, err := database.WithBinaryParameters(in)
		if err != nil || got != want {
			t.Errorf("%s: %s, %v; want %s", in, got, err, want)
		}
	}
}

func TestStatementAuditJoinsTheChain(t *testing.T) {
	db := dbtest.New(t)
	ctx := database.WithRequestID(context.Background(), "req-statement-1")
	if _, err := db.Exec(`CREATE TABLE thing (id BIGSERIAL PRIMARY KEY, v INT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	insert := `WITH ins AS (INSERT INTO thing (v) SELECT $1 WHERE $1 > 0 RETURNING id), ` +
		database.StatementAuditSQL("(SELECT id::text FROM ins)", 2) + ` SELECT id FROM ins`
	add := func(v int) (int64, error) {
		// Changes that hold a "target_id" of their own must not confuse the split.
		a, err := database.NewStatementAudit(ctx, someone, db.Now(), "thing.create", "thing",
			map[string]any{"v": v, "target_id": "", "text": "متن"})
		if err != nil {
			t.Fatal(err)
		}
		var id int64
		err = db.GetContext(ctx, &id, insert, append([]any{v}, a.Args()...)...)
		return id, err
	}
	appendEntries(t, db, 2)
	var ids []int64
	for v := 1; v <= 3; v++ {
		id, err := add(v)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	appendEntries(t, db, 1)
	if _, err := add(0); !errors.Is(err, sql.ErrNoRows) {
		t.Fatalf("nothing inserted: %v", err)
	}
	// The statements ran outside Transact: chain what they queued.
	if err := database.WaitChained(ctx, db); err != nil {
		t.Fatal(err)
	}
	n, findings, err := database.VerifyAudit(context.Background(), db)
	if err != nil || n != 6 || len(findings) != 0 {
		t.Fatalf("%d entries, findings %v, %v", n, findings, err)
	}
	var targets []string
	if err := db.Select(&targets, `SELECT target_id FROM audit_log WHERE action = 'thing.create' AND request_id = 'req-statement-1' ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	if len(targets) != 3 || targets[0] != fmt.Sprint(ids[0]) || targets[2] != fmt.Sprint(ids[2]) {
		t.Fatalf("targets %v for ids %v", targets, ids)
	}
}
