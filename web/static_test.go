package web

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

func TestStaticFilesHashedAndCached(t *testing.T) {
	e := newEnv(t)
	b := e.browser()
	page := b.get("/signin")
	css := regexp.MustCompile(`href="(/static/app\.[0-9a-f]{12}\.css)"`).FindStringSubmatch(page.body)
	if css == nil {
		t.Fatalf("the page names no hashed style sheet:\n%s", page.body)
	}
	sheet := b.get(css[1])
	if sheet.status != http.StatusOK || !strings.HasPrefix(sheet.header.Get("Content-Type"), "text/css") {
		t.Fatalf("GET %s: %d %s", css[1], sheet.status, sheet.header.Get("Content-Type"))
	}
	if got := sheet.header.Get("Cache-Control"); got != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", got)
	}
	// The name carries the content's hash.
	sum := sha256.Sum256([]byte(sheet.body))
	if !strings.Contains(css[1], hex.EncodeToString(sum[:6])) {
		t.Errorf("%s is not named by its hash", css[1])
	}
	fonts := regexp.MustCompile(`/static/fonts/Vazirmatn-(Regular|Bold)\.[0-9a-f]{12}\.woff2`).FindAllString(sheet.body, -1)
	if len(fonts) != 2 {
		t.Fatalf("the sheet names %d hashed fonts: %v", len(fonts), fonts)
	}
	for _, f := range fonts {
		a := b.get(f)
		if a.status != http.StatusOK || a.header.Get("Content-Type") != "font/woff2" || !strings.HasPrefix(a.body, "wOF2") ||
			a.header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s: %d %s %q", f, a.status, a.header.Get("Content-Type"), a.header.Get("Cache-Control"))
		}
	}
	for _, path := range []string{"/static/app.css", "/static/fonts/Vazirmatn-Regular.woff2", "/static/app.000000000000.css"} {
		if a := b.get(path); a.status != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404 (only hashed names are served)", path, a.status)
		}
	}
	if a := b.get("/static/fonts/OFL.txt"); a.status != http.StatusNotFound {
		t.Errorf("the licence under its plain name: %d", a.status)
	}
}
