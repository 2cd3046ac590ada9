// Command benchsubmit measures expenditure submission over HTTP against the
// fixed anchor workload (scripts/bench-anchor, a verbatim copy of the
// project's shared bench/: pgbench, one transaction of three inserts — the
// expenditure, its audit row, an idempotency row — over 1,000 accounts, no
// shared row), on the same cluster, interleaved.
//
// It creates two scratch databases: the anchor's (its schema.sql) and the
// service's (migrated; 20 units with a pledge each and one accountant
// serving them all), builds and starts `taahod serve` on loopback, and signs
// in. Then, in interleaved rounds, it runs pgbench with the anchor's
// submit.sql and an HTTP load of authenticated submissions, each with its
// own Idempotency-Key and invoice number, spread over the 20 pledges, on
// the same number of connections. It prints both rates, p50 and p99, and
// their ratios, checks the books with `taahod verify`, and drops the
// databases. It never measures the service against a statement of its own:
// that would hide what the design costs.
//
// The defaults follow the anchor's README: a service round then a pgbench
// round, three times, of 15 s each (pgbench -T 15).
//
//	go run ./scripts/benchsubmit [-conns 16] [-duration 45s] [-rounds 3]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/migrations"
	"github.com/taahod/taahod/registry"
)

func main() {
	var (
		conns    = flag.Int("conns", 16, "connections, for HTTP and for pgbench alike")
		duration = flag.Duration("duration", 45*time.Second, "measured time of each side, split over the rounds")
		rounds   = flag.Int("rounds", 3, "interleaved rounds: HTTP then pgbench, each for duration/rounds")
		warmup   = flag.Duration("warmup", 3*time.Second, "unmeasured warm-up of each side")
		adminURL = flag.String("database-url", os.Getenv("DATABASE_URL"), "PostgreSQL URL of the cluster (a superuser; default $DATABASE_URL)")
		keep     = flag.Bool("keep", false, "keep the scratch database and the pgbench script")
		procs    = flag.Int("server-gomaxprocs", 0, "GOMAXPROCS of the service (0: Go's default, the number of cores)")
		profile  = flag.String("cpuprofile", "", "write a CPU profile of the whole run of the service to this file (go tool pprof FILE)")
		trial    = flag.String("trial-sql", "", "run this SQL file on the service's database after the migrations (a cost trial: drop an index, a key)")
	)
	flag.Parse()
	if *adminURL == "" {
		fail(errors.New("set DATABASE_URL (or -database-url) to the cluster to measure"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b := &bench{conns: *conns, adminURL: *adminURL, keep: *keep, procs: *procs, trialSQL: *trial}
	if *profile != "" {
		abs, err := filepath.Abs(*profile)
		if err != nil {
			fail(err)
		}
		b.profile = abs
	}
	err := b.run(ctx, *duration, *rounds, *warmup)
	b.cleanup()
	if err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "benchsubmit:", err)
	os.Exit(1)
}

type bench struct {
	conns    int
	adminURL string
	keep     bool
	procs    int
	profile  string // the service's CPU profile, if asked for
	trialSQL string // a cost trial's SQL file, if any
	// postmaster is the cluster's postmaster pid, 0 when unknown.
	postmaster int

	dbName, dbURL, dir string
	// anchorDB is the database of the anchor workload.
	anchorDB    string
	server      *exec.Cmd
	addr, token string
	pledges     []int64
	script      string
}

func (b *bench) run(ctx context.Context, duration time.Duration, rounds int, warmup time.Duration) error {
	var err error
	if b.dir, err = os.MkdirTemp("", "taahod-bench-"); err != nil {
		return err
	}
	if err := b.setup(ctx); err != nil {
		return fmt.Errorf("set up: %w", err)
	}
	if err := b.startServer(ctx); err != nil {
		return fmt.Errorf("start the server: %w", err)
	}
	if err := b.login(); err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	if err := b.setupAnchor(ctx); err != nil {
		return fmt.Errorf("the anchor workload: %w", err)
	}
	fmt.Printf("benchsubmit: %d connections, %s per side in %d interleaved rounds, on %s\n", b.conns, duration, rounds, b.dbName)
	if warmup > 0 {
		if _, err := b.pgbench(ctx, warmup); err != nil {
			return err
		}
		if _, err := b.httpLoad(ctx, warmup); err != nil {
			return err
		}
	}
	var pg, web result
	slice := duration / time.Duration(rounds)
	// Service round, then pgbench round, as the anchor's README orders them.
	for i := range rounds {
		seq := b.sequencerPid(ctx)
		serverBefore, selfBefore, dbBefore, seqBefore := cpuTime(b.server.Process.Pid), cpuTime(os.Getpid()), b.databaseCPU(), cpuTime(seq)
		h, err := b.httpLoad(ctx, slice)
		if err != nil {
			return err
		}
		serverCPU, selfCPU, dbCPU, seqCPU := cpuTime(b.server.Process.Pid)-serverBefore, cpuTime(os.Getpid())-selfBefore, b.databaseCPU()-dbBefore, cpuTime(seq)-seqBefore
		fmt.Printf("  round %d http:    %s  (CPU per request: service %d µs, load generator %d µs, database %d µs, of which the audit sequencer %d µs; load %s)\n", i+1, h,
			perRequest(serverCPU, h), perRequest(selfCPU, h), perRequest(dbCPU, h), perRequest(seqCPU, h), loadAverage())
		web.add(h)
		dbBefore = b.databaseCPU()
		r, err := b.pgbench(ctx, slice)
		if err != nil {
			return err
		}
		fmt.Printf("  round %d pgbench: %s  (CPU per transaction: database %d µs)\n", i+1, r, perRequest(b.databaseCPU()-dbBefore, r))
		pg.add(r)
	}
	fmt.Println()
	fmt.Printf("pgbench (the anchor):  %s\n", pg)
	fmt.Printf("HTTP submissions:      %s\n", web)
	rate := web.rate() / pg.rate()
	p99 := float64(web.pct(99)) / float64(pg.pct(99))
	fmt.Printf("ratio: rate %.2f× pgbench (goal ≥ 0.75, floor 0.5); p99 %.2f× pgbench's (goal ≤ 2)\n", rate, p99)
	verdict := "met"
	if rate < 0.75 || p99 > 2 {
		verdict = "NOT met"
	}
	fmt.Printf("goals %s\n", verdict)
	if web.errors > 0 {
		return fmt.Errorf("%d HTTP submissions failed", web.errors)
	}
	if err := b.auditLag(ctx); err != nil {
		return fmt.Errorf("audit lag: %w", err)
	}
	out, err := exec.CommandContext(ctx, b.binary(), "verify", "--database-url", b.dbURL).CombinedOutput()
	fmt.Printf("\ntaahod verify after the run:\n%s", out)
	return err
}

// auditLag prints how long the submissions' audit entries waited to be
// chained by the server's sequencer: from the submission's time (taken as
// the request began, so it includes the statement and its commit) to the
// step that chained it.
func (b *bench) auditLag(ctx context.Context) error {
	db, err := database.Open(ctx, b.dbURL, 1)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := database.WaitChained(ctx, db); err != nil {
		return err
	}
	var lag struct {
		N   int64   `db:"n"`
		P50 float64 `db:"p50"`
		P99 float64 `db:"p99"`
		Max float64 `db:"max"`
	}
	if err := db.GetContext(ctx, &lag, `
		SELECT count(*) AS n,
		       coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY d), 0) AS p50,
		       coalesce(percentile_cont(0.99) WITHIN GROUP (ORDER BY d), 0) AS p99,
		       coalesce(max(d), 0) AS max
		  FROM (SELECT extract(epoch FROM chained_at - at) * 1000 AS d
		          FROM audit_log WHERE action = 'expenditure.submit') l`); err != nil {
		return err
	}
	fmt.Printf("audit lag, submission to chained (%d entries): p50 %.1f ms  p99 %.1f ms  max %.1f ms (goal p99 ≤ 1000 ms)\n",
		lag.N, lag.P50, lag.P99, lag.Max)
	return nil
}

// setup creates the scratch database and the records the load needs.
func (b *bench) setup(ctx context.Context) error {
	admin, err := sqlx.Open("postgres", b.adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	b.dbName = fmt.Sprintf("taahod_bench_%d", os.Getpid())
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+b.dbName); err != nil {
		return err
	}
	u, err := url.Parse(b.adminURL)
	if err != nil {
		return err
	}
	u.Path = "/" + b.dbName
	b.dbURL = u.String()
	db, err := database.Open(ctx, b.dbURL, 4)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := migrations.Up(ctx, db.DB.DB); err != nil {
		return err
	}
	b.findPostmaster(ctx, db)
	if b.trialSQL != "" {
		trial, err := os.ReadFile(b.trialSQL)
		if err != nil {
			return err
		}
		if _, err := db.ExecContext(ctx, string(trial)); err != nil {
			return fmt.Errorf("%s: %w", b.trialSQL, err)
		}
		fmt.Printf("benchsubmit: cost trial %s applied\n", b.trialSQL)
	}
	// Submissions spread over 20 pledges of 20 units, as the anchor spreads
	// its rows over accounts: no shared row but what the service itself
	// shares.
	const units = 20
	var unitIDs []int64
	for i := range units {
		unit, err := registry.NewStore(db).CreateUnit(ctx, taahod.System, registry.NewUnit{
			Name: fmt.Sprintf("واحد آزمون بار %d", i+1), NationalID: taahod.MakeLegalEntityID(fmt.Sprintf("10198765%02d", i)), County: "قزوین"})
		if err != nil {
			return err
		}
		unitIDs = append(unitIDs, unit.ID)
	}
	if _, err := auth.NewStore(db).CreateUser(ctx, taahod.System, auth.NewUser{
		Username: "bench", Password: "bench-password-1404", Role: taahod.RoleAccountant, UnitIDs: unitIDs}); err != nil {
		return err
	}
	store := ledger.NewStore(db)
	school, err := store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: "دبستان آزمون", Kind: ledger.KindSchool, County: "قزوین"})
	if err != nil {
		return err
	}
	on := "2025-04-01"
	for _, unit := range unitIDs {
		p, err := store.CreatePledge(ctx, taahod.System, ledger.NewPledge{UnitID: unit, SchoolID: school.ID,
			Amount: json.RawMessage(`"999999999999999"`), PledgedOn: &on})
		if err != nil {
			return err
		}
		b.pledges = append(b.pledges, p.ID)
	}
	return nil
}

