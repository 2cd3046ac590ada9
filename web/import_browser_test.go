package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// TestBrowserImportCSV: in a real browser the secretariat imports a cases
// file with an error on line 7, sees line 7 named in the problems table
// and nothing written, fixes the file and imports it whole.
func TestBrowserImportCSV(t *testing.T) {
	d := newRegistryDesk(t)
	units := []registry.Unit{d.steel, d.glass}
	dir := t.TempDir()
	bad, good := filepath.Join(dir, "پرونده‌ها.csv"), filepath.Join(dir, "پرونده‌ها-درست.csv")
	if err := os.WriteFile(bad, casesCSV(units, 8, 7), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(good, casesCSV(units, 8, 0), 0o600); err != nil {
		t.Fatal(err)
	}
	chrome := newChrome(t)
	base := d.http.URL
	steps := append(signInSteps(base, "secretariat"),
		chromedp.Click(chromedp.CSS(`a[href="/secretariat/import"]`)),
		chromedp.WaitVisible(chromedp.CSS("#file")),
		chromedp.SetValue(chromedp.CSS("#kind"), "cases"),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{bad}),
		chromedp.Click(chromedp.CSS(`form[action="/secretariat/import"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#problems-caption")),
		shot("import-line-7"),
	)
	if err := chromedp.Do(chrome, steps...); err != nil {
		t.Fatalf("import with an error: %v", err)
	}
	problems := text(t, chrome, `[aria-labelledby="problems-caption"] tbody`)
	if !strings.Contains(problems, "سطر ۷") || !strings.Contains(problems, "تاریخ ثبت") || strings.Count(problems, "سطر") != 1 {
		t.Errorf("the problems table: %q", problems)
	}
	if got := text(t, chrome, `[role="alert"]`); got != Message("import_refused") {
		t.Errorf("alert: %q", got)
	}
	if n := d.countCases(t); n != 0 {
		t.Fatalf("a file with an error wrote %d cases", n)
	}
	if got := value(t, chrome, "#kind"); got != "cases" {
		t.Errorf("the kind came back as %q", got)
	}
	err := chromedp.Do(chrome,
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{good}),
		chromedp.Click(chromedp.CSS(`form[action="/secretariat/import"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)),
		shot("import-done"),
	)
	if err != nil {
		t.Fatalf("import the fixed file: %v", err)
	}
	if got := text(t, chrome, `[role="status"]`); !strings.Contains(got, "«۸» ردیف پرونده‌ها") {
		t.Errorf("status: %q", got)
	}
	if n := d.countCases(t); n != 8 {
		t.Errorf("cases written: %d, want 8", n)
	}
	cases, err := d.reg.ListCases(t.Context(), registry.SignedIn(taahod.System), registry.CaseFilter{Outcome: registry.OutcomeResolved, Limit: 20})
	if err != nil || len(cases) != 8 || cases[5].OpenedOnJalali != "1404/06/15" {
		t.Errorf("cases as written: %d %v", len(cases), err)
	}
}
