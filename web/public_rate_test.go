package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/api"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/dbtest"
)

// TestPublicPagesRateLimit asks the public verification page (where the
// public pages' verification box sends its serial) more often than the
// public rate allows: past it, the Persian 429 page with Retry-After; the
// budget is the one the API's public routes share.
func TestPublicPagesRateLimit(t *testing.T) {
	db := dbtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	authStore := auth.NewStore(db)
	pages, err := New(db, authStore, Config{Logger: log,
		Issuer: certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner}})
	if err != nil {
		t.Fatal(err)
	}
	srv := api.New(db, authStore, api.Config{Logger: log, Province: "QZV", PublicURL: "http://taahod.test",
		Signer: testSigner, Pages: pages, PublicRate: 3})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	// Redirects are not followed: each request takes one from the budget.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := client.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	for _, path := range []string{"/verify?serial=QZV-1404-000001", "/verify", "/api/v1/verify/QZV-1404-000001"} {
		if res, _ := get(path); res.StatusCode == http.StatusTooManyRequests {
			t.Fatalf("%s within the rate: %d", path, res.StatusCode)
		}
	}
	res, body := get("/verify?serial=QZV-1404-000002")
	if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
		t.Fatalf("past the rate: %d (Retry-After %q)", res.StatusCode, res.Header.Get("Retry-After"))
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, Message(taahod.ERATELIMITED)) ||
		res.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("not the Persian page: %s %q", res.Header.Get("Content-Type"), body)
	}
	// The home page itself is not limited.
	if res, _ := get("/"); res.StatusCode != http.StatusOK {
		t.Fatalf("home: %d", res.StatusCode)
	}
}
