package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/taahod/taahod/internal/reqlog"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/ratelimit"
	"github.com/taahod/taahod/notify"
)

// config is the environment's configuration, which flags may override.
type config struct {
	DatabaseURL string
	Addr        string
	Province    string
	// ProvinceName and IssuePlace are printed on certificates; empty takes
	// what the certificate package knows of Province.
	ProvinceName string
	IssuePlace   string
	SigningKey   string
	PublicURL    string
	MaxConns     int
	TokenTTL     time.Duration
	LogLevel     slog.Level
	// CORSOrigins are the origins whose pages may call the API from a
	// browser (TAAHOD_CORS_ORIGINS, comma-separated); none by default.
	CORSOrigins []string
	// TrustedProxies are the proxies whose X-Forwarded-For names the client
	// (TAAHOD_TRUSTED_PROXIES, comma-separated addresses or networks); none
	// by default.
	TrustedProxies []string
	// PublicRate is the public endpoints' requests a minute per client
	// address (TAAHOD_PUBLIC_RATE).
	PublicRate int
	// ReviewWaitDays is how long an expenditure waits for review before
	// the tax officers are reminded of it (TAAHOD_REVIEW_WAIT_DAYS).
	ReviewWaitDays int
	// SMTP, when TAAHOD_SMTP_URL is set, is where the inbox is also mailed
	// to the users who have an email address.
	SMTP *notify.MailConfig
	// Metrics serves GET /metrics on the main address (TAAHOD_METRICS=1);
	// MetricsAddr serves it on an address of its own instead
	// (TAAHOD_METRICS_ADDR, such as 127.0.0.1:9090). Neither: no /metrics.
	Metrics     bool
	MetricsAddr string
}

func loadConfig() (config, error) {
	c := config{
		DatabaseURL:  os.Getenv("DATABASE_URL"),
		Addr:         envOr("TAAHOD_ADDR", ":8080"),
		Province:     envOr("TAAHOD_PROVINCE", "QZV"),
		ProvinceName: os.Getenv("TAAHOD_PROVINCE_NAME"),
		IssuePlace:   os.Getenv("TAAHOD_ISSUE_PLACE"),
		SigningKey:   os.Getenv("TAAHOD_SIGNING_KEY"),
		PublicURL:    strings.TrimRight(envOr("TAAHOD_PUBLIC_URL", "http://localhost:8080"), "/"),
		MaxConns:     database.DefaultMaxConns,
		TokenTTL:     12 * time.Hour,
	}
	if s := os.Getenv("TAAHOD_DB_MAX_CONNS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			return c, fmt.Errorf("TAAHOD_DB_MAX_CONNS must be a whole number from 1 to 1000, not %q", s)
		}
		c.MaxConns = n
	}
	if s := os.Getenv("TAAHOD_TOKEN_TTL"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < time.Minute {
			return c, fmt.Errorf("TAAHOD_TOKEN_TTL must be a duration of at least 1m, such as 12h, not %q", s)
		}
		c.TokenTTL = d
	}
	if s := os.Getenv("TAAHOD_CORS_ORIGINS"); s != "" {
		origins, err := parseOrigins(s)
		if err != nil {
			return c, fmt.Errorf("TAAHOD_CORS_ORIGINS: %w", err)
		}
		c.CORSOrigins = origins
	}
	if s := os.Getenv("TAAHOD_TRUSTED_PROXIES"); s != "" {
		proxies, err := parseProxies(s)
		if err != nil {
			return c, fmt.Errorf("TAAHOD_TRUSTED_PROXIES: %w", err)
		}
		c.TrustedProxies = proxies
	}
	c.PublicRate = ratelimit.DefaultPerMinute
	if s := os.Getenv("TAAHOD_PUBLIC_RATE"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100_000 {
			return c, fmt.Errorf("TAAHOD_PUBLIC_RATE must be a whole number of requests a minute from 1 to 100000, not %q", s)
		}
		c.PublicRate = n
	}
	c.ReviewWaitDays = notify.DefaultReviewWaitDays
	if s := os.Getenv("TAAHOD_REVIEW_WAIT_DAYS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 365 {
			return c, fmt.Errorf("TAAHOD_REVIEW_WAIT_DAYS must be a whole number of days from 1 to 365, not %q", s)
		}
		c.ReviewWaitDays = n
	}
	if s := os.Getenv("TAAHOD_SMTP_URL"); s != "" {
		mc, err := notify.ParseSMTPURL(s)
		if err != nil {
			return c, err
		}
		c.SMTP = &mc
	}
	switch s := os.Getenv("TAAHOD_METRICS"); s {
	case "", "0", "false":
	case "1", "true":
		c.Metrics = true
	default:
		return c, fmt.Errorf("TAAHOD_METRICS must be 1 (serve /metrics on TAAHOD_ADDR) or 0, not %q", s)
	}
	c.MetricsAddr = os.Getenv("TAAHOD_METRICS_ADDR")
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return c, fmt.Errorf("TAAHOD_METRICS_ADDR must be an address such as 127.0.0.1:9090, not %q", c.MetricsAddr)
		}
	}
	if s := os.Getenv("TAAHOD_LOG_LEVEL"); s != "" {
		if err := c.LogLevel.UnmarshalText([]byte(s)); err != nil {
			return c, fmt.Errorf("TAAHOD_LOG_LEVEL must be debug, info, warn or error, not %q", s)
		}
	}
	return c, nil
}

