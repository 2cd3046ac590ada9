package main

import (
	"slices"
	"strings"
	"testing"
)

func TestCORSOrigins(t *testing.T) {
	t.Setenv("TAAHOD_CORS_ORIGINS", " https://App.Example.org/ , http://localhost:5173,https://x.test:443,http://[::1]:8080")
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://app.example.org", "http://localhost:5173", "https://x.test", "http://[::1]:8080"}
	if !slices.Equal(cfg.CORSOrigins, want) {
		t.Fatalf("%q", cfg.CORSOrigins)
	}
	for _, bad := range []string{"*", "app.example.org", "https://app.example.org/path", "ftp://x.test", ",", "https://u@x.test", "https://x.test?a=1"} {
		t.Setenv("TAAHOD_CORS_ORIGINS", bad)
		if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), "TAAHOD_CORS_ORIGINS") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	t.Setenv("TAAHOD_CORS_ORIGINS", "")
	if cfg, err := loadConfig(); err != nil || cfg.CORSOrigins != nil {
		t.Fatalf("unset: %q %v", cfg.CORSOrigins, err)
	}
}
