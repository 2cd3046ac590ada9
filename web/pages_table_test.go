package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/dbtest"
)

// pageCase is one page every page-wide check opens: the browser test
// (axe-core, no sideways scrolling at 360–390 px: pages_browser_test.go),
// the weight test (page_weight_test.go) and `make screenshots`
// (screenshots_test.go).
type pageCase struct {
	// role signs in to open it; "" opens it signed out.
	role taahod.Role
	// path may name the showcase's rows in braces (showcase.ids): {unit}
	// (the accountant's first unit), {pledge} (its first pledge),
	// {expenditure} (approved in part, with a PDF and a photo),
	// {rejected}, {submitted} (awaiting review), {other_unit_expenditure}
	// (another unit's), {year} (1404: policy, assessment, offset run) and
	// {certificate} (its serial), {user} (the accountant's user id),
	// {school} (being built: a timeline and a photo), {session}, {resolution}
	// and {case} (the secretariat's records),
	// {figure} and {units_figure} (figures of the registry: the public
	// site's rows), {webhook} (the administrator's endpoint).
	path string
	// name names the screenshots (docs/screenshots/NAME-1280.png) and the
	// subtests.
	name string
	// status is the page's HTTP status; 0 means 200.
	status int
}

// pages is every page of the web application, opened on the showcase
// (showcase_test.go). A new page is one line here (and, if its path names a
// new kind of row, one entry in showcase.ids).
var everyPage = []pageCase{
	{"", "/signin", "signin", 0},
	{"", "/no-such-page", "not-found-signed-out", http.StatusNotFound},
	{"", "/", "public-home", 0},
	{"", "/?year=1404", "public-home-1404", 0},
	{"", "/public/figures/{figure}?year=1404", "public-figure-resolutions", 0},
	{"", "/public/figures/{units_figure}?year=1404", "public-figure-units", 0},
	{"", "/verify?serial=1403", "public-verify-error", http.StatusUnprocessableEntity},

	{taahod.RoleAccountant, "/accountant", "accountant-home", 0},
	{taahod.RoleAccountant, "/accountant/expenditures", "accountant-expenditures", 0},
	{taahod.RoleAccountant, "/accountant/expenditures?status=rejected", "accountant-expenditures-rejected", 0},
	{taahod.RoleAccountant, "/accountant/expenditures/{expenditure}", "accountant-expenditure", 0},
	{taahod.RoleAccountant, "/accountant/expenditures/{rejected}", "accountant-expenditure-rejected", 0},
	{taahod.RoleAccountant, "/accountant/expenditures/{other_unit_expenditure}", "not-found", http.StatusNotFound},
	{taahod.RoleAccountant, "/accountant/expenditures/new", "accountant-expenditure-new", 0},
	{taahod.RoleAccountant, "/accountant/expenditures/{submitted}/edit", "accountant-expenditure-edit", 0},
	{taahod.RoleAccountant, "/accountant/tax-years", "accountant-tax-years", 0},
	{taahod.RoleAccountant, "/accountant/units/{unit}/tax-years/{year}", "accountant-tax-year", 0},
	{taahod.RoleAccountant, "/password", "password", 0},

	{taahod.RoleTaxOfficer, "/tax-office", "tax-office-home", 0},
	{taahod.RoleTaxOfficer, "/tax-office/queue", "tax-office-queue", 0},
	{taahod.RoleTaxOfficer, "/tax-office/expenditures/{submitted}", "tax-office-review", 0},
	{taahod.RoleTaxOfficer, "/tax-office/expenditures/{expenditure}", "tax-office-review-decided", 0},
	{taahod.RoleAccountant, "/tax-office/queue", "tax-office-queue-accountant", http.StatusNotFound},
	{taahod.RoleTaxOfficer, "/tax-office/tax-years", "tax-office-tax-years", 0},
	{taahod.RoleTaxOfficer, "/tax-office/units/{unit}/tax-years/{year}", "tax-office-tax-year", 0},
	{taahod.RoleTaxOfficer, "/tax-office/units/{unit}/tax-years/{year}/offset", "tax-office-offset-preview", 0},
	{taahod.RoleTaxOfficer, "/tax-office/policies", "tax-office-policies", 0},
	{taahod.RoleTaxOfficer, "/tax-office/policies/new", "tax-office-policy-new", 0},
	{taahod.RoleTaxOfficer, "/tax-office/policies/{year}", "tax-office-policy", 0},
	{taahod.RoleTaxOfficer, "/tax-office/certificates", "tax-office-certificates", 0},
	{taahod.RoleTaxOfficer, "/tax-office/certificates/{certificate}", "tax-office-certificate", 0},

	{taahod.RoleEducationOfficer, "/education", "education-home", 0},
	{taahod.RoleEducationOfficer, "/education/schools", "education-schools", 0},
	{taahod.RoleEducationOfficer, "/education/schools?q=%D8%A2%D8%A8%D9%8A%DA%A9", "education-schools-search", 0},
	{taahod.RoleEducationOfficer, "/education/schools/{school}", "education-school", 0},
	{taahod.RoleAccountant, "/education/schools/{school}", "education-school-accountant", http.StatusNotFound},
	{taahod.RoleSecretariat, "/secretariat", "secretariat-home", 0},
	{taahod.RoleSecretariat, "/secretariat/cases", "secretariat-cases", 0},
	{taahod.RoleSecretariat, "/secretariat/cases/new", "secretariat-case-new", 0},
	{taahod.RoleSecretariat, "/secretariat/cases/{case}", "secretariat-case", 0},
	{taahod.RoleAccountant, "/secretariat/cases/{case}", "secretariat-case-accountant", http.StatusNotFound},
	{taahod.RoleSecretariat, "/secretariat/revivals", "secretariat-revivals", 0},
	{taahod.RoleSecretariat, "/secretariat/import", "secretariat-import", 0},
	{taahod.RoleSecretariat, "/secretariat/figures?year={year}", "secretariat-figures", 0},
	{taahod.RoleSecretariat, "/secretariat/figures/rows?year={year}&figure=referrals", "secretariat-figure-rows", 0},
	{taahod.RoleSecretariat, "/secretariat/sessions", "secretariat-sessions", 0},
	{taahod.RoleSecretariat, "/secretariat/sessions/new", "secretariat-session-new", 0},
	{taahod.RoleSecretariat, "/secretariat/sessions/{session}", "secretariat-session", 0},
	{taahod.RoleSecretariat, "/secretariat/resolutions", "secretariat-resolutions", 0},
	{taahod.RoleSecretariat, "/secretariat/resolutions/{resolution}", "secretariat-resolution", 0},
	{taahod.RoleSecretariat, "/secretariat/resolutions/overdue", "secretariat-resolutions-overdue", 0},
	{taahod.RoleAccountant, "/secretariat/resolutions", "secretariat-resolutions-accountant", http.StatusNotFound},
	{taahod.RoleAuditor, "/auditor", "auditor-home", 0},
	{taahod.RoleAuditor, "/auditor/audit", "auditor-audit", 0},
	{taahod.RoleAuditor, "/auditor/audit?actor=tax", "auditor-audit-actor", 0},
	{taahod.RoleAuditor, "/auditor/verify", "auditor-verify", 0},
	{taahod.RoleAdmin, "/auditor/audit", "auditor-audit-admin", http.StatusNotFound},
	{taahod.RoleAuditor, "/tax-office/expenditures/{expenditure}", "auditor-review-read", 0},
	{taahod.RoleAuditor, "/tax-office/units/{unit}/tax-years/{year}", "auditor-tax-year-read", 0},
	{taahod.RoleAuditor, "/tax-office/certificates/{certificate}", "auditor-certificate-read", 0},
	{taahod.RoleAuditor, "/education/schools/{school}", "auditor-school-read", 0},
	{taahod.RoleAuditor, "/secretariat/resolutions/{resolution}", "auditor-resolution-read", 0},
	{taahod.RoleAuditor, "/tax-office/policies/new", "auditor-policy-form", http.StatusNotFound},
	{taahod.RoleAdmin, "/admin", "admin-home", 0},
	{taahod.RoleAdmin, "/admin/users", "admin-users", 0},
	{taahod.RoleAdmin, "/admin/users?role=accountant", "admin-users-accountants", 0},
	{taahod.RoleAdmin, "/admin/users/new", "admin-user-new", 0},
	{taahod.RoleAdmin, "/admin/users/{user}", "admin-user", 0},
	{taahod.RoleAdmin, "/admin/users/{user}/password", "admin-user-password-gone", http.StatusGone},
	{taahod.RoleAdmin, "/admin/units", "admin-units", 0},
	{taahod.RoleAdmin, "/admin/units/new", "admin-unit-new", 0},
	{taahod.RoleAdmin, "/admin/units/{unit}", "admin-unit", 0},
	{taahod.RoleAccountant, "/admin/users", "admin-users-accountant", http.StatusNotFound},
	{taahod.RoleAccountant, "/notifications", "notifications", 0},
	{taahod.RoleAdmin, "/admin/webhooks", "admin-webhooks", 0},
	{taahod.RoleAdmin, "/admin/webhooks/{webhook}", "admin-webhook", 0},
	{taahod.RoleTaxOfficer, "/notifications?unread=1", "notifications-unread", 0},
}