// anchorDir holds the fixed anchor workload, relative to the repository.
const anchorDir = "scripts/bench-anchor"

// setupAnchor creates the anchor's database with its schema.sql and points
// pgbench at its submit.sql.
func (b *bench) setupAnchor(ctx context.Context) error {
	schema, err := os.ReadFile(filepath.Join(anchorDir, "schema.sql"))
	if err != nil {
		return err
	}
	if b.script, err = filepath.Abs(filepath.Join(anchorDir, "submit.sql")); err != nil {
		return err
	}
	admin, err := sqlx.Open("postgres", b.adminURL)
	if err != nil {
		return err
	}
	defer admin.Close()
	b.anchorDB = b.dbName + "_anchor"
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+b.anchorDB); err != nil {
		return err
	}
	u, err := url.Parse(b.adminURL)
	if err != nil {
		return err
	}
	u.Path = "/" + b.anchorDB
	db, err := sqlx.Open("postgres", u.String())
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, string(schema))
	return err
}

func (b *bench) binary() string { return filepath.Join(b.dir, "taahod") }

func (b *bench) startServer(ctx context.Context) error {
	build := exec.CommandContext(ctx, "go", "build", "-o", b.binary(), "./cmd/taahod")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return err
	}
	b.server = exec.Command(b.binary(), "serve", "--addr", "127.0.0.1:0", "--database-url", b.dbURL)
	b.server.Env = append(os.Environ(), "TAAHOD_DB_MAX_CONNS="+strconv.Itoa(b.conns))
	if b.procs > 0 {
		b.server.Env = append(b.server.Env, "GOMAXPROCS="+strconv.Itoa(b.procs))
	}
	if b.profile != "" {
		b.server.Env = append(b.server.Env, "TAAHOD_CPU_PROFILE="+b.profile)
	}
	logs, err := os.Create(filepath.Join(b.dir, "server.log"))
	if err != nil {
		return err
	}
	b.server.Stderr = logs
	out, err := b.server.StdoutPipe()
	if err != nil {
		return err
	}
	if err := b.server.Start(); err != nil {
		return err
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if addr, ok := strings.CutPrefix(lines.Text(), "taahod: listening on http://"); ok {
			b.addr = addr
			go func() { _, _ = io.Copy(io.Discard, out) }()
			return nil
		}
	}
	return errors.New("the server did not say where it listens; see " + logs.Name())
}

