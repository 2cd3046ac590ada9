package web

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/taahod/taahod"
)

// TestPagesInBrowser opens every page of the table (pages_table_test.go)
// in chromium, signed in as its role, and holds each to the rules of every
// page that need a browser: no serious or critical axe-core violation of
// WCAG 2 A/AA, at desktop width and at 360 px; and at 390 and 360 px the
// page itself never scrolls sideways (a wide table scrolls inside its own
// box).
func TestPagesInBrowser(t *testing.T) {
	s := newShowcase(t)
	ctx := newChromeForEveryPage(t)
	var as signedInAs
	for _, p := range everyPage {
		t.Run(p.name, func(t *testing.T) {
			as.open(t, ctx, s, p)
			checkAxe(t, ctx, p.name+" at 1280 px")
			for _, width := range []int64{390, 360} {
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 800)); err != nil {
					t.Fatal(err)
				}
				if scroll, client := pageWidths(t, ctx); scroll > client {
					t.Errorf("at %d px the page scrolls sideways: %d px wide in a %d px window", width, scroll, client)
				}
			}
			checkAxe(t, ctx, p.name+" at 360 px")
		})
	}
}

// pageWidths is the width of the page's content and of its window, in
// CSS pixels.
func pageWidths(t *testing.T, ctx context.Context) (scroll, client int64) {
	t.Helper()
	w, err := chromedp.Run(ctx, chromedp.Evaluate[[2]int64](
		`[document.documentElement.scrollWidth, document.documentElement.clientWidth]`))
	if err != nil {
		t.Fatalf("page width: %v", err)
	}
	return w[0], w[1]
}

// signedInAs is whom one chromium is signed in as, so that a run of pages
// of one role signs in once.
type signedInAs struct {
	role taahod.Role
	set  bool
}

// open shows page p in the browser at 1280 px wide, signed in (through the
// sign-in form) as the showcase's user of its role, or signed out; it fails
// the test unless the page answers with its status.
func (as *signedInAs) open(t *testing.T, ctx context.Context, s *showcase, p pageCase) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	if !as.set || as.role != p.role {
		err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{})
			return err
		}))
		if err != nil {
			t.Fatalf("sign out: %v", err)
		}
		as.set, as.role = false, ""
		if p.role != "" {
			username := usernameOf(t, p.role)
			err := chromedp.Do(ctx, signInSteps(s.http.URL, username)...)
			if err != nil {
				t.Fatalf("sign in as %s: %v", username, err)
			}
		}
		as.set, as.role = true, p.role
	}
	res, err := chromedp.RunResponse(ctx, chromedp.Navigate(s.http.URL+s.path(t, p.path)))
	if err != nil {
		t.Fatalf("open %s: %v", p.path, err)
	}
	if int(res.Status) != p.wantStatus() {
		t.Fatalf("%s answers %d, want %d", p.path, res.Status, p.wantStatus())
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatalf("%s: %v", p.path, err)
	}
}

// newChromeForEveryPage is newChrome for a test that opens every page of
// the table: its bound for a hung browser grows with the table.
func newChromeForEveryPage(t *testing.T) context.Context {
	t.Helper()
	return newChromeWithin(t, time.Duration(len(everyPage))*30*time.Second)
}
