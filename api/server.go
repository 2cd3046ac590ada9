// Package api is the HTTP face of Taahod: the gin router, its middleware,
// the handlers of every route, problem documents and the OpenAPI description.
package api

import (
	"context"
	"github.com/taahod/taahod/internal/metrics"
	"github.com/taahod/taahod/internal/reqlog"
	"log/slog"
	"net/http"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/ratelimit"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// Config is what the server needs besides its stores.
type Config struct {
	Logger *slog.Logger
	// Province is the province code used in certificate serials.
	Province string
	// PublicURL is the base URL printed in QR codes.
	PublicURL string
	// ProvinceName and IssuePlace are printed on certificates; "" takes
	// what certificate.ProvinceName knows of Province.
	ProvinceName string
	IssuePlace   string
	// Signer signs certificates (TAAHOD_SIGNING_KEY). Without one the
	// server still runs, but issuing certificates and /verify/key answer
	// 503 signing_key_missing.
	Signer *certificate.Signer
	// CORSOrigins are the origins ("https://app.example.org") whose pages
	// may call the API from a browser (TAAHOD_CORS_ORIGINS). None, the
	// default, sends no CORS header at all.
	CORSOrigins []string
	// TrustedProxies are the addresses and networks ("10.0.0.5",
	// "10.1.0.0/16") of the proxies whose X-Forwarded-For names the client
	// (TAAHOD_TRUSTED_PROXIES). None, the default, takes the client's
	// address from the connection alone. The sign-in limits and the public
	// rate limit count by that address, on the API and the pages alike.
	TrustedProxies []string
	// PublicRate is how many requests a minute each client address may
	// make to the routes anyone may call (public_rate.go), in bursts of as
	// many (TAAHOD_PUBLIC_RATE); 0 takes ratelimit.DefaultPerMinute.
	PublicRate int
	// Pages, when set, is the web application served on the same engine
	// (cmd/taahod passes a *web.Pages): its routes are registered after the
	// API's and share its middleware, and a path outside /api/ that nothing
	// answers gets its Persian 404 page instead of a problem document. The
	// API never imports the pages.
	Pages Pages
	// Metrics is the registry GET /metrics serves (internal/metrics): the
	// requests are counted whatever it is; nil makes one over the server's
	// database.
	Metrics *metrics.Metrics
	// MetricsOnMain serves GET /metrics on this handler (TAAHOD_METRICS=1);
	// otherwise the command may serve Metrics.Handler on an address of its
	// own (TAAHOD_METRICS_ADDR), or not at all.
	MetricsOnMain bool
	// Background is the context of the work the server goes on with after
	// answering (a province's year-end offset run, offset_runs.go): its
	// end stops that work. nil is context.Background().
	Background context.Context
}

// Pages is what the server needs of the web application.
type Pages interface {
	// Mount registers the pages' routes.
	Mount(r *gin.Engine)
	// NotFound answers a path outside /api/ that no route takes.
	NotFound(c *gin.Context)
}

// PagesWithUploads is what Pages also implement when some of their forms
// send files: UploadRoutes names those routes (gin's full paths), whose
// bodies the pages limit themselves, so that a person sending too much gets
// the pages' Persian answer rather than a problem document; the API's body
// limit leaves them alone.
type PagesWithUploads interface {
	UploadRoutes() []string
}

// Server answers the HTTP API.
type Server struct {
	db       *database.DB
	auth     *auth.Store
	registry *registry.Store
	ledger   *ledger.Store
	// certificates is nil only until New sets it.
	certificates *certificate.Store
	log          *slog.Logger
	cfg          Config

	engine     *gin.Engine
	bodyLimits map[string]int64 // routes that take more than defaultBodyLimit
	cors       map[string]bool  // the allowed origins of Config.CORSOrigins

	// publicLimiter counts the public routes' requests per client address;
	// publicPaths are those routes, true for the pages'.
	publicLimiter *ratelimit.Limiter
	publicPaths   map[string]bool

	// background counts the work going on after its answer (offset runs):
	// Wait waits for it.
	background sync.WaitGroup

	// keysInStatement are the POST routes whose one statement checks the
	// Idempotency-Key itself (database.StatementClaim): the idempotency
	// middleware spares them its own look-up.
	keysInStatement map[string]bool
}

// New wires the server over db. An empty Province or PublicURL takes the
// contract's default (QZV, http://localhost:8080); it panics on a
// malformed one, which the command checks before (certificate.Issuer.Resolved).
func New(db *database.DB, authStore *auth.Store, cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	// Every line logged with a request's context names the request.
	cfg.Logger = slog.New(reqlog.Handler(cfg.Logger.Handler()))
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.New(db)
	}
	if cfg.Province == "" {
		cfg.Province = "QZV"
	}
	if cfg.PublicURL == "" {
		cfg.PublicURL = "http://localhost:8080"
	}
	certificates, err := certificate.NewStore(db, certificate.Issuer{Province: cfg.Province, ProvinceName: cfg.ProvinceName,
		IssuePlace: cfg.IssuePlace, PublicURL: cfg.PublicURL, Signer: cfg.Signer})
	if err != nil {
		panic("api.New: " + err.Error())
	}
	gin.SetMode(gin.ReleaseMode)
	s := &Server{
		db:           db,
		auth:         authStore,
		registry:     registry.NewStore(db),
		ledger:       ledger.NewStore(db),
		certificates: certificates,
		log:          cfg.Logger,
		cfg:          cfg,
		bodyLimits:   map[string]int64{},
		cors:         map[string]bool{},

		publicLimiter: ratelimit.New(cfg.PublicRate),
		publicPaths:   map[string]bool{},

		keysInStatement: map[string]bool{},
	}
	for _, o := range cfg.CORSOrigins {
		s.cors[o] = true
	}
	s.engine = s.routes()
	return s
}

