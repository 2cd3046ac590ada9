package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/taahod/taahod/internal/dbtest"
)

// TestVerifyNamesATamperedPosting changes one posting of the demo books
// behind the application's back: `taahod verify` exits non-zero and names
// it, its transaction and its account.
func TestVerifyNamesATamperedPosting(t *testing.T) {
	cases := []struct {
		name   string
		change string // %d is the posting's id
		want   []string
	}{
		{"amount", `UPDATE ledger_postings SET amount = amount + 1 WHERE id = %d`, []string{"ledger posting %d", "ledger transaction %d"}},
		{"account", `UPDATE ledger_postings p SET account_id = (SELECT max(o.id) FROM ledger_accounts o JOIN ledger_accounts a ON a.asset = o.asset AND o.id <> a.id
			WHERE a.id = p.account_id) WHERE id = %d`,
			[]string{"ledger posting %d", "ledger transaction %d"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, url := dbtest.NewWithURL(t)
			t.Setenv("DATABASE_URL", url)
			if code, _, stderr := runTaahod(t, "", "seed-demo"); code != 0 {
				t.Fatalf("seed-demo: %s", stderr)
			}
			if code, out, _ := runTaahod(t, "", "verify"); code != 0 || !strings.Contains(out, "ok      ledger") {
				t.Fatalf("verify of the demo books: %d %q", code, out)
			}
			// The first posting of an offset run, or of an approval when
			// the demo has no runs.
			var posting, transaction int64
			if err := db.QueryRow(`SELECT p.id, p.transaction_id FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
				ORDER BY t.kind = 'offset' DESC, p.id LIMIT 1`).Scan(&posting, &transaction); err != nil {
				t.Fatalf("no posting in the demo books: %v", err)
			}
			conn, err := db.Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			for _, q := range []string{`SET session_replication_role = replica`, fmt.Sprintf(c.change, posting), `SET session_replication_role = origin`} {
				if _, err := conn.ExecContext(context.Background(), q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			code, out, _ := runTaahod(t, "", "verify")
			if code != 1 || !strings.Contains(out, "BROKEN  ledger") {
				t.Fatalf("verify after the change: exit %d\n%s", code, out)
			}
			for _, w := range c.want {
				subject := fmt.Sprintf(w, posting)
				if strings.Contains(w, "transaction") {
					subject = fmt.Sprintf(w, transaction)
				}
				if !strings.Contains(out, subject+":") {
					t.Errorf("verify does not name %s:\n%s", subject, out)
				}
			}
		})
	}
}
