package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/dbtest"
)

func TestMain(m *testing.M) {
	// The process tests run this binary as taahod itself (processes_test.go).
	if os.Getenv(runAsTaahod) == "1" {
		main()
	}
	// The tests set what they rely on: a developer's own key, province or
	// URL in the environment must not change what they see.
	for _, name := range []string{"TAAHOD_SIGNING_KEY", "TAAHOD_PUBLIC_URL", "TAAHOD_PROVINCE", "TAAHOD_PROVINCE_NAME", "TAAHOD_ISSUE_PLACE"} {
		os.Unsetenv(name)
	}
	auth.BcryptCost = 4
	dbtest.Main(m)
}

// runTaahod runs the command in-process and returns its exit status and output.
func runTaahod(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"bogus"}, {"serve", "--bogus"}, {"user"}, {"user", "remove"}, {"migrate", "extra"},
		{"verify-cert"}, {"verify-cert", "--bogus", "x.pdf"}, {"verify-cert", "a.pdf", "b.pdf"}} {
		code, _, stderr := runTaahod(t, "", args...)
		if code != 2 || !strings.Contains(stderr, "Usage:") {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
	if code, out, _ := runTaahod(t, "", "help"); code != 0 || !strings.Contains(out, "seed-demo") ||
		!strings.Contains(out, "taahod verify-cert [--signing-key PATH] FILE.pdf") {
		t.Errorf("help: exit %d", code)
	}
}

func TestCommands(t *testing.T) {
	db, url := dbtest.NewWithURL(t)
	t.Setenv("DATABASE_URL", url)

	if code, out, stderr := runTaahod(t, "", "migrate"); code != 0 || !strings.Contains(out, "up to date") {
		t.Fatalf("migrate on a migrated database: %d %q %q", code, out, stderr)
	}
	if code, out, stderr := runTaahod(t, "", "seed-demo"); code != 0 || !strings.Contains(out, "accountant-demo-1404") {
		t.Fatalf("seed-demo: %d %q %q", code, out, stderr)
	}
	var units int
	_ = db.Get(&units, `SELECT count(*) FROM units`)
	if code, out, _ := runTaahod(t, "", "seed-demo"); code != 0 || strings.Contains(out, "demo: loaded") {
		t.Fatalf("seed-demo twice loaded again: %q", out)
	}
	var again int
	_ = db.Get(&again, `SELECT count(*) FROM units`)
	if units == 0 || again != units {
		t.Fatalf("units after one and two seeds: %d, %d", units, again)
	}

	t.Run("user add", func(t *testing.T) {
		code, out, stderr := runTaahod(t, "a-long-enough-password\n", "user", "add", "--username", "Auditor2", "--role", "auditor")
		if code != 0 || !strings.Contains(out, "added user auditor2") {
			t.Fatalf("%d %q %q", code, out, stderr)
		}
		if code, _, stderr := runTaahod(t, "\n", "user", "add", "--username", "empty", "--role", "auditor"); code != 1 || !strings.Contains(stderr, "empty") {
			t.Fatalf("empty password: %d %q", code, stderr)
		}
		if code, _, stderr := runTaahod(t, "a-long-enough-password\n", "user", "add", "--username", "acc9", "--role", "accountant"); code != 1 || !strings.Contains(stderr, "unit") {
			t.Fatalf("accountant without a unit: %d %q", code, stderr)
		}
		if code, _, _ := runTaahod(t, "a-long-enough-password\n", "user", "add", "--username", "acc9", "--role", "accountant", "--unit", "1", "--unit", "2"); code != 0 {
			t.Fatalf("accountant with units: %d", code)
		}
		if code, _, stderr := runTaahod(t, "a-long-enough-password\n", "user", "add", "--username", "x1", "--role", "king"); code != 1 || !strings.Contains(stderr, "role") {
			t.Fatalf("unknown role: %d %q", code, stderr)
		}
		var hash string
		_ = db.Get(&hash, `SELECT password_hash FROM users WHERE username = 'auditor2'`)
		if !strings.HasPrefix(hash, "$2") || strings.Contains(hash, "a-long-enough-password") {
			t.Fatalf("password stored as %q", hash)
		}
	})

	t.Run("verify", func(t *testing.T) {
		if code, out, _ := runTaahod(t, "", "verify"); code != 0 || !strings.Contains(out, "all checks passed") {
			t.Fatalf("verify on good books: %d %q", code, out)
		}
		conn, err := db.Conn(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		for _, q := range []string{`SET session_replication_role = replica`,
			`UPDATE audit_log SET changes = '{}' WHERE seq = 2`, `SET session_replication_role = origin`} {
			if _, err := conn.ExecContext(context.Background(), q); err != nil {
				t.Fatal(err)
			}
		}
		code, out, _ := runTaahod(t, "", "verify")
		if code != 1 || !strings.Contains(out, "audit row 2") {
			t.Fatalf("verify after tampering: %d %q", code, out)
		}
	})
}

// TestServeEndToEnd starts `taahod serve` on :0 against a test database,
// signs in as a demo user, creates a unit, and stops it as SIGTERM would.
func TestServeEndToEnd(t *testing.T) {
	_, url := dbtest.NewWithURL(t)
	t.Setenv("DATABASE_URL", url)
	if code, _, stderr := runTaahod(t, "", "seed-demo"); code != 0 {
		t.Fatalf("seed-demo: %s", stderr)
	}
	base, cancel, done := startServe(t)
	defer cancel()

	post := func(path, token, body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(res.Body).Decode(&m)
		return res.StatusCode, m
	}
	status, login := post("/api/v1/auth/login", "", `{"username":"secretariat","password":"secretariat-demo-1404"}`)
	if status != 200 {
		t.Fatalf("login: %d %v", status, login)
	}
	status, unit := post("/api/v1/units", login["token"].(string), `{"name":"واحد آزمایشی","national_id":"10109876548","county":"قزوین"}`)
	if status != 201 || unit["name"] != "واحد آزمایشی" {
		t.Fatalf("create unit: %d %v", status, unit)
	}

	cancel() // what SIGTERM does through signal.NotifyContext
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exited %d after shutdown", code)
		}
	case <-time.After(40 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// startServe runs `taahod serve` on a free port of the loopback, in-process,
// and returns its base URL, the cancel that stops it as SIGTERM would, and
// the channel its exit status arrives on.
func startServe(t *testing.T) (string, context.CancelFunc, <-chan int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}, strings.NewReader(""), pw, io.Discard)
		pw.Close()
		done <- code
	}()
	lines := bufio.NewScanner(pr)
	base := ""
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "taahod: listening on "); ok {
			base = addr
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if base == "" {
		cancel()
		t.Fatal("serve did not say where it listens")
	}
	return base, cancel, done
}
