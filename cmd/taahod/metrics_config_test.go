package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/taahod/taahod/internal/metrics"
)

func TestMetricsConfig(t *testing.T) {
	t.Setenv("TAAHOD_METRICS", "")
	t.Setenv("TAAHOD_METRICS_ADDR", "")
	if cfg, err := loadConfig(); err != nil || cfg.Metrics || cfg.MetricsAddr != "" {
		t.Fatalf("unset: %+v %v", cfg, err)
	}
	t.Setenv("TAAHOD_METRICS", "1")
	t.Setenv("TAAHOD_METRICS_ADDR", "127.0.0.1:9090")
	if cfg, err := loadConfig(); err != nil || !cfg.Metrics || cfg.MetricsAddr != "127.0.0.1:9090" {
		t.Fatalf("set: %+v %v", cfg, err)
	}
	for name, bad := range map[string]string{"TAAHOD_METRICS": "yes please", "TAAHOD_METRICS_ADDR": "nine-thousand"} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, bad)
			if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("%s=%q: %v", name, bad, err)
			}
		})
	}
}

// TestMetricsListener: TAAHOD_METRICS_ADDR's listener serves /metrics and
// nothing else.
func TestMetricsListener(t *testing.T) {
	var out bytes.Buffer
	stop, err := serveMetrics("127.0.0.1:0", metrics.New(nil), slog.New(slog.NewTextHandler(io.Discard, nil)), &out)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	url := strings.TrimSpace(strings.TrimPrefix(out.String(), "taahod: metrics on "))
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), "taahod_sign_ins_total") || !strings.Contains(string(body), "go_goroutines") {
		t.Fatalf("%s: %d %.300s", url, res.StatusCode, body)
	}
	res, err = http.Get(strings.TrimSuffix(url, "/metrics") + "/api/v1/units")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("the metrics listener answers /api/v1/units: %d", res.StatusCode)
	}
}
