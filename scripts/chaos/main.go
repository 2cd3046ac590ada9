// Command chaos is the fault suite (`make chaos`): it builds taahod, starts
// a PostgreSQL cluster of its own in a temporary folder, and drives the real
// binary over loopback HTTP as clients would, through faults: kill -9 of the
// server under load, PostgreSQL restarted under load, concurrent offset
// runs, certificate issues and one Idempotency-Key sent many times at once,
// the role × route matrix of api/openapi.yaml, and a sweep of bad input over
// every operation. Each scenario runs on a fresh database, prints one line
// of figures, and ends with `taahod verify`; the suite exits 1 when any
// figure is not what it must be.
//
//	go run ./scripts/chaos [-binary bin/taahod] [-only matrix,badinput] [-stuck-wait 60s] [-pg-stuck-wait 45s] [-keep]
//
// It is a main program rather than a test so that its figures print as they
// come, one line each, without the test runner's buffering and framing, and
// so that it owns its cluster and the server processes from start to end.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// suite is what every scenario shares.
type suite struct {
	binary    string
	dir       string
	cluster   *cluster
	key       string
	stuckWait time.Duration
	// pgStuckWait is stuckWait for the PostgreSQL restart scenario.
	pgStuckWait time.Duration
	failures    []string
	passwords   map[string]string // the demo users', from seed-demo

}

// scenario is one fault and its check.
type scenario struct {
	name string
	run  func(ctx context.Context, s *suite) error
}

var scenarios = []scenario{
	{"matrix", runMatrix},
	{"badinput", runBadInput},
	{"concurrency", runConcurrency},
	{"kill9", runKill9},
	{"pgrestart", runPGRestart},
}

func main() {
	var (
		binary    = flag.String("binary", "", "taahod binary to test (default: build ./cmd/taahod into a temporary folder)")
		only      = flag.String("only", "", "comma-separated scenarios to run (default all: matrix,badinput,concurrency,kill9,pgrestart)")
		stuckWait = flag.Duration("stuck-wait", time.Minute, "how long kill9 lets a retried Idempotency-Key stay in use before counting it stuck")
		pgStuck   = flag.Duration("pg-stuck-wait", 45*time.Second, "the same for pgrestart")
		keep      = flag.Bool("keep", false, "keep the temporary folder (cluster, server logs)")
		timeout   = flag.Duration("timeout", 6*time.Minute, "the whole suite's limit")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	start := time.Now()
	s := &suite{stuckWait: *stuckWait, pgStuckWait: *pgStuck}
	code := s.main(ctx, *binary, *only, *keep)
	fmt.Printf("chaos: %s in %s\n", map[int]string{0: "PASS", 1: "FAIL"}[code], time.Since(start).Round(time.Second))
	os.Exit(code)
}

func (s *suite) main(ctx context.Context, binary, only string, keep bool) int {
	var err error
	if s.dir, err = os.MkdirTemp("", "taahod-chaos-"); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 1
	}
	if err := os.Chmod(s.dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 1
	}
	defer func() {
		if keep {
			fmt.Println("chaos: kept", s.dir)
		} else if len(s.failures) > 0 {
			fmt.Println("chaos: server logs kept in", s.dir)
		} else {
			_ = os.RemoveAll(s.dir)
		}
	}()
	if binary == "" {
		s.binary = filepath.Join(s.dir, "taahod")
		build := exec.CommandContext(ctx, "go", "build", "-o", s.binary, "./cmd/taahod")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "chaos: build:", err)
			return 1
		}
	} else if s.binary, err = filepath.Abs(binary); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 1
	}
	if s.key, err = writeSigningKey(s.dir); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 1
	}
	pgDir := filepath.Join(s.dir, "pg")
	if err := os.Mkdir(pgDir, 0o700); err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		return 1
	}
	if s.cluster, err = newCluster(ctx, pgDir); err != nil {
		fmt.Fprintln(os.Stderr, "chaos: cluster:", err)
		return 1
	}
	defer s.cluster.stop()
	fmt.Printf("chaos: PostgreSQL of its own on 127.0.0.1:%d (%s)\n", s.cluster.port, s.cluster.bin)
	want := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	for _, sc := range scenarios {
		if len(want) > 0 && !want[sc.name] {
			continue
		}
		if ctx.Err() != nil {
			s.fail(sc.name, "not run: %v", ctx.Err())
			continue
		}
		t0 := time.Now()
		if err := sc.run(ctx, s); err != nil {
			s.fail(sc.name, "%v", err)
		}
		fmt.Printf("chaos: %s took %s\n", sc.name, time.Since(t0).Round(100*time.Millisecond))
	}
	if len(s.failures) > 0 {
		fmt.Println("chaos: failures:")
		for _, f := range s.failures {
			fmt.Println("  -", f)
		}
		return 1
	}
	return 0
}

// fail records a failure of a scenario.
func (s *suite) fail(name, format string, args ...any) {
	s.failures = append(s.failures, name+": "+fmt.Sprintf(format, args...))
}

// check records a failure when ok is false.
func (s *suite) check(ok bool, name, format string, args ...any) {
	if !ok {
		s.fail(name, format, args...)
	}
}
