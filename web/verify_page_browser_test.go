package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/taahod/taahod/certificate"
)

// TestVerifyPageOnAPhone opens the demo certificates' QR codes on a 390 px
// phone, as a tax official who photographed them does: the revoked one's
// and the superseded one's signature box is not green and says that the
// certificate is void though its signature is genuine; the valid one's is
// green; the public key's link stays on one line; nothing scrolls
// sideways; and a serial typed in the URL in lower case with Persian digits
// opens its page.
func TestVerifyPageOnAPhone(t *testing.T) {
	e := newDemoEnv(t)
	store, err := certificate.NewStore(e.db, certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test"})
	if err != nil {
		t.Fatal(err)
	}
	qrPath := func(serial string) string {
		r, err := store.Lookup(context.Background(), serial)
		if err != nil {
			t.Fatal(err)
		}
		code := certificate.CompactQRCodeOf(r.Printed.QRURL)
		if code == "" {
			t.Fatalf("%s: QR URL %q is not a compact one", serial, r.Printed.QRURL)
		}
		return "/Q/" + code
	}
	ctx := newChrome(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		serial, status string
		class, says    string
	}{
		{"QZV-1404-000003", "revoked", "bad", "اما این گواهی باطل شده است و اعتبار ندارد"},
		{"QZV-1404-000001", "superseded", "warn", "اما این گواهی با گواهی دیگری جایگزین شده است و اعتبار ندارد"},
		{"QZV-1403-000001", "valid", "good", "امضای دیجیتال این نشانی معتبر است"},
	} {
		t.Run(tc.status, func(t *testing.T) {
			err := chromedp.Do(ctx,
				chromedp.Navigate(e.http.URL+qrPath(tc.serial)),
				chromedp.WaitVisible(chromedp.CSS("#public-key")),
				shot("verify-"+tc.status+"-phone"),
				chromedp.ScrollIntoView(chromedp.CSS("#public-key")),
				shot("verify-"+tc.status+"-phone-signature"),
			)
			if err != nil {
				t.Fatalf("open the QR code's URL: %v", err)
			}
			if p := pagePath(t, ctx); p != "/v/"+tc.serial {
				t.Errorf("the QR code led to %q", p)
			}
			box, err := chromedp.Run(ctx, chromedp.Evaluate[[3]string](`(() => {
				const h = [...document.querySelectorAll('section.box h2')].find(h => h.textContent === 'امضای دیجیتال');
				const s = h.closest('section');
				return [s.className, getComputedStyle(s).backgroundColor, s.textContent];
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			green := box[1] == "rgb(237, 247, 238)"
			if !strings.Contains(box[0], tc.class) || green != (tc.class == "good") {
				t.Errorf("signature box %q on %s, want %s", box[0], box[1], tc.class)
			}
			if !strings.Contains(box[2], tc.says) {
				t.Errorf("the signature box says %q, want %q", box[2], tc.says)
			}
			// The key's link on one line, within the screen.
			link, err := chromedp.Run(ctx, chromedp.Evaluate[[3]float64](`(() => {
				const a = document.getElementById('public-key'), r = a.getBoundingClientRect();
				return [a.getClientRects().length, r.left, r.right];
			})()`))
			if err != nil {
				t.Fatal(err)
			}
			if link[0] != 1 || link[1] < 0 || link[2] > 390 {
				t.Errorf("the public key's link breaks over %v lines or leaves the screen (x %v to %v)", link[0], link[1], link[2])
			}
			if scroll, client := pageWidths(t, ctx); scroll > client {
				t.Errorf("at 390 px the page scrolls sideways: %d px in %d", scroll, client)
			}
		})
	}

	t.Run("a serial typed in the URL with Persian digits", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.Navigate(e.http.URL+"/v/"+url.PathEscape("qzv-۱۴۰۴-۰۰۰۰۰۳")),
			chromedp.WaitVisible(chromedp.CSS("h1 bdi")),
			shot("verify-typed-serial-phone"),
		)
		if err != nil {
			t.Fatal(err)
		}
		if h1 := text(t, ctx, "h1 bdi"); h1 != "QZV-1404-000003" {
			t.Errorf("the page names %q", h1)
		}
		if body := text(t, ctx, "body"); !strings.Contains(body, "باطل شده است") {
			t.Errorf("the page of the revoked certificate:\n%s", body)
		}
		checkAxe(t, ctx, "the verify page at 390 px")
	})
}
