package web

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/taahod/taahod"
)

// chromium finds Debian's chromium (scripts/need-tools installs it for
// make test).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium is missing: run the tests with `make test` (scripts/need-tools installs it) or apt-get install chromium")
	return ""
}

// newChrome starts a headless chromium for the test and returns its
// context; the browser stops with the test.
func newChrome(t *testing.T) context.Context {
	t.Helper()
	// A bound for a hung browser, not a timing assertion.
	return newChromeWithin(t, 2*time.Minute)
}

// newChromeWithin is newChrome for a test whose bound for a hung browser is
// not the two minutes of one flow.
func newChromeWithin(t *testing.T, bound time.Duration) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelBound := context.WithTimeout(context.Background(), bound)
	t.Cleanup(cancelBound)
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	return ctx
}

// TestBrowserSignIn signs in as a person does, in a real browser with no
// help from JavaScript of ours: types the user name and password, presses
// the button, lands on their home, signs out.
func TestBrowserSignIn(t *testing.T) {
	e := newEnv(t)
	unit := e.mustCreateUnit("شرکت سیمان قزوین", "1010101010")
	e.mustCreateUser("accountant", "مریم رضایی", taahod.RoleAccountant, unit.ID)
	ctx := newChrome(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(e.http.URL+"/"), // signed out: the public home, whose header leads to sign in
		chromedp.Click(chromedp.CSS(`header a[href="/signin"]`)),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		shot("signin"),
		chromedp.SendKeys(chromedp.CSS("#username"), "accountant"),
		chromedp.SendKeys(chromedp.CSS("#password"), "password-of-accountant"),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#units-title")),
		shot("home-accountant"),
	)
	if err != nil {
		t.Fatalf("sign in: %v", err)
	}
	h1 := text(t, ctx, "h1")
	units := text(t, ctx, ".units")
	if p := pagePath(t, ctx); p != "/accountant" || h1 != "مریم رضایی" || !strings.Contains(units, "شرکت سیمان قزوین") {
		t.Fatalf("after signing in: %s, h1 %q, units %q", p, h1, units)
	}

	// Usable from 360 px wide: nothing runs off the side.
	for _, width := range []int64{1280, 360} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 740), shot(fmt.Sprintf("home-accountant-%d", width))); err != nil {
			t.Fatalf("viewport %d: %v", width, err)
		}
		scroll, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
		if err != nil {
			t.Fatal(err)
		}
		if scroll > width {
			t.Errorf("at %d px the page is %d px wide", width, scroll)
		}
	}

	// A form with an error comes back with the error beside its field.
	err = chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Click(chromedp.CSS(`a[href="/password"]`)),
		chromedp.WaitVisible(chromedp.CSS("#current_password")),
		chromedp.SendKeys(chromedp.CSS("#current_password"), "not-my-password"),
		chromedp.SendKeys(chromedp.CSS("#new_password"), "a-new-password-1404"),
		chromedp.SendKeys(chromedp.CSS("#new_password_again"), "a-new-password-1404"),
		chromedp.Click(chromedp.CSS(`form[action="/password"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#current_password-error")),
		shot("password-error"),
	)
	if err != nil {
		t.Fatalf("password form: %v", err)
	}
	if got := text(t, ctx, "#current_password-error"); got != Message("wrong_password") {
		t.Errorf("beside the current password: %q", got)
	}

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)),
	)
	if err != nil {
		t.Fatalf("sign out: %v", err)
	}
	if p, status := pagePath(t, ctx), text(t, ctx, `[role="status"]`); p != "/signin" || status != Message("signed_out") {
		t.Fatalf("after signing out: %s, status %q", p, status)
	}
}

// signInSteps signs in through the sign-in form, as a person does, and
// waits for the signed-in page (the sign-in page has an h1 too).
func signInSteps(base, username string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/signin"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), "password-of-"+username),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/signout"] button`)),
	}
}

// text is the visible text of the first element sel matches.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// pagePath is the path of the page the browser shows.
func pagePath(t *testing.T, ctx context.Context) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatalf("location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		t.Fatalf("location %q: %v", loc, err)
	}
	return u.Path
}

// shot saves a screenshot of the page as NAME.png in $TAAHOD_SCREENSHOTS,
// when that is set, to look at; otherwise it does nothing.
func shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		dir := os.Getenv("TAAHOD_SCREENSHOTS")
		if dir == "" {
			return nil
		}
		png, err := chromedp.CaptureScreenshot()(ctx, t)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	})
}
