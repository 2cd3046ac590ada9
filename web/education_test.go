package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// eduShowcase is the showcase with the education officer signed in.
func eduShowcase(t *testing.T) (*showcase, *browser) {
	t.Helper()
	s := newShowcase(t)
	b := s.browser()
	if home := b.signIn("education"); home != "/education" {
		t.Fatalf("the education officer signs in to %q", home)
	}
	return s, b
}

// progressRows is how many progress reports and progress documents the
// database holds.
func progressRows(t *testing.T, e *env) (reports, docs int) {
	t.Helper()
	ctx := context.Background()
	if err := e.db.GetContext(ctx, &reports, `SELECT count(*) FROM school_progress`); err != nil {
		t.Fatal(err)
	}
	if err := e.db.GetContext(ctx, &docs, `SELECT count(*) FROM school_progress_documents`); err != nil {
		t.Fatal(err)
	}
	return reports, docs
}

func TestEducationHomeOverview(t *testing.T) {
	s, b := eduShowcase(t)
	a := b.get("/education")
	if a.status != http.StatusOK {
		t.Fatalf("GET /education: %d", a.status)
	}
	text := a.text()
	// The showcase's first pledge (due 1404/06/31, its school 40% built)
	// and its fourth (due 1405/06/31, its school planned) are past their
	// terms; the second's term (1405/12/29) is still ahead.
	if !strings.Contains(text, "۲ تعهد از مهلت توافق‌شده گذشته‌اند") {
		t.Errorf("the overview does not count two pledges overdue:\n%s", text)
	}
	if !hasLink(a, "/education/schools/"+s.ids["school"]) {
		t.Errorf("the overdue list does not link to the school %s", s.ids["school"])
	}
	for _, want := range []string{"/education/schools?status=planned", "/education/schools?status=under_construction",
		// html/template writes the county percent-encoded, in lower case.
		"/education/schools?county=" + strings.ToLower(url.QueryEscape("تاکستان")), "/education/schools"} {
		if !hasLink(a, want) {
			t.Errorf("no link to %s", want)
		}
	}
	caption := byID(a, "status-caption")
	if caption == "" {
		t.Fatal("no table of schools by status")
	}
	// Three schools are planned, one is being built.
	if !strings.Contains(text, "در برنامه ۳") || !strings.Contains(text, "در دست ساخت ۱") {
		t.Errorf("the counts by status are not 3 planned and 1 being built:\n%s", text)
	}
}

func TestEducationSchoolsSearchAndFilters(t *testing.T) {
	s, b := eduShowcase(t)
	store := ledger.NewStore(s.db)
	ctx := context.Background()
	for _, name := range []string{"دبستان شهید بهشتی قزوین", "هنرستان کار\u200cودانش قزوین"} {
		if _, err := store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: name, Kind: ledger.KindSchool, County: "قزوین"}); err != nil {
			t.Fatal(err)
		}
	}
	// «قزوين» with the Arabic ي finds both; «کار ودانش» with a space for
	// the ZWNJ and the Arabic ك finds the second.
	for q, want := range map[string]int{"قزوين": 2, "كار ودانش": 1, "فرزانگان": 1, "تبریز": 0} {
		a := b.get("/education/schools?q=" + url.QueryEscape(q))
		if a.status != http.StatusOK {
			t.Fatalf("q=%s: %d", q, a.status)
		}
		if got := strings.Count(a.body, `<a href="/education/schools/`); got != want {
			t.Errorf("q=%s: %d schools, want %d", q, got, want)
		}
		if inputValue(a, "q") != q {
			t.Errorf("q=%s: the search box shows %q", q, inputValue(a, "q"))
		}
	}
	for query, want := range map[string]int{
		"county=" + url.QueryEscape("قزوين"):              2,
		"kind=educational_center":                         1,
		"status=under_construction":                       1,
		"status=planned&county=" + url.QueryEscape("آوج"): 1,
	} {
		a := b.get("/education/schools?" + query)
		if got := strings.Count(a.body, `<a href="/education/schools/`); got != want {
			t.Errorf("%s: %d schools, want %d", query, got, want)
		}
	}
	if a := b.get("/education/schools?status=finished"); a.status != http.StatusBadRequest {
		t.Errorf("an unknown status: %d, want 400", a.status)
	}
}

