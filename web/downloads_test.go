package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/xuri/excelize/v2"
	"golang.org/x/net/html"
)

// TestDownloadLinks: the list pages link their files, «دریافت اکسل» and
// «دریافت CSV», as plain links with the page's filters, and a browser that
// follows one with its session cookie gets the file.
func TestDownloadLinks(t *testing.T) {
	e := newEnv(t)
	for _, u := range []struct {
		name string
		role taahod.Role
	}{{"tax1", taahod.RoleTaxOfficer}, {"sec1", taahod.RoleSecretariat}, {"edu1", taahod.RoleEducationOfficer}} {
		e.mustCreateUser(u.name, u.name, u.role)
	}
	for _, c := range []struct {
		user, page, wantXLSX string
	}{
		{"tax1", "/tax-office/queue?category=construction&amount_min=%DB%B1%DB%B0%DB%B0%DB%B0", "/api/v1/reviews/queue?amount_min=1000&category=construction&format=xlsx"},
		{"tax1", "/tax-office/certificates", "/api/v1/certificates?format=xlsx"},
		{"sec1", "/secretariat/resolutions?status=implemented", "/api/v1/resolutions?format=xlsx&status=implemented"},
		{"sec1", "/secretariat/cases", "/api/v1/cases?format=xlsx"},
		{"sec1", "/secretariat/figures/rows?year=1404&figure=sessions.total", "/api/v1/reports/registry/rows?figure=sessions.total&format=xlsx&year=1404"},
		{"edu1", "/education/schools", "/api/v1/schools?format=xlsx"},
	} {
		t.Run(c.page, func(t *testing.T) {
			b := e.browser()
			b.signIn(c.user)
			page := b.get(c.page)
			if page.status != http.StatusOK {
				t.Fatalf("GET %s: %d", c.page, page.status)
			}
			links := map[string]string{}
			for _, a := range findAll(page.doc(), func(n *html.Node) bool { return n.Type == html.ElementNode && n.Data == "a" }) {
				links[strings.TrimSpace(textOf(a))] = attr(a, "href")
			}
			if links["دریافت اکسل"] != c.wantXLSX {
				t.Fatalf("«دریافت اکسل» links %q, want %q", links["دریافت اکسل"], c.wantXLSX)
			}
			xlsx := b.get(links["دریافت اکسل"])
			if xlsx.status != http.StatusOK || !strings.Contains(xlsx.header.Get("Content-Type"), "spreadsheetml") {
				t.Fatalf("following «دریافت اکسل»: %d %q %s", xlsx.status, xlsx.header.Get("Content-Type"), xlsx.body)
			}
			f, err := excelize.OpenReader(strings.NewReader(xlsx.body))
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			file := b.get(links["دریافت CSV"])
			if file.status != http.StatusOK || !strings.HasPrefix(file.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("following «دریافت CSV»: %d %q", file.status, file.header.Get("Content-Type"))
			}
			if _, err := csv.NewReader(bytes.NewReader([]byte(strings.TrimPrefix(file.body, "\ufeff")))).ReadAll(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
