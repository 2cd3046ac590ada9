package web

import (
	"golang.org/x/net/html"
)

// checkTables holds every table to the narrow-screen rule: it sits in a
// <div class="table-wrap"> that scrolls sideways on its own (app.css) and,
// since a keyboard user must be able to scroll it, is a focusable region
// with a name (role="region", tabindex="0", aria-labelledby naming an
// element of the page, usually the table's caption, or aria-label).
func (a answer) checkTables(doc *html.Node) {
	a.t.Helper()
	ids := map[string]bool{}
	for _, n := range findAll(doc, func(n *html.Node) bool { return attr(n, "id") != "" }) {
		ids[attr(n, "id")] = true
	}
	for _, table := range findAll(doc, func(n *html.Node) bool { return n.Data == "table" }) {
		wrap := table.Parent
		if wrap == nil || wrap.Data != "div" || attr(wrap, "class") != "table-wrap" {
			a.t.Errorf(`a table is not the child of <div class="table-wrap">: at 360 px it would widen the page`)
			continue
		}
		named := attr(wrap, "aria-label") != "" || ids[attr(wrap, "aria-labelledby")]
		if attr(wrap, "role") != "region" || attr(wrap, "tabindex") != "0" || !named {
			a.t.Errorf(`<div class="table-wrap"> lacks role="region", tabindex="0" or a name (aria-labelledby an id of the page): a keyboard cannot scroll it`)
		}
	}
}