// parseOrigins reads a comma-separated list of web origins
// ("https://app.example.org, http://localhost:5173") into the form browsers
// send in Origin: scheme and host in lower case, the port only when it is
// not the scheme's default, no path. "*" is refused: the origins are named.
func parseOrigins(list string) ([]string, error) {
	var out []string
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		u, err := url.Parse(item)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("%q is not an origin such as https://app.example.org", item)
		}
		host := strings.ToLower(u.Hostname())
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		if p := u.Port(); p != "" && !(u.Scheme == "http" && p == "80") && !(u.Scheme == "https" && p == "443") {
			host += ":" + p
		}
		out = append(out, strings.ToLower(u.Scheme)+"://"+host)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no origin in %q", list)
	}
	return out, nil
}

// parseProxies reads a comma-separated list of IP addresses and networks
// ("10.0.0.5, 10.1.0.0/16, ::1") in the forms gin's SetTrustedProxies takes.
func parseProxies(list string) ([]string, error) {
	var out []string
	for item := range strings.SplitSeq(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if _, err := netip.ParsePrefix(item); err != nil {
			if _, err := netip.ParseAddr(item); err != nil {
				return nil, fmt.Errorf("%q is not an IP address or network such as 10.0.0.5 or 10.1.0.0/16", item)
			}
		}
		out = append(out, item)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no address in %q", list)
	}
	return out, nil
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// flagSet returns a flag set for a subcommand that reports errors (and
// prints usage) through the caller rather than exiting.
func flagSet(name string, stderr io.Writer, cfg *config) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	fs.StringVar(&cfg.DatabaseURL, "database-url", cfg.DatabaseURL, "PostgreSQL URL (default $DATABASE_URL)")
	return fs
}

// parseFlags parses args and refuses stray arguments; any mistake is a usage
// error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "taahod %s: unexpected argument %q\n\n", fs.Name(), fs.Arg(0))
		return errUsage
	}
	return nil
}

func (c config) logger(w io.Writer) *slog.Logger {
	// Each line logged in a request carries its id (internal/reqlog).
	return slog.New(reqlog.Handler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: c.LogLevel})))
}

// openDB opens the pool of the configured database.
func (c config) openDB(ctx context.Context) (*database.DB, error) {
	if c.DatabaseURL == "" {
		return nil, fmt.Errorf("DATABASE_URL is not set: give a PostgreSQL URL such as postgres://user@127.0.0.1:5432/taahod?sslmode=disable, or use `make run`, which starts a private cluster")
	}
	return database.Open(ctx, c.DatabaseURL, c.MaxConns)
}

// issuer is the certificates' issuer as configured: the province, the
// public URL and, when TAAHOD_SIGNING_KEY is set, the signing key. It
// returns an error for a key that is set but cannot be read and for a
// province or URL the certificates cannot print; an unset key is not an
// error (the caller decides what it means).
func (c config) issuer() (certificate.Issuer, error) {
	is := certificate.Issuer{Province: c.Province, ProvinceName: c.ProvinceName, IssuePlace: c.IssuePlace, PublicURL: c.PublicURL}
	if c.SigningKey != "" {
		s, err := certificate.LoadSigningKey(c.SigningKey)
		if err != nil {
			return is, fmt.Errorf("TAAHOD_SIGNING_KEY: %w", err)
		}
		is.Signer = s
	}
	return is.Resolved()
}
