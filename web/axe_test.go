package web

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeSource is axe-core (testdata/axe: version, source, licence). It is
// never served: the tests inject it into the page under test.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axeTags are the rule sets checked: WCAG 2.0, 2.1 and 2.2, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// axeViolation is one rule a page breaks, as axe.run reports it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	URL    string `json:"helpUrl"`
	Nodes  []struct {
		Target  []string `json:"target"`
		Summary string   `json:"summary"`
	} `json:"nodes"`
}

// checkAxe runs axe-core's WCAG 2 A and AA rules over the page the browser
// shows and fails the test on any violation of impact "serious" or
// "critical", naming the rule, its impact, the elements and the help;
// lesser ones are logged. where says, in the message, which page and width.
//
// The script goes in through the DevTools protocol (Runtime.evaluate),
// which the page's Content-Security-Policy does not govern: the page keeps
// its real policy while it is checked.
func checkAxe(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	for _, v := range axeViolations(t, ctx, where) {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: axe %s (%s): %s\n  %s", where, v.ID, v.Impact, v.Help, v.URL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n  at %s\n    %s", strings.Join(n.Target, " "), strings.ReplaceAll(n.Summary, "\n", "\n    "))
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Error(b.String())
		} else {
			t.Log(b.String())
		}
	}
}

// axeViolations injects axe-core into the page the browser shows, once,
// and returns what axe.run finds against axeTags.
func axeViolations(t *testing.T, ctx context.Context, where string) []axeViolation {
	t.Helper()
	// The fonts change the text's size and so what axe measures.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.fonts.ready.then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("%s: waiting for the fonts: %v", where, err)
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe === "object"`))
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	if !loaded {
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+"\n;typeof axe === \"object\"")); err != nil {
			t.Fatalf("%s: injecting axe-core: %v", where, err)
		}
	}
	tags := `["` + strings.Join(axeTags, `","`) + `"]`
	violations, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {
		runOnly: {type: "tag", values: `+tags+`},
		resultTypes: ["violations"],
	}).then(r => r.violations.map(v => ({
		id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
		nodes: v.nodes.map(n => ({target: n.target.map(String), summary: n.failureSummary})),
	})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", where, err)
	}
	return violations
}

// TestAxeFindsViolations shows that the check can fail: axe, injected as
// the pages' check injects it, under the same Content-Security-Policy,
// finds what is wrong with a page made wrong on purpose (a control with no
// label, text too faint to read).
func TestAxeFindsViolations(t *testing.T) {
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy)
		if r.URL.Path == "/bad.css" {
			w.Header().Set("Content-Type", "text/css")
			io.WriteString(w, `.faint{color:#ccc;background:#fff}`)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>بد</title>
<link rel="stylesheet" href="/bad.css"></head><body><main><h1>صفحه بد</h1>
<input name="amount"><p class="faint">متن کم‌رنگ</p></main></body></html>`)
	}))
	defer hs.Close()
	ctx := newChrome(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(hs.URL+"/")); err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, v := range axeViolations(t, ctx, "the bad page") {
		found[v.ID] = v.Impact
	}
	for _, id := range []string{"label", "color-contrast"} {
		if imp := found[id]; imp != "serious" && imp != "critical" {
			t.Errorf("axe on the bad page: %s is %q, want serious or critical (found %v)", id, imp, found)
		}
	}
}
