package web

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/registry"
	"github.com/taahod/taahod/reports/fa"
)

// The public site's tests run over the demo's registry (cmd/taahod's
// seed-demo, the source report's figures: 1404 has 28 formal and 6 field
// sessions, 260 resolutions of which 230 implemented and 30 in follow-up,
// 228 units examined). Package main cannot be imported, so the test builds
// the binary once and runs `taahod seed-demo` over a fresh test database,
// as a person following the README would.

var (
	taahodBinOnce sync.Once
	taahodBin     string
	taahodBinErr  error
)

// buildTaahod builds cmd/taahod once per test run.
func buildTaahod(t *testing.T) string {
	t.Helper()
	taahodBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "taahod-web-test")
		if err != nil {
			taahodBinErr = err
			return
		}
		// The binary (about 50 MB) goes when the package's tests end.
		dbtest.AfterAll(func() { _ = os.RemoveAll(dir) })
		taahodBin = filepath.Join(dir, "taahod")
		out, err := exec.Command("go", "build", "-o", taahodBin, "github.com/taahod/taahod/cmd/taahod").CombinedOutput()
		if err != nil {
			taahodBinErr = &buildError{string(out), err}
		}
	})
	if taahodBinErr != nil {
		t.Fatalf("build taahod: %v", taahodBinErr)
	}
	return taahodBin
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

// newDemoEnv is the whole service over a database seed-demo filled, its
// certificates signed with a key of the test's own.
func newDemoEnv(t *testing.T) *env {
	t.Helper()
	bin := buildTaahod(t)
	db, dbURL := dbtest.NewWithURL(t)
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(t.TempDir(), "signing.pem")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "seed-demo")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "TAAHOD_SIGNING_KEY="+keyPath)
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "registry 1404") {
		t.Fatalf("seed-demo: %v\n%s", err, out)
	}
	signer, err := certificate.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	// The service checks the demo certificates' QR codes with the key
	// that signed them.
	return newEnvSigned(t, db, signer)
}

// figureCells reads the public home's figures table: each row's label and
// its cells' text and links.
func figureCells(t *testing.T, a answer) map[string][][2]string {
	t.Helper()
	out := map[string][][2]string{}
	for _, table := range findAll(a.doc(), func(n *htmlNode) bool {
		return n.Data == "table" && strings.Contains(attr(n, "class"), "public-figures")
	}) {
		for _, tr := range findAll(table, func(n *htmlNode) bool { return n.Data == "tr" }) {
			ths := findAll(tr, func(n *htmlNode) bool { return n.Data == "th" && attr(n, "scope") == "row" })
			if len(ths) == 0 {
				continue
			}
			var cells [][2]string
			for _, td := range findAll(tr, func(n *htmlNode) bool { return n.Data == "td" }) {
				link := ""
				if as := findAll(td, func(n *htmlNode) bool { return n.Data == "a" }); len(as) > 0 {
					link = attr(as[0], "href")
				}
				cells = append(cells, [2]string{textOf(td), link})
			}
			out[textOf(ths[0])] = cells
		}
	}
	if len(out) == 0 {
		t.Fatalf("no figures table in the page:\n%s", a.body)
	}
	return out
}

