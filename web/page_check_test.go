package web

import (
	"strings"

	"golang.org/x/net/html"
)

// checkPage holds every HTML page the tests' browsers receive to the rules
// of every page: Persian and right to left, exactly one h1, a strict CSP
// and no inline script or style for it to forbid, no handler attributes,
// a label for every control, every table in a region that scrolls on its
// own (table_check_test.go), and never cached.
func (a answer) checkPage() {
	a.t.Helper()
	csp := a.header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			a.t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		a.t.Errorf("Content-Security-Policy %q allows something unsafe", csp)
	}
	if got := a.header.Get("X-Content-Type-Options"); got != "nosniff" {
		a.t.Errorf("X-Content-Type-Options = %q", got)
	}
	if got := a.header.Get("Cache-Control"); got != "no-store" {
		a.t.Errorf("Cache-Control = %q, want no-store", got)
	}
	doc := a.doc()
	roots := findAll(doc, func(n *html.Node) bool { return n.Data == "html" })
	if len(roots) != 1 || attr(roots[0], "lang") != "fa" || attr(roots[0], "dir") != "rtl" {
		a.t.Errorf(`page lacks <html lang="fa" dir="rtl">`)
	}
	if h1 := findAll(doc, func(n *html.Node) bool { return n.Data == "h1" }); len(h1) != 1 {
		a.t.Errorf("page has %d h1, want 1", len(h1))
	}
	for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
		switch {
		case n.Data == "script" && (attr(n, "src") == "" || n.FirstChild != nil):
			a.t.Errorf("inline <script> in the page")
		case n.Data == "style":
			a.t.Errorf("inline <style> in the page")
		}
		for _, at := range n.Attr {
			if at.Key == "style" || strings.HasPrefix(at.Key, "on") {
				a.t.Errorf("<%s %s=…>: inline style or handler", n.Data, at.Key)
			}
		}
	}
	a.checkTables(doc)
	labels := map[string]bool{}
	for _, l := range findAll(doc, func(n *html.Node) bool { return n.Data == "label" }) {
		labels[attr(l, "for")] = true
	}
	for _, c := range findAll(doc, func(n *html.Node) bool {
		return (n.Data == "input" && attr(n, "type") != "hidden") || n.Data == "select" || n.Data == "textarea"
	}) {
		if id := attr(c, "id"); id == "" || !labels[id] {
			a.t.Errorf("control %q has no label", attr(c, "name"))
		}
	}
	for _, f := range findAll(doc, func(n *html.Node) bool { return n.Data == "form" && strings.EqualFold(attr(n, "method"), "post") }) {
		if len(findAll(f, func(n *html.Node) bool {
			return n.Data == "input" && attr(n, "name") == "csrf" && attr(n, "value") != ""
		})) != 1 {
			a.t.Errorf("a form posting to %s carries no CSRF token", attr(f, "action"))
		}
	}
}