// wantStatus is the page's HTTP status.
func (p pageCase) wantStatus() int {
	if p.status == 0 {
		return http.StatusOK
	}
	return p.status
}

// pageName is what a page's name may be: it names files.
var pageName = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// TestPagesTable keeps the table usable: names are file names and unique,
// paths absolute.
func TestPagesTable(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range everyPage {
		if !pageName.MatchString(p.name) || seen[p.name] {
			t.Errorf("page name %q: want unique lower-case words joined by '-'", p.name)
		}
		seen[p.name] = true
		if p.path == "" || p.path[0] != '/' {
			t.Errorf("page %s: path %q is not absolute", p.name, p.path)
		}
	}
}

// notPages are the GET routes of the web application that answer no page
// of their own, so the table leaves them out: redirects and downloads.
var notPages = map[string]bool{
	"/verify":       true, // redirects to the certificate's page (/v/{serial}); its error is public-verify-error
	"/static/*name": true,
	"/accountant/expenditures/:id/documents/:document":                        true, // the file itself
	"/accountant/expenditures/:id/documents/:document/thumbnail":              true,
	"/accountant/certificates/:serial/pdf":                                    true,
	"/tax-office/expenditures/:id/documents/:document":                        true,
	"/tax-office/units/:unit/tax-years":                                       true, // redirects to the year asked for
	"/tax-office/certificates/:serial/pdf":                                    true,
	"/tax-office/units/:unit/tax-years/:year/certificate-preview":             true,
	"/secretariat/import/template":                                            true, // the CSV template file
	"/education/schools/:id/progress/:progress/documents/:document":           true,
	"/education/schools/:id/progress/:progress/documents/:document/thumbnail": true,
}

