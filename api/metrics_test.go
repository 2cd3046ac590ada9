package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// scrape reads GET /metrics into sample lines ("name{labels}" → value).
func (e *env) scrape(t *testing.T) map[string]float64 {
	t.Helper()
	r := e.do("GET", "/metrics", "", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %q", r.status, r.header.Get("Content-Type"))
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(r.body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

func TestMetrics(t *testing.T) {
	w := newWorld(t)
	if r := w.do("GET", "/metrics", "", nil); r.status != 404 {
		t.Fatalf("GET /metrics without TAAHOD_METRICS: %d, want 404", r.status)
	}
	e := newEnvWithConfig(t, func(c *Config) { c.MetricsOnMain = true })
	e.db.Now = w.db.Now
	// The world's records live in w's database; e's server counts the same
	// package-level counters, and its pool is its own.
	before := e.scrape(t)
	for _, name := range []string{
		`go_goroutines`, `go_sql_open_connections{db_name="taahod"}`, `go_sql_wait_count_total{db_name="taahod"}`,
		`taahod_idempotency_replays_total`, `taahod_certificates_issued_total`,
		`taahod_sign_ins_total{outcome="failure"}`, `taahod_sign_ins_total{outcome="refused"}`, `taahod_sign_ins_total{outcome="success"}`,
		`taahod_offset_runs_total{outcome="posted"}`, `taahod_offset_runs_total{outcome="unchanged"}`,
	} {
		if _, ok := before[name]; !ok {
			t.Errorf("GET /metrics has no %s", name)
		}
	}

	// Movement: a refused sign-in, a list, a replay, an offset run, a
	// certificate.
	w.mustCreateUser("metric-user", taahod.RoleAdmin)
	if r := w.do("POST", "/api/v1/auth/login", "", map[string]string{"username": "metric-user", "password": "wrong password here"}); r.status != 401 {
		t.Fatalf("wrong password: %d", r.status)
	}
	w.login("metric-user")
	for range 3 {
		w.do("GET", "/api/v1/units?limit=5", w.admin, nil)
	}
	body := map[string]any{"name": "دبستان شاخص", "kind": "school", "county": "قزوین"}
	w.do("POST", "/api/v1/schools", w.edu, body, "Idempotency-Key", "metrics-replay-1")
	if r := w.do("POST", "/api/v1/schools", w.edu, body, "Idempotency-Key", "metrics-replay-1"); r.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("no replay: %d", r.status)
	}
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "1000000")
	w.assess(w.unitA.ID, "500000")
	w.runOffset(w.unitA.ID)
	w.runOffset(w.unitA.ID)
	w.mustIssue(w.unitA.ID)

	after := e.scrape(t)
	for name, least := range map[string]float64{
		`taahod_sign_ins_total{outcome="failure"}`:                                                    1,
		`taahod_sign_ins_total{outcome="success"}`:                                                    1,
		`taahod_http_requests_total{method="GET",route="/api/v1/units",status="200"}`:                 3,
		`taahod_http_request_duration_seconds_count{method="GET",route="/api/v1/units",status="200"}`: 3,
		`taahod_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"}`:           1,
		`taahod_idempotency_replays_total`:                                                            1,
		`taahod_offset_runs_total{outcome="posted"}`:                                                  1,
		`taahod_offset_runs_total{outcome="unchanged"}`:                                               1,
		`taahod_certificates_issued_total`:                                                            1,
		`taahod_http_requests_total{method="GET",route="/metrics",status="200"}`:                      1,
	} {
		if got := after[name] - before[name]; got < least {
			t.Errorf("%s moved by %v, want at least %v", name, got, least)
		}
	}
	// A path no route takes is one label value, whatever the path.
	e.do("GET", "/api/v1/no-such-thing-12345", "", nil)
	if after := e.scrape(t); after[`taahod_http_requests_total{method="GET",route="unmatched",status="404"}`] < 1 {
		t.Error("an unmatched path is not counted as route=unmatched")
	}
	for name := range after {
		if strings.Contains(name, "no-such-thing") {
			t.Errorf("a raw path became a label: %s", name)
		}
	}
}

// TestRequestIDOnEveryLogLine: a line a handler logs with the request's
// context carries the request's id, the one X-Request-ID answers.
func TestRequestIDOnEveryLogLine(t *testing.T) {
	e := newEnv(t)
	e.srv.engine.GET("/test-log", func(c *gin.Context) {
		e.srv.log.InfoContext(c.Request.Context(), "inside the handler", "step", 1)
		c.Status(204)
	})
	r := e.do("GET", "/test-log", "", nil)
	id := r.header.Get("X-Request-Id")
	if id == "" {
		t.Fatal("no X-Request-Id")
	}
	r = e.do("GET", "/test-log", "", nil, "X-Request-ID", "client-chosen-id-2")
	if r.header.Get("X-Request-Id") != "client-chosen-id-2" {
		t.Fatalf("X-Request-Id %q", r.header.Get("X-Request-Id"))
	}
	lines := 0
	for _, line := range strings.Split(strings.TrimSpace(e.logBuf.String()), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if entry["msg"] != "inside the handler" && entry["msg"] != "request" {
			continue
		}
		lines++
		if got := fmt.Sprint(entry["request_id"]); got != id && got != "client-chosen-id-2" {
			t.Errorf("log line without the request's id: %s", line)
		}
	}
	if lines != 4 {
		t.Errorf("%d log lines of the two requests, want 4: %s", lines, e.logBuf.String())
	}
}
