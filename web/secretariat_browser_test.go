package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/taahod/taahod/registry"
)

// TestBrowserSecretariatRecordsSession: the secretariat records a field
// session with two resolutions in one sitting, in a real browser, adding
// the second row with the form's own button (no JavaScript of ours), and
// lands on the session's page with both.
func TestBrowserSecretariatRecordsSession(t *testing.T) {
	m := newMinutes(t)
	ctx := newChrome(t)
	base := m.e.http.URL
	steps := append(signInSteps(base, "sec"),
		chromedp.Navigate(base+"/secretariat/sessions/new"),
		chromedp.WaitVisible(chromedp.CSS("#held_on_jalali")),
		chromedp.SetValue(chromedp.CSS("#kind"), registry.KindField),
		chromedp.SendKeys(chromedp.CSS("#held_on_jalali"), "۱۴۰۵/۰۹/۰۱"),
		chromedp.SendKeys(chromedp.CSS("#county"), "آبيك"), // Arabic ي and ک as some keyboards type them
		chromedp.SendKeys(chromedp.CSS("#title"), "جلسه میدانی آبیک"),
		chromedp.SendKeys(chromedp.CSS("#r0-text"), "صدور پروانه بهره برداری واحد"),
		chromedp.SetValue(chromedp.CSS("#r0-category"), "permits"),
		chromedp.SendKeys(chromedp.CSS("#r0-agencies"), "سازمان صمت استان"),
		chromedp.SendKeys(chromedp.CSS("#r0-deadline_jalali"), "1405/12/20"),
		chromedp.Click(chromedp.CSS(`button[name="add_row"]`)),
		chromedp.WaitVisible(chromedp.CSS("#r1-text")),
		shot("secretariat-session-add-row"),
		chromedp.SendKeys(chromedp.CSS("#r1-text"), "تأمین برق پایدار واحد"),
		chromedp.SetValue(chromedp.CSS("#r1-category"), "electricity"),
		chromedp.SendKeys(chromedp.CSS("#r1-agencies"), "شرکت توزیع برق استان"),
		chromedp.Click(chromedp.CSS(`form[action="/secretariat/sessions/new"] button[type="submit"]:not([name])`)),
		chromedp.WaitVisible(chromedp.CSS(`#session-resolutions-caption`)),
		shot("secretariat-session-recorded"),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("record a session: %v", err)
	}
	// What was typed in the first row survived the add-row round trip. (The
	// texts typed carry no ZWNJ: chromedp's SendKeys drops it.)
	page := text(t, ctx, "main")
	for _, want := range []string{Message("session_recorded"), "جلسه میدانی آبیک", "آبیک", "صدور پروانه بهره برداری واحد", "سازمان صمت استان",
		"۱۴۰۵/۱۲/۲۰", "تأمین برق پایدار واحد", "شرکت توزیع برق استان", "مصوبه‌های جلسه (۲)"} {
		if !strings.Contains(page, want) {
			t.Errorf("the session's page lacks %q:\n%s", want, page)
		}
	}
	sessions, err := m.store.ListSessions(context.Background(), registry.SignedIn(m.sec), registry.SessionFilter{Kind: registry.KindField, Limit: 10})
	if err != nil || len(sessions) != 2 || sessions[1].Resolutions != 2 || deref(sessions[1].County) != "آبیک" {
		t.Fatalf("field sessions: %v %+v", err, sessions)
	}
}
