package web

import (
	"context"
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
)

// readAreas are the roles whose pages the auditor reads.
var readAreas = map[taahod.Role]bool{
	taahod.RoleTaxOfficer:       true,
	taahod.RoleEducationOfficer: true,
	taahod.RoleSecretariat:      true,
}

// formPage matches the GET pages that are forms to write with (a new
// record, an import, an offset run's confirmation, a draft certificate):
// the auditor is not shown them.
var formPage = regexp.MustCompile(`/(new|import|offset|certificate-preview|template)$`)

// TestAuditorReadsEveryPageAndNoForm: every page of the tax office, the
// education department and the secretariat in the page table opens for the
// auditor (the API's scope: the auditor reads everything) with no form that
// writes, and their form pages answer 404.
func TestAuditorReadsEveryPageAndNoForm(t *testing.T) {
	s := newShowcase(t)
	b := s.browser()
	b.signIn(usernameOf(t, taahod.RoleAuditor))
	read := 0
	for _, p := range everyPage {
		if !readAreas[p.role] || p.wantStatus() != http.StatusOK {
			continue
		}
		path := s.path(t, p.path)
		a := b.get(path)
		route, _, _ := strings.Cut(path, "?")
		if formPage.MatchString(route) {
			if a.status != http.StatusNotFound {
				t.Errorf("auditor GET %s (a form): %d, want 404", path, a.status)
			}
			continue
		}
		if a.status != http.StatusOK {
			t.Errorf("auditor GET %s: %d, want 200", path, a.status)
			continue
		}
		read++
		for _, f := range findAll(a.doc(), func(n *htmlNode) bool { return n.Data == "form" }) {
			if strings.EqualFold(attr(f, "method"), "post") && attr(f, "action") != "/signout" {
				t.Errorf("auditor's %s shows a form that writes, to %s", path, attr(f, "action"))
			}
		}
		for _, l := range findAll(a.doc(), func(n *htmlNode) bool { return n.Data == "a" }) {
			if href, _, _ := strings.Cut(attr(l, "href"), "?"); formPage.MatchString(href) {
				t.Errorf("auditor's %s links to the form %s", path, attr(l, "href"))
			}
		}
	}
	if read < 20 {
		t.Errorf("the auditor read %d pages; the table has more of these roles' pages", read)
	}
}

// TestAuditorWritesNothing: every form the tax office, the education
// department and the secretariat are shown, posted by the auditor with their
// own valid CSRF token, answers 404 and writes nothing; and so does every
// POST route of those areas.
func TestAuditorWritesNothing(t *testing.T) {
	s := newShowcase(t)
	auditor := s.browser()
	auditor.signIn(usernameOf(t, taahod.RoleAuditor))
	csrf := auditor.get("/auditor").csrf()
	audited := func() int {
		var n int
		if err := s.db.GetContext(context.Background(), &n, `SELECT count(*) FROM audit_log`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// The owners of the forms sign in first: signing in is audited.
	owners := map[taahod.Role]*browser{}
	for role := range readAreas {
		owners[role] = s.browser()
		owners[role].signIn(usernameOf(t, role))
	}
	before := audited()

	posted := 0
	for _, p := range everyPage {
		if !readAreas[p.role] || p.wantStatus() != http.StatusOK {
			continue
		}
		page := owners[p.role].get(s.path(t, p.path))
		for _, f := range findAll(page.doc(), func(n *htmlNode) bool {
			return n.Data == "form" && strings.EqualFold(attr(n, "method"), "post") && attr(n, "action") != "/signout"
		}) {
			form := url.Values{}
			for _, in := range findAll(f, func(n *htmlNode) bool { return n.Data == "input" || n.Data == "textarea" || n.Data == "select" }) {
				if name := attr(in, "name"); name != "" {
					form.Set(name, attr(in, "value"))
				}
			}
			form.Set("csrf", csrf)
			form.Set("decision", "approve")
			form.Set("reason", "حسابرس نباید بتواند")
			if a := auditor.post(attr(f, "action"), form); a.status != http.StatusNotFound {
				t.Errorf("auditor POST %s (the form of %s): %d, want 404", attr(f, "action"), p.path, a.status)
			}
			posted++
		}
	}
	if posted < 10 {
		t.Errorf("only %d forms posted; the table's pages show more", posted)
	}

	// Every POST route of those areas, whatever its form.
	pagesOf, err := New(s.db, auth.NewStore(s.db), Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Issuer: benchIssuer})
	if err != nil {
		t.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	engine := gin.New()
	pagesOf.Mount(engine)
	routes := 0
	for _, r := range engine.Routes() {
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Path, "/tax-office") && !strings.HasPrefix(r.Path, "/education") && !strings.HasPrefix(r.Path, "/secretariat") {
			continue
		}
		path := regexp.MustCompile(`:[a-z]+`).ReplaceAllString(r.Path, "1")
		if a := auditor.post(path, url.Values{"csrf": {csrf}}); a.status != http.StatusNotFound {
			t.Errorf("auditor POST %s: %d, want 404", path, a.status)
		}
		routes++
	}
	if routes < 10 {
		t.Errorf("only %d POST routes found", routes)
	}
	if after := audited(); after != before {
		t.Errorf("the auditor's posts wrote %d audit entries", after-before)
	}
}