func (b *bench) login() error {
	res, err := roundTrip(b.addr, "POST", "/api/v1/auth/login", "", []byte(`{"username":"bench","password":"bench-password-1404"}`))
	if err != nil {
		return err
	}
	var m struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(res.body, &m); err != nil || m.Token == "" {
		return fmt.Errorf("login answered %d %s", res.status, res.body)
	}
	b.token = m.Token
	return nil
}

// The body of one submission; the invoice number is what changes.
const submitBody = `{"pledge_id":%d,"amount":"1500000.50","spent_on":"2025-10-01","invoice_no":"H-%d-%d",` +
	`"vendor_name":"مصالح ساختمانی البرز","vendor_national_id":"%s","category":"construction",` +
	`"description":"میلگرد و سیمان"}`

// vendorID is the vendor's national id in every submission.
var vendorID = taahod.MakeLegalEntityID("1086234567")

// pgbench runs the anchor's script for d, as its README runs it (simple
// query mode: the script quotes a variable), and reads its per-transaction
// log.
func (b *bench) pgbench(ctx context.Context, d time.Duration) (result, error) {
	logDir, err := os.MkdirTemp(b.dir, "pglog-")
	if err != nil {
		return result{}, err
	}
	defer os.RemoveAll(logDir)
	u, _ := url.Parse(b.dbURL)
	args := []string{"-n", "-c", strconv.Itoa(b.conns), "-j", "2",
		"-T", strconv.Itoa(int(d.Seconds())), "-f", b.script, "-l", "--log-prefix", filepath.Join(logDir, "tx"),
		"-h", u.Hostname(), "-p", u.Port(), "-U", u.User.Username(), b.anchorDB}
	if b.keep {
		var sh strings.Builder
		sh.WriteString("pgbench")
		for _, a := range args {
			sh.WriteString(" '" + strings.ReplaceAll(a, "'", `'\''`) + "'")
		}
		_ = os.WriteFile(filepath.Join(b.dir, "pgbench.sh"), []byte(sh.String()+"\n"), 0o600)
	}
	cmd := exec.CommandContext(ctx, "pgbench", args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("pgbench: %w\n%s", err, out.String())
	}
	elapsed := time.Since(start)
	if strings.Contains(out.String(), "aborted") && !strings.Contains(out.String(), "number of failed transactions: 0") {
		if m := regexp.MustCompile(`number of failed transactions: ([0-9]+)`).FindStringSubmatch(out.String()); m == nil || m[1] != "0" {
			return result{}, fmt.Errorf("pgbench clients failed:\n%s", out.String())
		}
	}
	var r result
	files, _ := filepath.Glob(filepath.Join(logDir, "tx.*"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return result{}, err
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			fields := strings.Fields(line)
			if len(fields) < 3 {
				continue
			}
			us, err := strconv.ParseInt(fields[2], 10, 64)
			if err != nil {
				continue
			}
			r.latencies = append(r.latencies, time.Duration(us)*time.Microsecond)
		}
	}
	// pgbench's own rate excludes connection set-up; read it when given.
	if m := regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`).FindStringSubmatch(out.String()); m != nil {
		tps, _ := strconv.ParseFloat(m[1], 64)
		r.elapsed = time.Duration(float64(len(r.latencies)) / tps * float64(time.Second))
	} else {
		r.elapsed = elapsed
	}
	return r, nil
}

// httpLoad submits expenditures for d on b.conns keep-alive connections,
// each request on its connection's own pledge with a new invoice number.
func (b *bench) httpLoad(ctx context.Context, d time.Duration) (result, error) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		all  result
		stop = time.Now().Add(d)
	)
	runID := time.Now().UnixNano()
	start := time.Now()
	for c := range b.conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl, err := dial(b.addr)
			if err != nil {
				mu.Lock()
				all.errors++
				mu.Unlock()
				return
			}
			defer cl.close()
			var lat []time.Duration
			errs := 0
			// The body's text around the invoice number, built once.
			head, tail, _ := strings.Cut(fmt.Sprintf(submitBody, b.pledges[c%len(b.pledges)], runID+int64(c), -1, vendorID), "-1\"")
			var body, key []byte
			for seq := 0; time.Now().Before(stop) && ctx.Err() == nil; seq++ {
				body = append(append(strconv.AppendInt(append(body[:0], head...), int64(seq), 10), '"'), tail...)
				t0 := time.Now()
				key = append(strconv.AppendInt(append(key[:0], "bench-"...), runID+int64(c), 10), '-')
				key = strconv.AppendInt(key, int64(seq), 10)
				res, err := cl.do("POST", "/api/v1/expenditures", b.token, body, key)
				if err != nil || res.status != 201 {
					errs++
					if errs == 1 {
						fmt.Fprintf(os.Stderr, "benchsubmit: submission failed: %v %d %s\n", err, res.status, res.body)
					}
					if err != nil {
						return
					}
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all.latencies = append(all.latencies, lat...)
			all.errors += errs
			mu.Unlock()
		}()
	}
	wg.Wait()
	all.elapsed = time.Since(start)
	return all, ctx.Err()
}

func (b *bench) cleanup() {
	if b.server != nil && b.server.Process != nil {
		_ = b.server.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = b.server.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = b.server.Process.Kill()
		}
	}
	if b.keep {
		fmt.Printf("kept databases %s, %s and %s\n", b.dbName, b.anchorDB, b.dir)
		return
	}
	if b.dbName != "" {
		if admin, err := sqlx.Open("postgres", b.adminURL); err == nil {
			_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + b.dbName + ` WITH (FORCE)`)
			if b.anchorDB != "" {
				_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + b.anchorDB + ` WITH (FORCE)`)
			}
			admin.Close()
		}
	}
	if b.dir != "" {
		_ = os.RemoveAll(b.dir)
	}
}

// cpuTime is the user and system CPU time a process has used so far, from
// /proc (0 where there is none).
func cpuTime(pid int) time.Duration {
	fields := procStat(pid)
	if len(fields) < 13 {
		return 0
	}
	return ticks(fields[11]) + ticks(fields[12])
}

// procStat is the fields of /proc/PID/stat after the command name (which is
// in parentheses): the state is fields[0], the parent fields[1].
func procStat(pid int) []string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	return strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
}

func ticks(field string) time.Duration {
	n, _ := strconv.ParseInt(field, 10, 64)
	const hz = 100 // USER_HZ
	return time.Duration(n) * time.Second / hz
}

// databaseCPU is the CPU time the cluster's processes have used so far: the
// postmaster's live children and those it has reaped (its cutime and
// cstime), so that the backends of pgbench's connections, which end with its
// round, count too. It is 0 when the cluster is not on this machine or not
// readable; the per-request figure is then 0.
func (b *bench) databaseCPU() time.Duration {
	if b.postmaster == 0 {
		return 0
	}
	fields := procStat(b.postmaster)
	if len(fields) < 15 {
		return 0
	}
	total := ticks(fields[13]) + ticks(fields[14])
	entries, _ := os.ReadDir("/proc")
	parent := strconv.Itoa(b.postmaster)
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if f := procStat(pid); len(f) >= 13 && f[1] == parent {
			total += ticks(f[11]) + ticks(f[12])
		}
	}
	return total
}

// sequencerPid is the pid of the backend of the bench database that holds
// the audit sequencer's advisory lock (internal/database, sequencerLock
// "TAAHODSQ"), 0 when none does: its CPU is the chaining's cost.
func (b *bench) sequencerPid(ctx context.Context) int {
	db, err := sqlx.Open("postgres", b.dbURL)
	if err != nil {
		return 0
	}
	defer db.Close()
	pids, err := database.SequencerHolders(ctx, db)
	if err != nil || len(pids) == 0 {
		return 0
	}
	return pids[0]
}

// loadAverage is the machine's load average over the last minute, as
// /proc/loadavg gives it ("?" where there is none): the machine is shared.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	if f := strings.Fields(string(data)); len(f) > 0 {
		return f[0]
	}
	return "?"
}

// findPostmaster reads the cluster's postmaster pid from postmaster.pid in
// its data directory, when that is on this machine and readable.
func (b *bench) findPostmaster(ctx context.Context, db *database.DB) {
	var dir string
	if err := db.GetContext(ctx, &dir, `SELECT setting FROM pg_settings WHERE name = 'data_directory'`); err != nil {
		return
	}
	data, err := os.ReadFile(filepath.Join(dir, "postmaster.pid"))
	if err != nil {
		return
	}
	first, _, _ := strings.Cut(string(data), "\n")
	b.postmaster, _ = strconv.Atoi(strings.TrimSpace(first))
}

func perRequest(cpu time.Duration, r result) int64 {
	return cpu.Microseconds() / int64(max(len(r.latencies), 1))
}

// result is the latencies of the requests of a run and how long it took.
type result struct {
	latencies []time.Duration
	elapsed   time.Duration
	errors    int
}

func (r *result) add(o result) {
	r.latencies = append(r.latencies, o.latencies...)
	r.elapsed += o.elapsed
	r.errors += o.errors
}

func (r result) rate() float64 { return float64(len(r.latencies)) / r.elapsed.Seconds() }

func (r result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	s := slices.Clone(r.latencies)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

func (r result) String() string {
	return fmt.Sprintf("%7.0f tx/s  p50 %6.2f ms  p99 %6.2f ms  (%d tx in %.1fs)", r.rate(),
		float64(r.pct(50).Microseconds())/1000, float64(r.pct(99).Microseconds())/1000, len(r.latencies), r.elapsed.Seconds())
}

// client is a bare HTTP/1.1 client on one keep-alive connection: the load
// generator shares the machine's two cores with the service and the
// database, so it does as little as it can.
type client struct {
	conn    net.Conn
	r       *bufio.Reader
	buf     bytes.Buffer
	body    []byte // the last answer's body, reused
	scratch [20]byte
}

type response struct {
	status int
	body   []byte
}

func dial(addr string) (*client, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &client{conn: conn, r: bufio.NewReaderSize(conn, 16<<10)}, nil
}

func (c *client) close() { c.conn.Close() }

func roundTrip(addr, method, path, token string, body []byte) (response, error) {
	c, err := dial(addr)
	if err != nil {
		return response{}, err
	}
	defer c.close()
	return c.do(method, path, token, body, nil)
}

// do sends one request on the connection; key, when given, is its
// Idempotency-Key.
func (c *client) do(method, path, token string, body, key []byte) (response, error) {
	c.buf.Reset()
	c.buf.WriteString(method)
	c.buf.WriteByte(' ')
	c.buf.WriteString(path)
	c.buf.WriteString(" HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: ")
	c.buf.Write(strconv.AppendInt(c.scratch[:0], int64(len(body)), 10))
	if token != "" {
		c.buf.WriteString("\r\nAuthorization: Bearer ")
		c.buf.WriteString(token)
	}
	if key != nil {
		c.buf.WriteString("\r\nIdempotency-Key: ")
		c.buf.Write(key)
	}
	c.buf.WriteString("\r\n\r\n")
	c.buf.Write(body)
	if _, err := c.conn.Write(c.buf.Bytes()); err != nil {
		return response{}, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return response{}, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return response{}, fmt.Errorf("bad status line %q", line)
	}
	status, _ := strconv.Atoi(string(line[9:12]))
	length := -1
	for {
		h, err := c.r.ReadSlice('\n')
		if err != nil {
			return response{}, err
		}
		if len(h) <= 2 {
			break
		}
		if k, v, ok := bytes.Cut(h, []byte(":")); ok && bytes.EqualFold(k, []byte("Content-Length")) {
			length, _ = strconv.Atoi(string(bytes.TrimSpace(v)))
		}
	}
	if length < 0 {
		return response{}, errors.New("response without Content-Length")
	}
	if cap(c.body) < length {
		c.body = make([]byte, length)
	}
	out := c.body[:length]
	if _, err := io.ReadFull(c.r, out); err != nil {
		return response{}, err
	}
	return response{status: status, body: out}, nil
}