// TestPagesTableCoversEveryPage fails when a page is added to the web
// application's routes (Pages.Mount) and not to the table, so that no page escapes the checks over it; a
// route that answers no page goes in notPages.
func TestPagesTableCoversEveryPage(t *testing.T) {
	db := dbtest.New(t)
	authStore := auth.NewStore(db)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pagesOf, err := New(db, authStore, Config{Logger: log, Issuer: benchIssuer})
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode) // as api.New sets it: no debug print of each route
	engine := gin.New()
	pagesOf.Mount(engine)
	inTable := map[string]bool{}
	for _, p := range everyPage {
		inTable[routeShape(p.path)] = true
	}
	for _, r := range engine.Routes() {
		if r.Method != http.MethodGet || notPages[r.Path] {
			continue
		}
		if !inTable[routeShape(r.Path)] {
			t.Errorf("GET %s is in no line of the page table (pages_table_test.go) nor in notPages", r.Path)
		}
	}
}

// routeShape is a path with its query dropped and each parameter, gin's
// ":id" or the table's "{expenditure}", as ":".
func routeShape(path string) string {
	path, _, _ = strings.Cut(path, "?")
	parts := strings.Split(path, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "{") {
			parts[i] = ":"
		}
	}
	return strings.Join(parts, "/")
}

// TestEveryPageSignedOut: signed out, every page of the table that needs a
// role sends the browser to sign in, and comes back to it afterwards.
func TestEveryPageSignedOut(t *testing.T) {
	s := newShowcase(t)
	b := s.browser()
	for _, p := range everyPage {
		if p.role == "" {
			continue
		}
		path := s.path(t, p.path)
		a := b.get(path)
		if want := "/signin?next=" + url.QueryEscape(path); a.status != http.StatusSeeOther || a.header.Get("Location") != want {
			t.Errorf("GET %s signed out: %d → %q, want %q", path, a.status, a.header.Get("Location"), want)
		}
	}
}
