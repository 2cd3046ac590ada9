package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/taahod/taahod"
)

// TestBrowserAdminAndAuditor is the administrator's and the auditor's work
// in real browsers, with no JavaScript of ours: the administrator creates
// an accountant for a unit and reads the one-time password once; the
// accountant signs in with it, chooses their own and reaches their home;
// the administrator disables them and their open session ends; the
// auditor reads the trail (each entry's hash and the link to the one
// before) and runs verify, watching it to the end.
func TestBrowserAdminAndAuditor(t *testing.T) {
	e := newEnv(t)
	unit := e.mustCreateUnit("شرکت سیمان قزوین", "1010101010")
	e.mustCreateUser("boss", "مدیر سامانه", taahod.RoleAdmin)
	e.mustCreateUser("aud", "حسین نوری", taahod.RoleAuditor)
	base := e.http.URL
	admin, accountant, auditor := newChrome(t), newChrome(t), newChrome(t)

	steps := append(signInSteps(base, "boss"),
		chromedp.Click(chromedp.CSS(`a[href="/admin/users/new"]`)),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "maryam"),
		chromedp.SendKeys(chromedp.CSS("#full_name"), "مريم رضايي"), // Arabic ي, as some keyboards type it
		chromedp.SetValue(chromedp.CSS("#role"), string(taahod.RoleAccountant)),
		chromedp.SetValue(chromedp.CSS("#units"), itoa(unit.ID)),
		shot("admin-new-user"),
		chromedp.Click(chromedp.CSS(`form[action="/admin/users"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#one-time-password")),
		shot("admin-one-time-password"),
	)
	if err := chromedp.Do(admin, steps...); err != nil {
		t.Fatalf("create the accountant: %v", err)
	}
	password := text(t, admin, "#one-time-password")
	if len(password) < 16 {
		t.Fatalf("one-time password %q", password)
	}
	// Shown once: reloading the page no longer shows it.
	if err := chromedp.Do(admin, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`[role="alert"]`))); err != nil {
		t.Fatalf("reload: %v", err)
	}
	if body := text(t, admin, "main"); strings.Contains(body, password) {
		t.Errorf("the one-time password is shown again")
	}

	err := chromedp.Do(accountant,
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "maryam"),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#current_password")),
		chromedp.SendKeys(chromedp.CSS("#current_password"), password),
		chromedp.SendKeys(chromedp.CSS("#new_password"), "my-own-password-1404"),
		chromedp.SendKeys(chromedp.CSS("#new_password_again"), "my-own-password-1404"),
		chromedp.Click(chromedp.CSS(`form[action="/password"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#units-title")),
	)
	if err != nil {
		t.Fatalf("the accountant signs in: %v", err)
	}
	if h1, units := text(t, accountant, "h1"), text(t, accountant, ".units"); h1 != "مریم رضایی" || !strings.Contains(units, "شرکت سیمان قزوین") {
		t.Errorf("the accountant's home: h1 %q, units %q", h1, units)
	}

	err = chromedp.Do(admin,
		chromedp.Navigate(base+"/admin/users?q=maryam"),
		chromedp.WaitVisible(chromedp.CSS("#users-caption")),
		chromedp.Click(chromedp.CSS(`#users-caption ~ tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/disabled"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/disabled"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)),
		shot("admin-user-disabled"),
	)
	if err != nil {
		t.Fatalf("disable the accountant: %v", err)
	}
	if got := text(t, admin, `[role="status"]`); got != Message("user_disabled") {
		t.Errorf("after disabling: %q", got)
	}
	err = chromedp.Do(accountant,
		chromedp.Navigate(base+"/accountant"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
	)
	if err != nil {
		t.Fatalf("the disabled accountant's session: %v", err)
	}
	if p := pagePath(t, accountant); p != "/signin" {
		t.Errorf("the disabled accountant's open session goes on: %s", p)
	}

	steps = append(signInSteps(base, "aud"),
		chromedp.Click(chromedp.CSS(`a[href="/auditor/audit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#audit-caption")),
		shot("auditor-audit"),
	)
	if err := chromedp.Do(auditor, steps...); err != nil {
		t.Fatalf("the trail: %v", err)
	}
	trail := text(t, auditor, "table.audit tbody")
	for _, want := range []string{"user.update", "user.create", "boss", "maryam"} {
		if !strings.Contains(trail, want) {
			t.Errorf("the trail lacks %q", want)
		}
	}
	if link := text(t, auditor, `table.audit tbody tr:first-child a[href^="#e-"]`); len(link) != 64 {
		t.Errorf("the newest entry's link to the one before: %q", link)
	}
	err = chromedp.Do(auditor,
		chromedp.Navigate(base+"/auditor/verify"),
		chromedp.Click(chromedp.CSS(`form[action="/auditor/verify"] button`)),
		// The page refreshes itself until the sixth check has ended.
		chromedp.WaitVisible(chromedp.CSS(`ol.checks li:nth-child(6):not(.check-waiting):not(.check-running)`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/auditor/verify"] button`)),
		shot("auditor-verify"),
	)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if got := text(t, auditor, `#run-title + p`); !strings.Contains(got, "همه بررسی‌ها بی‌ایراد بود") {
		t.Errorf("verify says %q", got)
	}
}
