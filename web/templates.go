package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

//go:embed templates
var templateFS embed.FS

// views holds one parsed template set per page: the layout files
// (templates/layout/*.html) with the page's own file (templates/views/NAME.html)
// defining its "title" and "content".
type views struct {
	byName map[string]*template.Template
}

func loadViews(st *staticFiles) (*views, error) {
	base, err := template.New("").Funcs(funcs(st)).ParseFS(templateFS, "templates/layout/*.html")
	if err != nil {
		return nil, err
	}
	files, err := fs.Glob(templateFS, "templates/views/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{byName: map[string]*template.Template{}}
	for _, f := range files {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if t, err = t.ParseFS(templateFS, f); err != nil {
			return nil, err
		}
		v.byName[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return v, nil
}

// page is what every view is rendered with.
type page struct {
	// User is the signed-in person; nil on the sign-in page.
	User *taahod.Actor
	// CSRF is the token every state-changing form carries as the hidden
	// input "csrf".
	CSRF string
	// Status and Alert are the page's message, shown in an element with
	// role="status" (it went well) or role="alert" (it did not).
	Status string
	Alert  string
	// Form is the form the page shows again after an error.
	Form *form
	// Data is the page's own.
	Data any
	// Unread is how many of the signed-in person's notifications are
	// unread, which the header shows; render counts them.
	Unread int
	// Downloads, on a list's page, are the links of the list's files
	// (downloads.go); the view shows them with {{template "downloads" .}}.
	Downloads *downloads
}

// ReadOnly reports whether the page is shown to someone who may read it but
// not act on it (the auditor, on another role's pages): its templates then
// leave out their forms and the links to forms.
func (pg page) ReadOnly() bool {
	return pg.User != nil && pg.User.Role == taahod.RoleAuditor
}

// render writes the view with status. The whole page is rendered before
// anything is sent, so a template error is a clean 500, never half a page.
// No page is ever cached: each shows the person signed in or a form token.
func (p *Pages) render(c *gin.Context, status int, view string, pg page) {
	if _, ok := p.views.byName[view]; !ok {
		panic("web: no view " + view)
	}
	if pg.User != nil && pg.User.UserID != 0 {
		// A failure to count leaves the count out, not the page.
		pg.Unread, _ = p.inbox.Unread(c.Request.Context(), pg.User.UserID)
	}
	html, err := p.renderHTML(view, pg)
	if err != nil {
		p.log.ErrorContext(c.Request.Context(), "render page", "view", view, "error", err)
		c.Header("Cache-Control", "no-store")
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte(fmt.Sprintln("خطای داخلی")))
		return
	}
	sendHTML(c, status, html)
}

// renderHTML renders the view's whole page.
func (p *Pages) renderHTML(view string, pg page) ([]byte, error) {
	var buf bytes.Buffer
	err := p.views.byName[view].ExecuteTemplate(&buf, "layout", pg)
	return buf.Bytes(), err
}

// sendHTML sends a rendered page, which no cache on the way keeps.
func sendHTML(c *gin.Context, status int, html []byte) {
	c.Header("Cache-Control", "no-store")
	c.Header("Pragma", "no-cache")
	c.Data(status, "text/html; charset=utf-8", html)
}

// failure renders the error page with status and a Persian sentence.
func (p *Pages) failure(c *gin.Context, status int, message string) {
	pg := page{Alert: message, Data: status}
	if u, ok := signedIn(c); ok {
		pg.User = &u
		pg.CSRF = csrfToken(c)
	}
	p.render(c, status, "error", pg)
}