// TestPublicHomeShowsTheReportsFigures: signed out, the public page of
// 1404 shows the source report's figures beside 1403's, each a link to its
// records, and following «۲۶۰» lists exactly 260 resolutions across its
// pages, confidential units withheld as the API withholds them.
func TestPublicHomeShowsTheReportsFigures(t *testing.T) {
	e := newDemoEnv(t)
	b := e.browser()

	home := b.get("/?year=1404")
	if home.status != http.StatusOK {
		t.Fatalf("GET /?year=1404: %d\n%s", home.status, home.body)
	}
	cells := figureCells(t, home)
	want := map[string][2]string{ // label: 1404's, 1403's
		"مجموع جلسات":                {"۳۴", "۶۸"},
		"جلسات رسمی":                 {"۲۸", "۶۸"},
		"جلسات میدانی در شهرستان‌ها": {"۶", "۰"},
		"مصوبات":                     {"۲۶۰", "۳۵۳"},
		"مصوبات اجرا شده":            {"۲۳۰", "۳۴۱"},
		"مصوبات در حال پیگیری":       {"۳۰", "۱۲"},
		"واحدهای تولیدی بررسی‌شده":   {"۲۲۸", ""},
		"واحدهای راکد احیا شده":      {"۰", "۵۵"},
	}
	for label, w := range want {
		got, ok := cells[label]
		if !ok || len(got) != 2 {
			t.Errorf("figure %q: %v", label, got)
			continue
		}
		for i := range 2 {
			if w[i] != "" && got[i][0] != w[i] {
				t.Errorf("figure %q, column %d: %q, want %q", label, i, got[i][0], w[i])
			}
		}
	}
	if rate := cells["نرخ اجرای مصوبات (اجرا شده از همه، بی لغو شده‌ها)"]; len(rate) != 2 || !strings.HasPrefix(rate[0][0], "۸۸٫۴۶٪") {
		t.Errorf("1404's implementation rate: %v, want ۸۸٫۴۶٪ (230 of 260)", rate)
	}
	if !strings.Contains(home.body, `href="/api/v1/public/registry.pdf?year=1404"`) {
		t.Errorf("no link to the yearly report's PDF")
	}
	if strings.Count(home.body, "<svg") != 2 || !strings.Contains(home.body, "<title id=\"by-status-title\">") || strings.Contains(home.body, "style=") {
		t.Errorf("want two inline SVG charts with titles and no style attribute")
	}

	// «۲۶۰» leads to its rows, 50 a page, 260 in all, each once.
	link := cells["مصوبات"][0][1]
	if link != "/public/figures/resolutions.total?year=1404" {
		t.Fatalf("«۲۶۰» links to %q", link)
	}
	seen := map[string]bool{}
	withheld, pages := 0, 0
	for link != "" {
		a := b.get(link)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s: %d", link, a.status)
		}
		pages++
		for _, tr := range findAll(a.doc(), func(n *htmlNode) bool { return n.Data == "tr" && n.Parent.Data == "tbody" }) {
			tds := findAll(tr, func(n *htmlNode) bool { return n.Data == "td" })
			if seen[textOf(tds[0])] {
				t.Errorf("resolution %s listed twice", textOf(tds[0]))
			}
			seen[textOf(tds[0])] = true
			if textOf(tds[2]) == "محرمانه" {
				withheld++
			}
		}
		link = ""
		for _, n := range findAll(a.doc(), func(n *htmlNode) bool { return n.Data == "a" && attr(n, "rel") == "next" }) {
			link = attr(n, "href")
		}
	}
	if len(seen) != 260 || pages != 6 {
		t.Errorf("following «۲۶۰»: %d rows on %d pages, want 260 on 6", len(seen), pages)
	}
	var confidential int
	if err := e.db.Get(&confidential, `SELECT count(*) FROM resolutions WHERE confidential AND unit_id IS NOT NULL
		AND adopted_on BETWEEN '2025-03-21' AND '2026-03-20'`); err != nil {
		t.Fatal(err)
	}
	if withheld != confidential {
		t.Errorf("%d rows withhold their unit, want the %d confidential ones", withheld, confidential)
	}

	// Signed out, "/" is the current year beside the one before.
	if a := b.get("/"); a.status != http.StatusOK || !strings.Contains(a.text(), "ورود") {
		t.Errorf("GET / signed out: %d", a.status)
	}
	for _, bad := range []string{"/public/figures/no_such_figure?year=1404", "/public/figures/units_examined?year=abc"} {
		if a := b.get(bad); a.status != http.StatusNotFound && a.status != http.StatusBadRequest {
			t.Errorf("GET %s: %d", bad, a.status)
		}
	}
}

