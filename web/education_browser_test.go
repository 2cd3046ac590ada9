package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// TestBrowserEducationFindsSchoolAndReports is the education officer's
// work in a browser: typing «قزوين» with the Arabic ي into the search box
// finds the school named with the Persian ی; on its page, a report of 45%
// with a photo is recorded, and the photo's thumbnail shows in the gallery.
func TestBrowserEducationFindsSchoolAndReports(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("education", "زهرا احمدی", taahod.RoleEducationOfficer)
	store := ledger.NewStore(e.db)
	ctx := context.Background()
	for _, sc := range []struct{ name, county string }{
		{"دبستان ۱۲ کلاسه شهید رجایی قزوین", "قزوین"},
		{"هنرستان فنی تاکستان", "تاکستان"},
	} {
		if _, err := store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: sc.name, Kind: ledger.KindSchool, County: sc.county}); err != nil {
			t.Fatal(err)
		}
	}
	photo := filepath.Join(t.TempDir(), "skeleton.png")
	if err := os.WriteFile(photo, testPNG(t, 120, 80), 0o600); err != nil {
		t.Fatal(err)
	}
	chrome := newChrome(t)
	base := e.http.URL

	steps := append(signInSteps(base, "education"),
		chromedp.Navigate(base+"/education/schools"),
		chromedp.WaitVisible(chromedp.CSS("#f-q")),
		chromedp.SendKeys(chromedp.CSS("#f-q"), "قزوين"), // Arabic ي, as some keyboards type it
		chromedp.Click(chromedp.CSS(`form[action="/education/schools"] button[type="submit"]`)),
		// The answer's search box carries what was searched (the list
		// before it had the caption too, so that cannot say it came).
		chromedp.WaitVisible(chromedp.CSS(`#f-q[value="قزوين"]`)),
		chromedp.WaitVisible(chromedp.CSS("#schools-caption")),
		shot("education-search"),
	)
	if err := chromedp.Do(chrome, steps...); err != nil {
		t.Fatalf("search: %v", err)
	}
	rows := text(t, chrome, "table tbody")
	if !strings.Contains(rows, "دبستان ۱۲ کلاسه شهید رجایی قزوین") || strings.Contains(rows, "تاکستان") {
		t.Fatalf("«قزوين» found: %q", rows)
	}

	err := chromedp.Do(chrome,
		chromedp.Click(chromedp.CSS(`table tbody a`)),
		chromedp.WaitVisible(chromedp.CSS("#milestone")),
		chromedp.SendKeys(chromedp.CSS("#milestone"), "اسکلت بتنی"),
		chromedp.SendKeys(chromedp.CSS("#percent"), "۴۵"),
		chromedp.SendKeys(chromedp.CSS("#reported_on_jalali"), "۱۴۰۴/۰۵/۱۰"),
		chromedp.SendKeys(chromedp.CSS("#note"), "سقف طبقه اول"),
		chromedp.SetUploadFiles(chromedp.CSS("#documents"), []string{photo}),
		chromedp.Click(chromedp.CSS(`form[action$="/progress"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.gallery img`)),
		shot("education-school-reported"),
	)
	if err != nil {
		t.Fatalf("report: %v", err)
	}
	if got := text(t, chrome, `[role="status"]`); got != Message("progress_recorded") {
		t.Errorf("status %q", got)
	}
	timeline := text(t, chrome, "#timeline")
	for _, want := range []string{"۱۴۰۴/۰۵/۱۰", "۴۵٪", "اسکلت بتنی", "سقف طبقه اول"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline lacks %q: %q", want, timeline)
		}
	}
	// The thumbnail loaded: the browser decoded a picture. It is made on
	// the server when asked for, which under -race on a busy machine may
	// take a while after the page itself has loaded: wait for it, up to
	// 10 s.
	var loaded bool
	var err2 error
	for deadline := time.Now().Add(10 * time.Second); !loaded && err2 == nil && time.Now().Before(deadline); {
		loaded, err2 = chromedp.Run(chrome, chromedp.Evaluate[bool](`(() => { const i = document.querySelector('.gallery img'); return i.complete && i.naturalWidth > 0 })()`))
		if !loaded {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if err := err2; err != nil || !loaded {
		t.Errorf("the gallery's thumbnail did not load (%v)", err)
	}
}
