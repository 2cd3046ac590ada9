package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestPublicHomeOnAPhone: a visitor who came from a QR code, on a 390 px
// phone, signed out, reads 1404's figures beside 1403's without scrolling
// sideways, follows «۲۶۰» to its rows, and verifies the demo certificate
// by typing its serial in lower case with Persian digits.
func TestPublicHomeOnAPhone(t *testing.T) {
	e := newDemoEnv(t)
	ctx := newChrome(t)
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(e.http.URL+"/?year=1404"),
		chromedp.WaitVisible(chromedp.CSS("#serial")),
		shot("public-home-phone"),
	)
	if err != nil {
		t.Fatalf("open the public home: %v", err)
	}
	if scroll, client := pageWidths(t, ctx); scroll > client {
		t.Errorf("at 390 px the public home scrolls sideways: %d px in %d", scroll, client)
	}
	// Both years' columns of the figures table are on the screen, not
	// scrolled away inside the table's box.
	edges, err := chromedp.Run(ctx, chromedp.Evaluate[[2]float64](`(() => {
		const t = document.querySelector('table.public-figures'), w = t.closest('.table-wrap');
		const r = t.querySelector('tbody tr td:last-child').getBoundingClientRect();
		return [w.scrollWidth - w.clientWidth, r.left];
	})()`))
	if err != nil {
		t.Fatal(err)
	}
	if edges[0] > 0 || edges[1] < 0 {
		t.Errorf("at 390 px the figures table overflows its box by %v px (1403's column at x=%v)", edges[0], edges[1])
	}
	checkAxe(t, ctx, "the public home at 390 px")

	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`table.public-figures a[href="/public/figures/resolutions.total?year=1404"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[rel="next"]`)),
	)
	if err != nil {
		t.Fatalf("follow «۲۶۰»: %v", err)
	}
	if h1 := text(t, ctx, "h1"); h1 != "مصوبات در سال ۱۴۰۴" {
		t.Errorf("the rows page's title: %q", h1)
	}
	if lead := text(t, ctx, ".lead strong"); lead != "۲۶۰" {
		t.Errorf("the rows page counts %q, want ۲۶۰", lead)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(e.http.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#serial")),
		chromedp.SendKeys(chromedp.CSS("#serial"), "qzv-۱۴۰۳-۰۰۰۰۰۱"),
		chromedp.Click(chromedp.CSS(`form[action="/verify"] button`)),
		// The verification page's own heading (the home has an h1 too).
		chromedp.WaitVisible(chromedp.CSS("h1 bdi.ltr")),
		shot("public-verify-phone"),
	)
	if err != nil {
		t.Fatalf("verify the demo certificate: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	if loc != "/v/QZV-1403-000001" {
		t.Errorf("the verify box led to %q, want /v/QZV-1403-000001", loc)
	}
	if body := text(t, ctx, "body"); !strings.Contains(body, "QZV-1403-000001") {
		t.Errorf("the verification page does not name the certificate:\n%s", body)
	}
}
