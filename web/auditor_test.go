package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
	"golang.org/x/net/html"
)

// auditorEnv is an auditor signed in, over a trail some entries long.
type auditorEnv struct {
	*env
	b *browser
}

func newAuditorEnv(t *testing.T) *auditorEnv {
	t.Helper()
	e := newEnv(t)
	e.mustCreateUser("aud", "حسین نوری", taahod.RoleAuditor)
	a := &auditorEnv{env: e, b: e.browser()}
	a.b.signIn("aud")
	return a
}

// auditRows are the rows of the trail's table.
func auditRows(a answer) []*html.Node {
	return findAll(a.doc(), func(n *html.Node) bool { return n.Data == "tr" && strings.HasPrefix(attr(n, "id"), "e-") })
}

func TestAuditorTrail(t *testing.T) {
	a := newAuditorEnv(t)
	admin := a.mustCreateUser("boss", "مدیر", taahod.RoleAdmin).Actor()
	store := registry.NewStore(a.db)
	for i := range 55 {
		if _, err := store.CreateUnit(context.Background(), admin, registry.NewUnit{Name: fmt.Sprintf("واحد %d", i),
			NationalID: taahod.MakeLegalEntityID(fmt.Sprintf("1020%06d", 100001+i)), County: "قزوین"}); err != nil {
			t.Fatal(err)
		}
	}
	page := a.b.get("/auditor/audit")
	rows := auditRows(page)
	if page.status != http.StatusOK || len(rows) != auditPageSize {
		t.Fatalf("the trail: %d, %d rows", page.status, len(rows))
	}
	// Each entry shows its hash and links its prev_hash to the entry before.
	first := textOf(rows[0])
	if !strings.Contains(first, "unit.create") || !strings.Contains(first, "boss") {
		t.Errorf("the newest entry: %s", first)
	}
	links := findAll(rows[0], func(n *html.Node) bool { return n.Data == "a" && strings.HasPrefix(attr(n, "href"), "#e-") })
	if len(links) != 1 {
		t.Fatalf("the newest entry links to no previous entry")
	}
	prev := findAll(page.doc(), func(n *html.Node) bool { return attr(n, "id") == strings.TrimPrefix(attr(links[0], "href"), "#") })
	if len(prev) != 1 || !strings.Contains(textOf(prev[0]), textOf(links[0])) {
		t.Errorf("the link to the previous entry does not lead to an entry with that hash")
	}
	if strings.Contains(page.body, "نمی‌خواند") {
		t.Errorf("an untouched chain shows a break")
	}
	// Paging by seq: the next page goes on where this one ended, and back.
	var next string
	for _, n := range findAll(page.doc(), func(n *html.Node) bool { return n.Data == "a" && attr(n, "rel") == "next" }) {
		next = attr(n, "href")
	}
	if next == "" {
		t.Fatal("no «بعدی» link")
	}
	second := a.b.get(next)
	if r := auditRows(second); len(r) == 0 || attr(r[0], "id") == attr(rows[0], "id") {
		t.Errorf("the second page repeats the first")
	}
	if !strings.Contains(second.body, `rel="prev"`) {
		t.Errorf("no «قبلی» link on the second page")
	}

	// Filters: by user (actor), by action, by Jalali date typed in Persian digits.
	by := a.b.get("/auditor/audit?actor=aud")
	for _, r := range auditRows(by) {
		if !strings.Contains(textOf(r), "aud") || strings.Contains(textOf(r), "boss") {
			t.Errorf("actor=aud shows %s", textOf(r))
		}
	}
	if len(auditRows(by)) == 0 {
		t.Errorf("actor=aud shows nothing (the auditor signed in)")
	}
	login := a.b.get("/auditor/audit?action=auth.login")
	if r := auditRows(login); len(r) == 0 || strings.Contains(login.text(), "unit.create") {
		t.Errorf("action=auth.login: %d rows", len(r))
	}
	today := PersianDigits(taahod.DateOf(time.Now().In(taahod.Tehran())).Jalali())
	if got := a.b.get("/auditor/audit?from=" + url.QueryEscape(today)); len(auditRows(got)) != auditPageSize {
		t.Errorf("from today: %d rows", len(auditRows(got)))
	}
	if got := a.b.get("/auditor/audit?to=1300/1/1"); len(auditRows(got)) != 0 {
		t.Errorf("to 1300: %d rows", len(auditRows(got)))
	}
	bad := a.b.get("/auditor/audit?from=" + url.QueryEscape("۱۴۰۴/۱۳/۰۱") + "&actor=" + url.QueryEscape("نام"))
	if bad.status != http.StatusUnprocessableEntity || byID(bad, "f-from-error") == "" || byID(bad, "f-actor-error") != Message("invalid_actor") {
		t.Errorf("bad filter: %d %q %q", bad.status, byID(bad, "f-from-error"), byID(bad, "f-actor-error"))
	}
	if inputValue(bad, "from") != "۱۴۰۴/۱۳/۰۱" {
		t.Errorf("the bad date was not kept: %q", inputValue(bad, "from"))
	}
}

