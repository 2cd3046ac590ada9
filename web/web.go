// Package web is Taahod's Persian, right-to-left web application: pages
// rendered on the server from html/template files and static files, all
// embedded in the binary, mounted on the API's gin engine at "/".
//
// Pages call the domain packages (registry, ledger, reports, internal/auth)
// directly, never the service's own HTTP API, so that every rule lives in
// one place and the same problem codes come back; messages.go words each
// code in Persian. Every flow works without JavaScript: forms post, the
// server answers with a redirect (post/redirect/get).
//
// Imports go one way: cmd/taahod mounts the pages on the API's engine
// (api.Config.Pages, an interface of the api package), so api never imports web and web never imports api.
package web

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/notify"
	"github.com/taahod/taahod/registry"
)

// Config is what the pages need besides the stores.
type Config struct {
	Logger *slog.Logger
	// SecureCookies marks the session cookie Secure; the command sets it
	// when TAAHOD_PUBLIC_URL is https.
	SecureCookies bool
	// Issuer is the certificates' issuer, as the API's (province, public
	// URL, signing key): the pages preview, issue and serve the same
	// certificates, byte for byte.
	Issuer certificate.Issuer
}

// Pages serves the web application.
type Pages struct {
	auth     *auth.Store
	registry *registry.Store
	ledger   *ledger.Store
	certs    *certificate.Store
	log      *slog.Logger
	cfg      Config
	views    *views
	static   *staticFiles
	// handoffs keeps the one-time passwords an administrator made until
	// their page shows them, once (admin_password.go).
	handoffs *passwordHandoffs
	// verifier runs the auditor's verify on demand, one run at a time
	// (auditor_verify.go).
	verifier *verifyRunner
	// inbox is each person's notifications (notifications.go).
	inbox notify.Inbox
	// webhooks are the other systems' endpoints (admin_webhooks.go).
	webhooks notify.Webhooks
	// homes are the public home's pages as last rendered
	// (public_home_cache.go).
	homes renderedHomes
}

// New builds the pages over db and the same auth store as the API (so that
// sign-ins share one failure count and one token cache). It fails when the
// issuer is incomplete; it panics when the embedded templates or static
// files are broken, which the tests catch.
func New(db *database.DB, authStore *auth.Store, cfg Config) (*Pages, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	certs, err := certificate.NewStore(db, cfg.Issuer)
	if err != nil {
		return nil, err
	}
	st, err := loadStatic()
	if err != nil {
		panic("web.New: " + err.Error())
	}
	v, err := loadViews(st)
	if err != nil {
		panic("web.New: " + err.Error())
	}
	return &Pages{
		auth:     authStore,
		registry: registry.NewStore(db),
		ledger:   ledger.NewStore(db),
		certs:    certs,
		log:      cfg.Logger,
		cfg:      cfg,
		views:    v,
		static:   st,
		handoffs: newPasswordHandoffs(),
		verifier: &verifyRunner{},
		inbox:    notify.Inbox{DB: db},
		webhooks: notify.Webhooks{DB: db},
	}, nil
}

// Mount registers the pages' routes on r, beside the API's.
func (p *Pages) Mount(r *gin.Engine) {
	r.GET("/static/*name", p.serveStatic)

	pages := r.Group("/", p.securityHeaders, p.checkText)
	pages.GET("/", p.session(false), p.root)
	pages.GET("/signin", p.session(false), p.signInPage)
	pages.POST("/signin", p.signIn)
	pages.POST("/signout", p.session(true), p.signOut)
	pages.GET("/password", p.session(true), p.passwordPage)
	pages.POST("/password", p.session(true), p.changePassword)
	p.mountAccountant(pages)
	p.mountTaxOffice(pages)
	p.mountEducation(pages)
	p.mountSecretariat(pages)
	p.mountAuditor(pages)
	p.mountAdmin(pages)
	p.mountPublic(pages)
	p.mountNotifications(pages)
}

// NotFound answers, with the Persian 404 page, a path outside /api/ that
// no route takes (the API calls it from its NoRoute).
func (p *Pages) NotFound(c *gin.Context) {
	setSecurityHeaders(c)
	if cookie, err := c.Cookie(sessionCookie); err == nil && cookie != "" {
		if user, err := p.auth.Authenticate(c.Request.Context(), cookie); err == nil {
			c.Set(userKey, user.Actor())
			c.Set(tokenKey, cookie)
		}
	}
	p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
}

// securityHeaders sets, on every page, the headers that keep it to itself:
// a strict Content-Security-Policy (no inline script or style at all, so
// the templates carry neither), no sniffing, no framing, and no referrer
// beyond this origin.
func (p *Pages) securityHeaders(c *gin.Context) {
	setSecurityHeaders(c)
	c.Next()
}

func setSecurityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
}

// contentSecurityPolicy admits this origin's own files and nothing inline.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"

// root sends a signed-in person to their home and shows anyone else the
// public home (public_home.go): the working group's figures.
func (p *Pages) root(c *gin.Context) {
	if u, ok := signedIn(c); ok {
		c.Redirect(http.StatusSeeOther, homeOf(u.Role))
		return
	}
	p.publicHome(c)
}
