package web

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// pageBudget is the most a page may weigh before its fonts: its HTML and
// every style sheet, script and image of the site's own (/static/) it loads.
const pageBudget = 150 * 1024

// TestPageWeight opens every page of the table (pages_table_test.go) over
// HTTP, as its role, and adds up what it loads before fonts. The font files
// are left out (cached a year under hashed names, shared by every page);
// so are the documents a page shows (an expenditure's scans are what the
// user uploaded, not the page). Each page is also held to the rules of
// every page (checkPage) and answers its status.
func TestPageWeight(t *testing.T) {
	s := newShowcase(t)
	browsers := map[string]*browser{}
	for _, p := range everyPage {
		t.Run(p.name, func(t *testing.T) {
			br := browsers[string(p.role)]
			if br == nil {
				br = s.browser()
				if p.role != "" {
					br.signIn(usernameOf(t, p.role))
				}
				browsers[string(p.role)] = br
			}
			path := s.path(t, p.path)
			a := br.get(path)
			if a.status != p.wantStatus() {
				t.Fatalf("%s answers %d, want %d", path, a.status, p.wantStatus())
			}
			total, parts := len(a.body), []string{path}
			for _, src := range pageAssets(a.doc()) {
				asset := br.get(src)
				if asset.status != http.StatusOK {
					t.Fatalf("%s loads %s: %d", path, src, asset.status)
				}
				total += len(asset.body)
				parts = append(parts, src)
				if strings.HasSuffix(src, ".css") {
					for _, m := range cssURL.FindAllStringSubmatch(asset.body, -1) {
						if u := m[1]; strings.HasPrefix(u, "/static/") && !isFont(u) {
							img := br.get(u)
							if img.status != http.StatusOK {
								t.Fatalf("%s names %s: %d", src, u, img.status)
							}
							total += len(img.body)
							parts = append(parts, u)
						}
					}
				}
			}
			t.Logf("%s: %d bytes before fonts (%s)", p.name, total, strings.Join(parts, ", "))
			if total > pageBudget {
				t.Errorf("%s weighs %d bytes before fonts, over the %d of the budget (%s)", path, total, pageBudget, strings.Join(parts, ", "))
			}
		})
	}
}

// pageAssets are the site's own files a page loads: style sheets, scripts,
// icons and images under /static/.
func pageAssets(doc *html.Node) []string {
	var out []string
	for _, n := range findAll(doc, func(n *html.Node) bool {
		return n.Data == "link" || n.Data == "script" || n.Data == "img"
	}) {
		src := attr(n, "src")
		if n.Data == "link" {
			src = attr(n, "href")
		}
		if strings.HasPrefix(src, "/static/") && !isFont(src) {
			out = append(out, src)
		}
	}
	return out
}

// cssURL finds the url(...) references of a style sheet.
var cssURL = regexp.MustCompile(`url\(\s*["']?([^"')\s]+)["']?\s*\)`)

func isFont(path string) bool {
	return strings.HasSuffix(path, ".woff2") || strings.HasSuffix(path, ".woff") || strings.HasSuffix(path, ".ttf")
}
