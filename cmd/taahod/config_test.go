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

func TestTrustedProxiesAndPublicRate(t *testing.T) {
	t.Setenv("TAAHOD_TRUSTED_PROXIES", " 10.0.0.5, 10.1.0.0/16,::1 ")
	t.Setenv("TAAHOD_PUBLIC_RATE", "")
	cfg, err := loadConfig()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"10.0.0.5", "10.1.0.0/16", "::1"}; !slices.Equal(cfg.TrustedProxies, want) {
		t.Fatalf("%q", cfg.TrustedProxies)
	}
	if cfg.PublicRate != 60 {
		t.Fatalf("default public rate %d", cfg.PublicRate)
	}
	for _, bad := range []string{"proxy.example.org", "10.0.0.0/33", ",", "*"} {
		t.Setenv("TAAHOD_TRUSTED_PROXIES", bad)
		if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), "TAAHOD_TRUSTED_PROXIES") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	t.Setenv("TAAHOD_TRUSTED_PROXIES", "")
	t.Setenv("TAAHOD_PUBLIC_RATE", "600")
	if cfg, err := loadConfig(); err != nil || cfg.PublicRate != 600 || cfg.TrustedProxies != nil {
		t.Fatalf("rate %d, proxies %q: %v", cfg.PublicRate, cfg.TrustedProxies, err)
	}
	for _, bad := range []string{"0", "-5", "many", "1.5"} {
		t.Setenv("TAAHOD_PUBLIC_RATE", bad)
		if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), "TAAHOD_PUBLIC_RATE") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// TestNotificationSettings reads TAAHOD_REVIEW_WAIT_DAYS and
// TAAHOD_SMTP_URL; a bad SMTP URL's error does not repeat its password.
func TestNotificationSettings(t *testing.T) {
	t.Setenv("TAAHOD_REVIEW_WAIT_DAYS", "")
	t.Setenv("TAAHOD_SMTP_URL", "")
	cfg, err := loadConfig()
	if err != nil || cfg.ReviewWaitDays != 7 || cfg.SMTP != nil {
		t.Fatalf("defaults: %d %v %v", cfg.ReviewWaitDays, cfg.SMTP, err)
	}
	t.Setenv("TAAHOD_REVIEW_WAIT_DAYS", "14")
	t.Setenv("TAAHOD_SMTP_URL", "smtp://mailer:s3cret-pw@mail.example:587?from=taahod@example.org")
	cfg, err = loadConfig()
	if err != nil || cfg.ReviewWaitDays != 14 || cfg.SMTP == nil || cfg.SMTP.Addr != "mail.example:587" || cfg.SMTP.From != "taahod@example.org" {
		t.Fatalf("set: %d %+v %v", cfg.ReviewWaitDays, cfg.SMTP, err)
	}
	for _, bad := range []string{"0", "366", "week"} {
		t.Setenv("TAAHOD_REVIEW_WAIT_DAYS", bad)
		if _, err := loadConfig(); err == nil || !strings.Contains(err.Error(), "TAAHOD_REVIEW_WAIT_DAYS") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	t.Setenv("TAAHOD_REVIEW_WAIT_DAYS", "")
	for _, bad := range []string{"http://mailer:s3cret-pw@mail.example", "smtp://mailer:s3cret-pw@mail.example"} {
		t.Setenv("TAAHOD_SMTP_URL", bad)
		_, err := loadConfig()
		if err == nil || !strings.Contains(err.Error(), "TAAHOD_SMTP_URL") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