// Handler returns the http.Handler of the whole service.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// headKey marks, in a request's context, a HEAD request served as a GET.
type headKey struct{}

// serveHTTP answers HEAD wherever GET is answered. gin routes only the
// methods registered, so a HEAD goes through as the GET it asks about, with
// the same status and headers; net/http sends no body for a HEAD request
// (and a Content-Length when the whole answer fit its buffer), as it does
// for http.ServeMux's GET routes.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		r = r.WithContext(context.WithValue(r.Context(), headKey{}, true))
		r.Method = http.MethodGet
	}
	s.engine.ServeHTTP(w, r)
}

// requestMethod is the method the client sent: HEAD for a HEAD served as a
// GET.
func requestMethod(c *gin.Context) string {
	if c.Request.Context().Value(headKey{}) != nil {
		return http.MethodHead
	}
	return c.Request.Method
}

// Routes lists the registered routes (method and gin path), for the OpenAPI
// test.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }

func (s *Server) routes() *gin.Engine {
	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	// A path is answered as it is spelt: /units/ is not /units. gin would
	// otherwise answer 301 (or 307) to a corrected path, with an HTML body.
	r.RedirectTrailingSlash = false
	r.RedirectFixedPath = false
	// c.ClientIP() is the connection's address, or X-Forwarded-For's
	// when (and only when) the connection comes from a trusted proxy.
	r.RemoteIPHeaders = []string{"X-Forwarded-For"}
	if err := r.SetTrustedProxies(s.cfg.TrustedProxies); err != nil {
		panic("api.New: trusted proxies: " + err.Error())
	}
	r.Use(withRequestID, noSniff, s.crossOrigin, s.recovery, s.accessLog, s.bodyLimit, s.publicRate)
	notFound := s.handle(func(c *gin.Context) error {
		return taahod.Errorf(taahod.ENOTFOUND, "no such resource: %s", c.Request.URL.Path)
	})
	r.NoRoute(func(c *gin.Context) {
		if s.cfg.Pages != nil && !strings.HasPrefix(c.Request.URL.Path, "/api/") {
			s.cfg.Pages.NotFound(c)
			return
		}
		notFound(c)
	})
	r.NoMethod(s.handle(s.otherMethod))

	r.GET("/healthz", s.handle(s.healthz))
	if s.cfg.MetricsOnMain {
		r.GET("/metrics", gin.WrapH(s.cfg.Metrics.Handler()))
	}
	r.GET("/readyz", s.handle(s.readyz))

	public := r.Group("/api/v1")
	public.GET("/openapi.yaml", s.handle(func(c *gin.Context) error { s.openAPI(c); return nil }))
	public.POST("/auth/login", s.handle(s.login))

	v1 := r.Group("/api/v1", s.authenticate)
	v1.POST("/auth/logout", s.endpoint(anySignedIn, s.logout)...)
	v1.GET("/auth/me", s.endpoint(anySignedIn, s.me)...)
	s.userRoutes(v1)
	s.auditRoutes(v1)

	s.unitRoutes(v1)
	s.registryRoutes(public, v1)
	s.commitmentRoutes(v1)
	s.taxYearRoutes(v1)
	s.offsetRunRoutes(v1)
	s.certificateRoutes(r, public, v1)
	s.auditCheckpointRoutes(public)
	s.notificationRoutes(v1)
	s.webhookRoutes(v1)
	if s.cfg.Pages != nil {
		s.cfg.Pages.Mount(r)
		if up, ok := s.cfg.Pages.(PagesWithUploads); ok {
			for _, route := range up.UploadRoutes() {
				s.bodyLimits[route] = pagesLimitTheirOwn
			}
		}
		if pp, ok := s.cfg.Pages.(PagesWithPublicRoutes); ok {
			for _, route := range pp.PublicRoutes() {
				s.publicPaths[route] = true
			}
		}
	}
	for _, route := range publicRoutes {
		s.publicPaths[route] = false
	}
	return r
}

// endpoint is the tail of every signed-in route's chain, in the house order:
// role, then idempotency (a no-op for reads), then the handler. query lists
// the query parameters the route takes; any other is a 400 (see handle).
func (s *Server) endpoint(roles []taahod.Role, h handler, query ...string) []gin.HandlerFunc {
	return []gin.HandlerFunc{s.require(roles...), s.idempotency, s.handle(h, query...)}
}

// Role sets of the routes, named as the contract names them.
var (
	anySignedIn     = taahod.Roles
	registryWriters = []taahod.Role{taahod.RoleAdmin, taahod.RoleSecretariat}
)
