package web

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserTaxOfficeYear is the tax officer's year in a real browser, no
// JavaScript of ours: open the unit's year from the list, record the tax as
// typed in Persian digits, preview the offset, confirm it, issue the
// certificate; each page fits 360 px.
func TestBrowserTaxOfficeYear(t *testing.T) {
	b := newTaxBooks(t)
	b.mustPolicy(t)
	ctx := newChrome(t)
	unit := itoa(b.unit.ID)
	err := chromedp.Do(ctx, append(signInSteps(b.e.http.URL, "tax"),
		chromedp.Navigate(b.e.http.URL+"/tax-office/tax-years"),
		chromedp.WaitVisible(chromedp.CSS("#year-"+unit)),
		shot("tax-years"),
		chromedp.SendKeys(chromedp.CSS("#year-"+unit), "۱۴۰۴"),
		chromedp.Click(chromedp.CSS(`form[action="/tax-office/units/`+unit+`/tax-years"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#tax_due")),
		chromedp.SendKeys(chromedp.CSS("#tax_due"), "۲٬۵۰۰٬۰۰۰"),
		chromedp.Click(chromedp.CSS(`#assess-h + form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)),
		shot("tax-year"),
		chromedp.Click(chromedp.CSS(`a[href$="/offset"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="fingerprint"] + button`)),
		shot("offset-preview"),
	)...)
	if err != nil {
		t.Fatalf("to the preview: %v", err)
	}
	if p := pagePath(t, ctx); p != b.yearPath()+"/offset" || !strings.Contains(text(t, ctx, ".note"), "۲٬۵۰۰٬۰۰۰ ریال") {
		t.Fatalf("preview at %s: %q", p, text(t, ctx, ".note"))
	}
	fits := func(name string) {
		t.Helper()
		for _, width := range []int64{1280, 360} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 740), shot(fmt.Sprintf("%s-%d", name, width))); err != nil {
				t.Fatal(err)
			}
			scroll, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if scroll > width {
				t.Errorf("%s at %d px is %d px wide", name, width, scroll)
			}
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
			t.Fatal(err)
		}
	}
	fits("offset-preview")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name="fingerprint"] + button`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)),
	)
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if got := text(t, ctx, `[role="status"]`); got != Message("offset_run") {
		t.Errorf("after the run: %q", got)
	}
	fits("tax-year-after-run")
	if st := b.statement(t); !st.OffsetAmount.Equal(mustDec("2500000")) {
		t.Fatalf("offset %s", st.OffsetAmount)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/tax-office/certificates"] button`)),
		// The certificate's page (the year's page has a #reason too).
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/revoke"]`)),
	)
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	if p := pagePath(t, ctx); p != "/tax-office/certificates/QZV-1404-000001" {
		t.Fatalf("after issuing: %s", p)
	}
	fits("certificate")
	if err := chromedp.Do(ctx, chromedp.Navigate(b.e.http.URL+"/tax-office/policies/1404"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	fits("policy")
	if err := chromedp.Do(ctx, chromedp.Navigate(b.e.http.URL+"/tax-office/policies/new"), chromedp.WaitVisible(chromedp.CSS("#fiscal_year"))); err != nil {
		t.Fatal(err)
	}
	fits("policy-new")
	if err := chromedp.Do(ctx, chromedp.Navigate(b.e.http.URL+"/tax-office/certificates"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	fits("certificates")
}