// waitVerify reloads the verify page, as its refresh does, until the run
// has ended, and returns the last page.
func (a *auditorEnv) waitVerify(t *testing.T) answer {
	t.Helper()
	for range 2000 {
		page := a.b.get("/auditor/verify")
		if !strings.Contains(page.body, `http-equiv="refresh"`) {
			return page
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the verify run never ended")
	return answer{}
}

func TestAuditorVerify(t *testing.T) {
	a := newAuditorEnv(t)
	if got := a.b.get("/auditor/verify"); got.byRole("status") != "هنوز بررسی‌ای انجام نشده است." {
		t.Errorf("before any run: %q", got.byRole("status"))
	}
	if res := a.b.post("/auditor/verify", url.Values{}); res.status != http.StatusForbidden {
		t.Errorf("without the form's token: %d", res.status)
	}
	var before int
	count := func() int {
		var n int
		if err := a.db.GetContext(context.Background(), &n, `SELECT count(*) FROM audit_log`); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before = count()

	// While a check waits (the audit chain held by a lock), the page says
	// how far the run has gone and reloads itself; a second start joins it.
	lock, err := a.db.BeginTxx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.Exec(`LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	res := a.b.submit("/auditor/verify", "/auditor/verify", url.Values{})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/auditor/verify?m=verify_started" {
		t.Fatalf("start: %d %q", res.status, res.header.Get("Location"))
	}
	running := a.b.get(res.header.Get("Location"))
	if !strings.Contains(running.body, `<meta http-equiv="refresh" content="2; url=/auditor/verify">`) ||
		!strings.Contains(running.byRole("status"), "۰ از ۶ بررسی انجام شده است") || strings.Contains(running.body, `action="/auditor/verify"`) {
		t.Errorf("a run in progress:\n%s", running.text())
	}
	again := a.b.post("/auditor/verify", url.Values{"csrf": {running.csrf()}})
	if again.header.Get("Location") != "/auditor/verify?m=verify_running" {
		t.Errorf("a second start: %d %q", again.status, again.header.Get("Location"))
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	page := a.waitVerify(t)
	if strings.Contains(page.byRole("status"), Message("verify_running")) {
		t.Errorf("a finished run still says it is running")
	}
	if count() != before {
		t.Errorf("verify wrote to the audit trail: %d → %d", before, count())
	}
	res = a.b.submit("/auditor/verify", "/auditor/verify", url.Values{})
	if res.status != http.StatusSeeOther || !strings.HasPrefix(res.header.Get("Location"), "/auditor/verify?m=verify_") {
		t.Fatalf("start: %d %q", res.status, res.header.Get("Location"))
	}
	page = a.waitVerify(t)
	items := findAll(page.doc(), func(n *html.Node) bool { return n.Data == "li" && strings.HasPrefix(attr(n, "class"), "check-") })
	if len(items) != len(verifyCheckNames) {
		t.Fatalf("%d checks listed, want %d\n%s", len(items), len(verifyCheckNames), page.body)
	}
	for _, li := range items {
		if attr(li, "class") != "check-done" {
			t.Errorf("check %s: %s", textOf(li), attr(li, "class"))
		}
	}
	if !strings.Contains(page.byRole("status"), "همه بررسی‌ها بی‌ایراد بود") {
		t.Errorf("status %q", page.byRole("status"))
	}
	if count() != before {
		t.Errorf("verify wrote to the audit trail: %d → %d", before, count())
	}

	// A break is found and listed: an audit entry changed behind the
	// trigger's back.
	if _, err := a.db.ExecContext(context.Background(), `
		BEGIN; SET LOCAL session_replication_role = replica;
		UPDATE audit_log SET actor_name = 'mallory' WHERE seq = (SELECT min(seq) FROM audit_log); COMMIT;`); err != nil {
		t.Fatal(err)
	}
	a.b.submit("/auditor/verify", "/auditor/verify", url.Values{})
	page = a.waitVerify(t)
	broken := findAll(page.doc(), func(n *html.Node) bool {
		return n.Data == "li" && attr(n, "class") == "check-done" &&
			len(findAll(n, func(m *html.Node) bool { return m.Data == "ul" })) > 0
	})
	if len(broken) == 0 || !strings.Contains(textOf(broken[0]), verifyCheckNames["audit chain"]) {
		t.Errorf("the tampered entry is not listed:\n%s", page.text())
	}
	if got := a.b.get("/auditor"); !strings.Contains(got.text(), "ایراد پیدا شد") {
		t.Errorf("the home does not say the last run found breaks")
	}

	// Another role: 404, and nothing starts.
	a.mustCreateUser("boss", "مدیر", taahod.RoleAdmin)
	ob := a.browser()
	ob.signIn("boss")
	if got := ob.get("/auditor/verify"); got.status != http.StatusNotFound {
		t.Errorf("admin GET /auditor/verify: %d", got.status)
	}
	if got := ob.submit("/admin", "/auditor/verify", url.Values{}); got.status != http.StatusNotFound {
		t.Errorf("admin POST /auditor/verify: %d", got.status)
	}
}
