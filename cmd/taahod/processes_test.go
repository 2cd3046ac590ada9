package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
)

// Process tests: taahod as it runs in production, separate processes on one
// database. The test binary doubles as the taahod binary (TestMain calls
// main when runAsTaahod is set), so that no build is needed: the processes
// run the very code `go build` would make, without the minute a cold build
// of the whole binary can take on CI.

// runAsTaahod, set to 1 in a child's environment, makes the test binary run
// as taahod with its arguments.
const runAsTaahod = "TAAHOD_TEST_RUN_AS_TAAHOD"

// server is one `taahod serve` process.
type server struct {
	url string
	cmd *exec.Cmd
	log *bytes.Buffer
}

// startServer starts `taahod serve` on a free loopback port with the test's
// environment (DATABASE_URL, TAAHOD_SIGNING_KEY) and waits until it is ready.
func startServer(t *testing.T, name string) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	var log bytes.Buffer
	cmd := exec.Command(os.Args[0], "serve")
	cmd.Env = append(os.Environ(), runAsTaahod+"=1", "TAAHOD_ADDR="+addr, "TAAHOD_LOG_LEVEL=warn")
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{url: "http://" + addr, cmd: cmd, log: &log}
	t.Cleanup(func() {
		s.kill()
		if t.Failed() {
			t.Logf("server %s said:\n%s", name, log.String())
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := http.Get(s.url + "/readyz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server %s not ready after 30 s:\n%s", name, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the process at once, as kill -9 does.
func (s *server) kill() {
	if s.cmd.ProcessState == nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// answer is an HTTP response read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) field(name string) string {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(a.body))
	d.UseNumber()
	_ = d.Decode(&m)
	return fmt.Sprint(m[name])
}

// call sends a JSON request; headers are name, value pairs.
func call(t *testing.T, method, url, token string, body any, headers ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			t.Error(err)
			return answer{}
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Error(err)
		return answer{}
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{status: -1, body: []byte(err.Error())}
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{status: res.StatusCode, header: res.Header, body: b}
}

// signIn returns a token for a demo user, signing in through s.
func signIn(t *testing.T, s *server, username string) string {
	t.Helper()
	a := call(t, "POST", s.url+"/api/v1/auth/login", "", map[string]string{"username": username, "password": username + "-demo-1404"})
	if a.status != http.StatusOK {
		t.Fatalf("sign in %s: %d %s", username, a.status, a.body)
	}
	return a.field("token")
}

// together runs n calls at once, call i through servers[i%len], and returns
// the answers in order.
func together(n int, servers []*server, do func(i int, s *server) answer) []answer {
	out := make([]answer, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i] = do(i, servers[i%len(servers)])
		}()
	}
	close(start)
	wg.Wait()
	return out
}

// seededServers starts two servers on a copy of the seeded demo.
func seededServers(t *testing.T) (*database.DB, []*server) {
	t.Helper()
	db, _ := seededDatabase(t)
	return db, []*server{startServer(t, "A"), startServer(t, "B")}
}

// TestTwoServers runs two `taahod serve` on one database and sends them the
// same work at once: one Idempotency-Key writes once, certificate serials
// stay gapless, concurrent offset runs never pass the tax due, and the books
// verify.
func TestTwoServers(t *testing.T) {
	db, servers := seededServers(t)
	a := servers[0]
	sec, tax := signIn(t, a, "secretariat"), signIn(t, a, "tax")

	t.Run("one key, two servers", func(t *testing.T) {
		nationalID := taahod.MakeLegalEntityID("1040607080")
		body := map[string]string{"name": "واحد دو سرور", "national_id": nationalID, "county": "قزوین"}
		answers := together(16, servers, func(_ int, s *server) answer {
			return call(t, "POST", s.url+"/api/v1/units", sec, body, "Idempotency-Key", "two-servers-1")
		})
		var first *answer
		for i, r := range answers {
			switch {
			case r.status == 409:
			case first == nil:
				first = &answers[i]
			case r.status != first.status || !bytes.Equal(r.body, first.body):
				t.Fatalf("two answers for one key: %d %s and %d %s", first.status, first.body, r.status, r.body)
			}
		}
		if first == nil {
			t.Fatalf("no request was carried out: %v", answers)
		}
		var n int
		waitChained(t, db)
		if err := db.Get(&n, `SELECT count(*) FROM audit_log WHERE action = 'unit.create' AND changes::text LIKE '%' || $1 || '%'`, nationalID); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{true: 1, false: 0}[first.status == 201]; n != want {
			t.Fatalf("%d units written for one key (answer %d), want %d", n, first.status, want)
		}
		for _, s := range servers {
			if r := call(t, "POST", s.url+"/api/v1/units", sec, body, "Idempotency-Key", "two-servers-1"); r.status != first.status ||
				!bytes.Equal(r.body, first.body) || r.header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("replay: %d %s", r.status, r.body)
			}
		}
	})

	var unit0, unit3 int64
	if err := db.Get(&unit0, `SELECT id FROM units WHERE name = 'شرکت فولاد البرز قزوین'`); err != nil {
		t.Fatal(err)
	}
	if err := db.Get(&unit3, `SELECT id FROM units WHERE name = 'داروسازی بوئین‌زهرا'`); err != nil {
		t.Fatal(err)
	}

	t.Run("certificates gapless", func(t *testing.T) {
		const n = 6
		answers := together(n, servers, func(i int, s *server) answer {
			return call(t, "POST", s.url+"/api/v1/certificates", tax, map[string]any{
				"unit_id": unit0, "fiscal_year": 1404, "reason": fmt.Sprintf("بازنشر %d", i)})
		})
		for _, r := range answers {
			if r.status != 201 {
				t.Fatalf("issue: %d %s", r.status, r.body)
			}
		}
		var serials []string
		if err := db.Select(&serials, `SELECT serial FROM certificates WHERE fiscal_year = 1404 ORDER BY serial`); err != nil {
			t.Fatal(err)
		}
		for i, s := range serials {
			if want := fmt.Sprintf("QZV-1404-%06d", i+1); s != want {
				t.Fatalf("serials of 1404 are not gapless: %v", serials)
			}
		}
		if len(serials) < n {
			t.Fatalf("%d serials after %d issues", len(serials), n)
		}
	})

	t.Run("offset never over tax due", func(t *testing.T) {
		// The demo's pharmaceutical unit's 1404 is offset
		// up to its whole tax due (25 bn): runs race with assessments that
		// move the due, through both servers.
		path := fmt.Sprintf("/api/v1/units/%d/tax-years/1404", unit3)
		answers := together(10, servers, func(i int, s *server) answer {
			if i%5 == 4 { // the assessment changes meanwhile, through the other server too
				return call(t, "PUT", s.url+path, tax, map[string]any{"tax_due": fmt.Sprint(25000000000 + 1000*(i-5))})
			}
			return call(t, "POST", s.url+path+"/offset", tax, nil)
		})
		for _, r := range answers {
			if r.status != 200 && r.status != 409 {
				t.Fatalf("run or assess: %d %s", r.status, r.body)
			}
		}
		r := call(t, "POST", a.url+path+"/offset", tax, nil)
		if r.status != 200 && r.status != 409 {
			t.Fatalf("last run: %d %s", r.status, r.body)
		}
		st := call(t, "GET", servers[1].url+path, tax, nil)
		due, err1 := decimal.NewFromString(st.field("tax_due"))
		off, err2 := decimal.NewFromString(st.field("offset_amount"))
		if st.status != 200 || err1 != nil || err2 != nil {
			t.Fatalf("statement: %d %s", st.status, st.body)
		}
		if off.GreaterThan(due) || !off.IsPositive() {
			t.Fatalf("offset %s with tax due %s; last run %d %s; statement %s", off, due, r.status, r.body, st.body)
		}
	})

	if code, out, stderr := runTaahod(t, "", "verify"); code != 0 {
		t.Fatalf("verify after the two servers: %d %s %s", code, out, stderr)
	}
}

// TestKilledServerLeavesNoStuckKey kills a server (kill -9) while a request
// with an Idempotency-Key is inside its transaction. The retry, sent to the
// other server, must be carried out, once: the key died with the work.
func TestKilledServerLeavesNoStuckKey(t *testing.T) {
	db := newCommandDB(t)
	if code, _, stderr := runTaahod(t, "secretariat-demo-1404\n", "user", "add", "--username", "secretariat", "--role", "secretariat"); code != 0 {
		t.Fatalf("user add: %d %s", code, stderr)
	}
	a, b := startServer(t, "A"), startServer(t, "B")
	sec := signIn(t, b, "secretariat")
	nationalID := taahod.MakeLegalEntityID("1040607081")
	body := map[string]string{"name": "واحد پس از کشتن", "national_id": nationalID, "county": "قزوین"}

	// Hold the audit queue, so that the request waits inside its
	// transaction, just before its commit.
	hold, err := db.BeginTxx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Rollback() //nolint:errcheck
	if _, err := hold.Exec(`LOCK TABLE audit_queue IN SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	go call(t, "POST", a.url+"/api/v1/units", sec, body, "Idempotency-Key", "killed-1")
	deadline := time.Now().Add(10 * time.Second)
	for waiting := 0; waiting == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the request never waited on the audit queue")
		}
		if err := db.Get(&waiting, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%INSERT INTO audit_queue%'`); err != nil {
			t.Fatal(err)
		}
	}
	a.kill()
	_ = hold.Rollback()

	// The dead server's transaction ends when its backend notices; until
	// then the key is honestly in use.
	var r answer
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		r = call(t, "POST", b.url+"/api/v1/units", sec, body, "Idempotency-Key", "killed-1")
		if r.status != 409 || time.Now().After(deadline) {
			break
		}
	}
	if r.status != 201 && r.status != 422 {
		t.Fatalf("retry after the kill: %d %s", r.status, r.body)
	}
	var n int
	waitChained(t, db)
	if err := db.Get(&n, `SELECT count(*) FROM audit_log WHERE action = 'unit.create' AND changes::text LIKE '%' || $1 || '%'`, nationalID); err != nil {
		t.Fatal(err)
	}
	if want := map[bool]int{true: 1, false: 0}[r.status == 201]; n != want {
		t.Fatalf("%d units written (answer %d), want %d", n, r.status, want)
	}
	if again := call(t, "POST", b.url+"/api/v1/units", sec, body, "Idempotency-Key", "killed-1"); again.status != r.status ||
		again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %s", again.status, again.body)
	}
}

// newCommandDB gives the test its own database and points DATABASE_URL (of
// this process and of the servers it starts) at it.
// waitChained waits until the servers' sequencer has chained every audit
// entry committed so far.
func waitChained(t *testing.T, db *database.DB) {
	t.Helper()
	if err := database.WaitChained(context.Background(), db); err != nil {
		t.Fatal(err)
	}
}

func newCommandDB(t *testing.T) *database.DB {
	t.Helper()
	db, url := dbtest.NewWithURL(t)
	t.Setenv("DATABASE_URL", url)
	return db
}
