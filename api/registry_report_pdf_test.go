package api

import (
	"bytes"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports/fa"
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

// TestRegistryReportPDFWording reads the yearly report's PDF back: the
// implementation rate's note says «بدون احتساب مصوبات لغوشده», and the
// overdue section gives each resolution's days overdue and, per agency, a
// total row (the number of resolutions and their days added up).
func TestRegistryReportPDFWording(t *testing.T) {
	e := newEnv(t)
	token := e.userToken("sec", taahod.RoleSecretariat)
	unit := e.mustCreateUnit("کاشی البرز", "1090807060")
	r := e.do("POST", "/api/v1/sessions", token, map[string]any{"kind": "formal", "held_on": "2025-05-10", "title": "جلسه ۱"})
	if r.status != 201 {
		t.Fatalf("session: %d %s", r.status, r.body)
	}
	session := r.json()["id"]
	for _, deadline := range []string{"2025-06-01", "2025-07-01"} {
		r := e.do("POST", "/api/v1/resolutions", token, map[string]any{
			"session_id": session, "unit_id": unit.ID, "text": "تأمین گاز واحد تا " + deadline,
			"category": "gas", "agencies": []string{"شرکت گاز استان قزوین"}, "deadline": deadline,
		})
		if r.status != 201 {
			t.Fatalf("resolution: %d %s", r.status, r.body)
		}
	}
	r = e.do("GET", "/api/v1/reports/registry.pdf?year=1404", token, nil)
	if r.status != 200 {
		t.Fatalf("report: %d %s", r.status, r.body)
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(r.body)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext (install poppler-utils; make test does): %v", err)
	}
	text := squeezePDFText(string(out))
	today := taahod.Today(time.Now())
	days := func(deadline string) int {
		d, err := taahod.ParseDate(deadline)
		if err != nil {
			t.Fatal(err)
		}
		return int(today.Time().Sub(d.Time()).Hours() / 24)
	}
	d1, d2 := days("2025-06-01"), days("2025-07-01")
	for _, want := range []string{
		"بدون احتساب مصوبات لغوشده", "روز تأخیر",
		fa.GroupAmount(strconv.Itoa(d1)), fa.GroupAmount(strconv.Itoa(d2)),
		"جمع ۲ مصوبه", fa.GroupAmount(strconv.Itoa(d1 + d2)),
	} {
		if !strings.Contains(text, squeezePDFText(want)) {
			t.Errorf("the report does not show %q:\n%s", want, out)
		}
	}
	if strings.Contains(text, squeezePDFText("بی مصوبات لغو شده")) {
		t.Error("the report still says «بی مصوبات لغو شده»")
	}
}

// squeezePDFText brings text extracted from a PDF and the text drawn to a
// form in which they compare: NFKC takes the presentation forms back to
// letters, and white space, ZWNJ and bidi controls go (pdftotext puts
// right-to-left runs back in order with its own bidi rules).
func squeezePDFText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '\u200c' || (r >= '\u200e' && r <= '\u200f') || (r >= '\u202a' && r <= '\u202e') {
			return -1
		}
		return r
	}, norm.NFKC.String(s))
}
