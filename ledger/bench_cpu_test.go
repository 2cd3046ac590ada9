package ledger_test

import (
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/taahod/taahod/internal/database"
)

// cpuMeter adds up the CPU time a benchmark's timed parts take, in this
// process and in the database's server processes: on a machine shared with
// other work, wall time says as much about the others as about the code,
// and CPU time much less. The server's share is read from
// /proc/PID/schedstat of the database's backends, so only for a database
// on this machine that this user may look into (scripts/dev-db's, run as
// its owner or root); otherwise it reports this process's alone. Only
// client backends count: autovacuum, busy after a benchmark's bulk set-up,
// is not the code's doing.
type cpuMeter struct {
	db          *database.DB
	start       cpuReading
	self, srv   time.Duration
	serverKnown bool
}

type cpuReading struct {
	self    time.Duration
	servers map[int]time.Duration // backend pid → CPU time so far
	known   bool
}

func newCPUMeter(db *database.DB) *cpuMeter { return &cpuMeter{db: db, serverKnown: true} }

func (m *cpuMeter) read() cpuReading {
	var r cpuReading
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err == nil {
		r.self = time.Duration(u.Utime.Nano() + u.Stime.Nano())
	}
	var pids []int
	if err := m.db.Select(&pids, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'`); err != nil {
		return r
	}
	r.servers, r.known = map[int]time.Duration{}, true
	for _, pid := range pids {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", pid))
		if err != nil {
			r.known = false
			continue
		}
		var ns int64
		if _, err := fmt.Sscan(string(b), &ns); err == nil {
			r.servers[pid] = time.Duration(ns)
		}
	}
	return r
}

// Start begins a timed part.
func (m *cpuMeter) Start() { m.start = m.read() }

// Stop ends it and adds what it took. A backend that appeared during the
// part counts from zero.
func (m *cpuMeter) Stop() {
	end := m.read()
	m.self += end.self - m.start.self
	m.serverKnown = m.serverKnown && m.start.known && end.known
	for pid, ns := range end.servers {
		m.srv += ns - m.start.servers[pid]
	}
}

// Report adds the CPU time per operation to b's results.
func (m *cpuMeter) Report(b *testing.B) {
	b.ReportMetric(float64(m.self.Microseconds())/1000/float64(b.N), "go-cpu-ms/op")
	if m.serverKnown {
		b.ReportMetric(float64(m.srv.Microseconds())/1000/float64(b.N), "db-cpu-ms/op")
	}
}
