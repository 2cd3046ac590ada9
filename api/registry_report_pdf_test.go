package api

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"golang.org/x/text/unicode/norm"
)

// TestRegistryReportPDF renders a year's report through the API, signed in
// and published, and reads the figures back from the PDF.
func TestRegistryReportPDF(t *testing.T) {
	e := newEnv(t)
	token := e.userToken("sec", taahod.RoleSecretariat)
	unit := e.mustCreateUnit("کاشی البرز", "1090807060")
	r := e.do("POST", "/api/v1/sessions", token, map[string]any{"kind": "formal", "held_on": "2025-05-10", "title": "جلسه ۱"})
	if r.status != 201 {
		t.Fatalf("session: %d %s", r.status, r.body)
	}
	session := r.json()["id"]
	for i := range 3 {
		r := e.do("POST", "/api/v1/resolutions", token, map[string]any{
			"session_id": session, "unit_id": unit.ID, "text": "تأمین گاز واحد " + string(rune('۱'+i)),
			"category": "gas", "agencies": []string{"شرکت گاز استان قزوین"}, "deadline": "2025-06-01",
		})
		if r.status != 201 {
			t.Fatalf("resolution: %d %s", r.status, r.body)
		}
	}
	for _, path := range []string{"/api/v1/reports/registry.pdf?year=1404", "/api/v1/public/registry.pdf?year=1404"} {
		tok := token
		if strings.Contains(path, "public") {
			tok = ""
		}
		r := e.do("GET", path, tok, nil)
		if r.status != 200 || r.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(r.body, []byte("%PDF")) {
			t.Fatalf("%s: %d %s", path, r.status, r.header.Get("Content-Type"))
		}
		cmd := exec.Command("pdftotext", "-", "-")
		cmd.Stdin = bytes.NewReader(r.body)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pdftotext (install poppler-utils; make test does): %v", err)
		}
		text := norm.NFKC.String(string(out))
		for _, want := range []string{"مصوبات", "شرکت گاز استان قزوین", "۱۴۰۴"} {
			if !strings.Contains(text, norm.NFKC.String(want)) {
				t.Errorf("%s: the report does not show %q:\n%s", path, want, text)
			}
		}
	}
	if r := e.do("GET", "/api/v1/public/registry.pdf?year=abc", "", nil); r.status != 422 {
		t.Fatalf("bad year: %d", r.status)
	}
}