// TestPublicVerifyBox: the home's box takes a serial as people type it and
// leads to the certificate's public verification page, the one its QR
// code opens; what is not a serial comes back with the error beside the
// field.
func TestPublicVerifyBox(t *testing.T) {
	e := newDemoEnv(t)
	b := e.browser()
	for _, typed := range []string{"qzv-۱۴۰۳-۰۰۰۰۰۱", " QZV-1403-000001 ", "Qzv-١٤٠٣-٠٠٠٠٠١"} {
		a := b.get("/verify?serial=" + url.QueryEscape(typed))
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/v/QZV-1403-000001" {
			t.Errorf("serial %q: %d → %q, want /v/QZV-1403-000001", typed, a.status, a.header.Get("Location"))
		}
	}
	// The verification page is the API's own (certificate.RenderVerifyPage,
	// with its own CSP): read as it is, not held to the web pages' checks.
	page := func(path string) (int, string) {
		t.Helper()
		res, err := http.Get(e.http.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(body)
	}
	var cert struct {
		Sig    string          `db:"facts_signature"`
		Amount decimal.Decimal `db:"offset_amount"`
		Unit   string          `db:"name"`
	}
	if err := e.db.GetContext(context.Background(), &cert, `SELECT c.facts_signature, c.offset_amount, u.name
		FROM certificates c JOIN units u ON u.id = c.unit_id WHERE c.serial = 'QZV-1403-000001'`); err != nil {
		t.Fatal(err)
	}
	code, err := certificate.VerificationCode(cert.Sig)
	if err != nil {
		t.Fatal(err)
	}
	figure := fa.GroupAmount(taahod.FormatAmount(cert.Amount))
	// By serial alone: whether it stands, and a field for the code; neither
	// the unit nor the amount is anywhere in the HTML.
	status, body := page("/v/QZV-1403-000001")
	if status != http.StatusOK || !strings.Contains(body, "QZV-1403-000001") || !strings.Contains(body, `name="code"`) {
		t.Errorf("the verification page of the demo certificate: %d", status)
	}
	if strings.Contains(body, cert.Unit) || strings.Contains(body, figure) {
		t.Errorf("the page by serial alone shows the unit %q or the amount %q", cert.Unit, figure)
	}

	// With the code (typed in the box as people type it) the box leads to
	// the page with the code, and the page shows both.
	persian := strings.NewReplacer("0", "۰", "1", "۱", "2", "۲", "3", "۳", "4", "۴", "5", "۵", "6", "۶", "7", "۷", "8", "۸", "9", "۹").Replace(code)
	for _, typed := range []string{code, strings.ToLower(strings.ReplaceAll(code, "-", "")), persian} {
		a := b.get("/verify?serial=QZV-1403-000001&code=" + url.QueryEscape(typed))
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/v/QZV-1403-000001?code="+code {
			t.Errorf("code %q: %d → %q", typed, a.status, a.header.Get("Location"))
			continue
		}
		status, body := page(a.header.Get("Location"))
		if status != http.StatusOK || !strings.Contains(body, cert.Unit) || !strings.Contains(body, figure) {
			t.Errorf("code %q: %d, the page lacks the unit or the amount", typed, status)
		}
	}
	// A wrong code: the Persian error beside the field, no figure.
	wrong := "0000-0000-00"
	if code == wrong {
		wrong = "0000-0000-01"
	}
	status, body = page("/v/QZV-1403-000001?code=" + wrong)
	if status != http.StatusForbidden || !strings.Contains(body, `id="code-error"`) || !strings.Contains(body, "با این گواهی نمی‌خواند") ||
		strings.Contains(body, cert.Unit) || strings.Contains(body, figure) {
		t.Errorf("a wrong code: %d\n%s", status, body)
	}

	for typed, want := range map[string]string{"": "این خانه را پر کنید.", "1403-1": Message("invalid_serial")} {
		a := b.get("/verify?serial=" + url.QueryEscape(typed))
		if a.status != http.StatusUnprocessableEntity || byID(a, "serial-error") != want || inputValue(a, "serial") != typed {
			t.Errorf("serial %q: %d, error %q, value %q", typed, a.status, byID(a, "serial-error"), inputValue(a, "serial"))
		}
	}
	// A code that cannot be one is told on the home, beside its field.
	a := b.get("/verify?serial=QZV-1403-000001&code=12")
	if a.status != http.StatusUnprocessableEntity || byID(a, "code-error") != Message("invalid_verification_code") ||
		inputValue(a, "code") != "12" || inputValue(a, "serial") != "QZV-1403-000001" {
		t.Errorf("a malformed code: %d, error %q", a.status, byID(a, "code-error"))
	}
}

// seedPublicShowcase gives the showcase's registry a 1404 session with
// resolutions in several states, one of them confidential, so that the
// public pages of the page table show figures and rows.
func seedPublicShowcase(t *testing.T, s *showcase, secretariat taahod.Actor, units ...int64) {
	t.Helper()
	ctx := context.Background()
	store := registry.NewStore(s.db)
	s.ids["figure"], s.ids["units_figure"] = "resolutions.total", "units_examined"
	county, title := "قزوین", "جلسه کارگروه رفع موانع تولید"
	session, err := store.CreateSession(ctx, secretariat, registry.NewSession{Kind: registry.KindFormal,
		HeldOnJalali: "1404/03/10", County: &county, Title: &title})
	if err != nil {
		t.Fatalf("showcase session: %v", err)
	}
	plan := []struct {
		text, category, status string
		unit                   int64
		confidential           bool
	}{
		{"تمدید تسهیلات سرمایه در گردش واحد", "banking", registry.StatusImplemented, units[0], false},
		{"تقسیط بدهی بیمه کارکنان", "social_security", registry.StatusInFollowUp, units[0], false},
		{"رسیدگی به پرونده مالیاتی سال ۱۴۰۲", "tax", registry.StatusImplemented, units[1], true},
		{"تأمین گاز پایدار در زمستان", "gas", "", units[1], false},
	}
	for _, r := range plan {
		unit := r.unit
		res, err := store.CreateResolution(ctx, secretariat, registry.NewResolution{SessionID: &session.ID, UnitID: &unit,
			Text: r.text, Category: r.category, Agencies: []string{"اداره کل امور مالیاتی استان"}, DeadlineJalali: "1404/08/30",
			Confidential: r.confidential})
		if err != nil {
			t.Fatalf("showcase resolution: %v", err)
		}
		if r.status != "" {
			if _, err := store.ChangeStatus(ctx, secretariat, res.ID, registry.StatusChange{Status: r.status, OnJalali: "1404/06/01"}); err != nil {
				t.Fatalf("showcase status: %v", err)
			}
		}
	}
}
