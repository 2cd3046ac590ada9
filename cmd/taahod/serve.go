package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/taahod/taahod/internal/metrics"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/taahod/taahod/api"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/migrations"
	"github.com/taahod/taahod/notify"
	"github.com/taahod/taahod/reports"
	"github.com/taahod/taahod/web"
)

// tokenCacheTTL bounds how long a live token is remembered between
// requests; revocations reach the cache sooner, by notification.
const tokenCacheTTL = time.Minute

// shutdownGrace is how long in-flight requests may take to finish after
// SIGTERM or Ctrl-C.
const shutdownGrace = 30 * time.Second

func serveCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	fs := flagSet("serve", stderr, &cfg)
	fs.StringVar(&cfg.Addr, "addr", cfg.Addr, "listen address (default $TAAHOD_ADDR or :8080)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	log := cfg.logger(stderr)
	stopProfile, err := startCPUProfile()
	if err != nil {
		return err
	}
	defer stopProfile()
	// A certificate must not print a silent gap: a font without a glyph the
	// documents may need stops the server here.
	if err := reports.CheckFonts(); err != nil {
		return fmt.Errorf("certificate fonts: %w", err)
	}
	issuer, err := cfg.issuer()
	if err != nil {
		return err
	}
	if issuer.Signer == nil {
		// The rest of the service works without it; issuing answers 503
		// signing_key_missing until the server starts with a key.
		log.Warn("TAAHOD_SIGNING_KEY is not set: certificates cannot be issued, the audit chain is not checkpointed, and /api/v1/verify/key has no key to give " +
			"(make one with: openssl genpkey -algorithm ed25519 -out signing-key.pem)")
	}
	db, err := cfg.openDB(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if n, err := migrations.Up(ctx, db.DB.DB); err != nil {
		return err
	} else if n > 0 {
		log.Info("migrated", slog.Int("applied", n))
	}
	authStore := auth.NewStore(db)
	authStore.TokenTTL = cfg.TokenTTL
	if err := authStore.CacheTokens(ctx, cfg.DatabaseURL, tokenCacheTTL, log); err != nil {
		return fmt.Errorf("listen for sign-in changes: %w", err)
	}
	// The web pages share the API's engine and auth store (one failure
	// count, one token cache); their cookie is Secure when the service is
	// public over https.
	pages, err := web.New(db, authStore, web.Config{Logger: log, SecureCookies: strings.HasPrefix(issuer.PublicURL, "https://"),
		Issuer: issuer})
	if err != nil {
		return err
	}
	reg := metrics.New(db)
	server := api.New(db, authStore, api.Config{Logger: log, Province: issuer.Province, PublicURL: issuer.PublicURL,
		ProvinceName: issuer.ProvinceName, IssuePlace: issuer.IssuePlace, Signer: issuer.Signer, CORSOrigins: cfg.CORSOrigins,
		TrustedProxies: cfg.TrustedProxies, PublicRate: cfg.PublicRate, Pages: pages, Background: ctx,
		Metrics: reg, MetricsOnMain: cfg.Metrics})
	if cfg.MetricsAddr != "" {
		stop, err := serveMetrics(cfg.MetricsAddr, reg, log, stdout)
		if err != nil {
			return err
		}
		defer stop()
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	srv := &http.Server{
		Handler:           server.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	fmt.Fprintf(stdout, "taahod: listening on http://%s\n", ln.Addr())
	log.Info("listening", slog.String("addr", ln.Addr().String()))

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	go janitor(ctx, db, log)
	// Every server campaigns to be the database's audit sequencer; one
	// chains the queued audit entries, the others stand by to take over.
	// It outlives the requests in flight at shutdown, to chain their entries.
	sequencer := &database.Sequencer{DSN: cfg.DatabaseURL, Log: log}
	if issuer.Signer != nil {
		// The sequencer signs the head it has just chained when a
		// checkpoint may be due: CheckpointEvery entries since it last
		// asked, so that the batches of a busy chain (one every 20 ms)
		// do not each pay for the question. The checkpointer below catches
		// the 60 s rule while no batch comes.
		var askedAt int64
		sequencer.AfterBatch = func(ctx context.Context, head database.Head) error {
			if head.Seq-askedAt < database.CheckpointEvery {
				return nil
			}
			askedAt = head.Seq
			_, err := database.MaybeCheckpoint(ctx, db, issuer.Signer, db.Now())
			return err
		}
	}
	seqCtx, stopSequencer := context.WithCancel(context.WithoutCancel(ctx))
	defer stopSequencer()
	sequenced := make(chan struct{})
	go func() { defer close(sequenced); _ = sequencer.Run(seqCtx) }()
	if issuer.Signer != nil {
		go checkpointer(ctx, db, issuer.Signer, log)
	}
	// Notifications: the webhooks' deliveries and the daily reminders
	// (one server at a time sends those, under an advisory lock).
	deliverer := &notify.Deliverer{DB: db, Log: log}
	reg.MustRegister(stateMetrics(db, deliverer)...)
	go deliverer.Run(ctx, 2*time.Second)
	go notify.Reminders{DB: db, ReviewWaitDays: cfg.ReviewWaitDays, Log: log}.Run(ctx, 15*time.Minute)
	if cfg.SMTP != nil {
		go (&notify.Mailer{DB: db, Config: *cfg.SMTP, PublicURL: cfg.PublicURL, Log: log}).Run(ctx, 10*time.Second)
	}

	select {
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	// Offset runs in the background stopped with ctx: let them record it.
	server.Wait(shutdownCtx)
	stopSequencer()
	<-sequenced
	log.Info("stopped")
	return nil
}

// janitor removes idempotency keys past their retention, expired sign-in
// tokens and old sign-in attempts, hourly.
func janitor(ctx context.Context, db *database.DB, log *slog.Logger) {
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	for {
		if n, err := api.PurgeIdempotencyKeys(ctx, db); err != nil {
			log.Warn("purge idempotency keys", "error", err)
		} else if n > 0 {
			log.Info("purged idempotency keys", slog.Int64("count", n))
		}
		if _, err := auth.PurgeExpiredTokens(ctx, db); err != nil {
			log.Warn("purge expired tokens", "error", err)
		}
		if _, err := auth.PurgeSignInAttempts(ctx, db); err != nil {
			log.Warn("purge sign-in attempts", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// serveMetrics serves GET /metrics, and nothing else, on an address of its
// own (TAAHOD_METRICS_ADDR): one a firewall keeps from the public. stop
// closes it.
func serveMetrics(addr string, reg *metrics.Metrics, log *slog.Logger, stdout io.Writer) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (TAAHOD_METRICS_ADDR): %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", reg.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	fmt.Fprintf(stdout, "taahod: metrics on http://%s/metrics\n", ln.Addr())
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics listener", "error", err)
		}
	}()
	return func() { _ = srv.Close() }, nil
}
