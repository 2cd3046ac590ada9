package web

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/chromedp/chromedp"
)

// screenshotWidths are the widths `make screenshots` shows each page at: a
// desktop and a phone.
var screenshotWidths = []int64{1280, 390}

// TestScreenshots writes, for every page of the table (pages_table_test.go),
// opened on the showcase, a PNG of the whole page at each of
// screenshotWidths: $TAAHOD_SCREENSHOTS/NAME-1280.png and NAME-390.png.
// `make screenshots` runs it into docs/screenshots. The pages come from the
// real server, so Vazirmatn loads as it does for a user; the test fails if
// it has not.
//
// Without TAAHOD_SCREENSHOTS it is skipped: it checks nothing that
// TestPagesInBrowser does not, and writing files is not what `make test`
// is for.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("TAAHOD_SCREENSHOTS")
	if dir == "" {
		t.Skip("set TAAHOD_SCREENSHOTS=DIR (make screenshots) to write the pages' screenshots there")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	s := newShowcase(t)
	ctx := newChromeForEveryPage(t)
	var as signedInAs
	for _, p := range everyPage {
		t.Run(p.name, func(t *testing.T) {
			as.open(t, ctx, s, p)
			for _, width := range screenshotWidths {
				png := fullPage(t, ctx, width)
				name := filepath.Join(dir, p.name+"-"+strconv.FormatInt(width, 10)+".png")
				if err := os.WriteFile(name, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// fullPage is a PNG of the whole page the browser shows, width px wide and
// as tall as the page is at that width, once its fonts have loaded.
func fullPage(t *testing.T, ctx context.Context, width int64) []byte {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900)); err != nil {
		t.Fatal(err)
	}
	// Every page sets text in both weights (the h1 is bold), so both faces
	// load; a face that failed to load would leave Tahoma in the picture.
	faces, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.fonts.ready.then(fs =>
		[...fs].filter(f => f.family.replace(/"/g, "") === "Vazirmatn" && f.status === "loaded").length)`,
		chromedp.EvalAwaitPromise))
	if err != nil || faces != 2 {
		t.Fatalf("Vazirmatn: %d faces loaded, want 2 (%v)", faces, err)
	}
	height, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, height)); err != nil {
		t.Fatal(err)
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot at %d px: %v", width, err)
	}
	return png
}