func TestEducationSchoolsPages(t *testing.T) {
	s, b := eduShowcase(t)
	store := ledger.NewStore(s.db)
	for i := range schoolsPageSize {
		if _, err := store.CreateSchool(context.Background(), taahod.System, ledger.NewSchool{
			Name: "مدرسه شماره " + strconv.Itoa(i), Kind: ledger.KindSchool, County: "بوئین‌زهرا"}); err != nil {
			t.Fatal(err)
		}
	}
	first := b.get("/education/schools")
	if got := strings.Count(first.body, `<a href="/education/schools/`); got != schoolsPageSize {
		t.Fatalf("the first page lists %d schools, want %d", got, schoolsPageSize)
	}
	next := linkTitled(first, "بعدی")
	if next == "" || linkTitled(first, "قبلی") != "" {
		t.Fatalf("the first page's links: next %q, previous %q", next, linkTitled(first, "قبلی"))
	}
	second := b.get(strings.ReplaceAll(next, "&amp;", "&"))
	if got := strings.Count(second.body, `<a href="/education/schools/`); got != 4 {
		t.Errorf("the second page lists %d schools, want 4", got)
	}
	prev := linkTitled(second, "قبلی")
	if prev == "" || linkTitled(second, "بعدی") != "" {
		t.Fatalf("the second page's links: previous %q, next %q", prev, linkTitled(second, "بعدی"))
	}
	back := b.get(strings.ReplaceAll(prev, "&amp;", "&"))
	if back.body != first.body && strings.Count(back.body, `<a href="/education/schools/`) != schoolsPageSize {
		t.Errorf("«قبلی» does not lead back to the first page")
	}
}

func TestEducationSchoolPage(t *testing.T) {
	s, b := eduShowcase(t)
	path := "/education/schools/" + s.ids["school"]
	a := b.get(path)
	if a.status != http.StatusOK {
		t.Fatalf("GET %s: %d", path, a.status)
	}
	text := a.text()
	for _, want := range []string{
		"دبستان ۱۲ کلاسه شهید رجایی", "شرکت فولاد البرز", "۶۰٬۰۰۰٬۰۰۰٬۰۰۰ ریال", // the unit's pledge
		"۴۱٬۰۰۰٬۰۰۰٬۰۰۰ ریال", // approved: 25 billion and 16 of 20
		"۱۴۰۳/۰۹/۰۱", "گودبرداری و فونداسیون", "۱۴۰۴/۰۲/۱۵", "سقف طبقه اول بتن‌ریزی شد", "۴۰٪",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the school's page lacks %q", want)
		}
	}
	reports, err := ledger.NewStore(s.db).SchoolProgress(context.Background(), mustID(t, s.ids["school"]))
	if err != nil {
		t.Fatal(err)
	}
	r := reports[1]
	doc := path + "/progress/" + strconv.FormatInt(r.ID, 10) + "/documents/" + strconv.FormatInt(r.Documents[0].ID, 10)
	if !hasLink(a, doc) || !strings.Contains(a.body, `src="`+doc+`/thumbnail"`) {
		t.Fatalf("the gallery does not show %s with its thumbnail", doc)
	}
	if th := b.get(doc + "/thumbnail"); th.status != http.StatusOK || th.header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("thumbnail: %d %s", th.status, th.header.Get("Content-Type"))
	}
	if orig := b.get(doc); orig.status != http.StatusOK || orig.header.Get("Content-Type") != "image/png" || orig.body != string(showcasePhoto(t)) {
		t.Errorf("original: %d %s", orig.status, orig.header.Get("Content-Type"))
	}
	// The document under another school, or another report, is not found.
	other := "/education/schools/" + strconv.FormatInt(mustID(t, s.ids["school"])+1, 10) + "/progress/" + strconv.FormatInt(r.ID, 10) +
		"/documents/" + strconv.FormatInt(r.Documents[0].ID, 10)
	if nf := b.get(other); nf.status != http.StatusNotFound {
		t.Errorf("%s: %d, want 404", other, nf.status)
	}
	if nf := b.get("/education/schools/999999"); nf.status != http.StatusNotFound {
		t.Errorf("an unknown school: %d, want 404", nf.status)
	}
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestEducationOtherRolesNotFound(t *testing.T) {
	s := newShowcase(t)
	for _, role := range []taahod.Role{taahod.RoleAccountant, taahod.RoleTaxOfficer, taahod.RoleSecretariat, taahod.RoleAdmin, taahod.RoleAuditor} {
		b := s.browser()
		b.signIn(usernameOf(t, role))
		for _, path := range []string{"/education", "/education/schools", "/education/schools/" + s.ids["school"]} {
			// The auditor reads them (auditor_read_test.go) but posts no report.
			if a := b.get(path); a.status != http.StatusNotFound && role != taahod.RoleAuditor {
				t.Errorf("%s GET %s: %d, want 404", role, path, a.status)
			}
		}
		form := url.Values{"csrf": {b.get("/password").csrf()}, "milestone": {"x"}, "percent": {"50"}, "reported_on_jalali": {"1404/08/01"}}
		if a := b.post("/education/schools/"+s.ids["school"]+"/progress", form); a.status != http.StatusNotFound {
			t.Errorf("%s POST progress: %d, want 404", role, a.status)
		}
	}
	if n, _ := progressRows(t, s.env); n != 2 {
		t.Errorf("%d progress reports, want the showcase's 2", n)
	}
}
