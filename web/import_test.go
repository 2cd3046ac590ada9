package web

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
	"golang.org/x/net/html"
)

// importCSV uploads data as the import form does, with the token of the
// import page.
func importCSV(b *browser, kind, name string, data []byte) answer {
	b.e.t.Helper()
	page := b.get("/secretariat/import")
	return b.postImport(page.csrf(), kind, name, data)
}

func (b *browser) postImport(csrf, kind, name string, data []byte) answer {
	b.e.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if csrf != "" {
		_ = w.WriteField("csrf", csrf)
	}
	_ = w.WriteField("kind", kind)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = w.Close()
	req, _ := http.NewRequest("POST", b.e.http.URL+"/secretariat/import", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// problemRows are the rows of the problems table: line, column, problem.
func problemRows(a answer) [][3]string {
	var out [][3]string
	for _, tb := range findAll(a.doc(), func(n *html.Node) bool { return n.Data == "table" }) {
		if !strings.Contains(textOf(tb), "ایرادها به ترتیب سطر") {
			continue
		}
		for _, tr := range findAll(tb, func(n *html.Node) bool { return n.Data == "tr" }) {
			tds := findAll(tr, func(n *html.Node) bool { return n.Data == "td" })
			if len(tds) == 3 {
				out = append(out, [3]string{textOf(tds[0]), textOf(tds[1]), textOf(tds[2])})
			}
		}
	}
	return out
}

// casesCSV is a cases file of n rows with Persian headers, opened_on of
// the row on line bad (if any) not a date.
func casesCSV(units []registry.Unit, n, bad int) []byte {
	var b strings.Builder
	b.WriteString("\uFEFFشناسه ملی واحد,نحوه رسیدگی,موضوع,دسته,تاریخ ثبت,نتیجه\n")
	for i := range n {
		line := i + 2
		date := fmt.Sprintf("1404/0%d/1%d", 1+i%9, i%10)
		if line == bad {
			date = "1404/13/01"
		}
		fmt.Fprintf(&b, "%s,استعلام تلفنی,مشکل شماره %d,گاز,%s,حل شده\n", units[i%len(units)].NationalID, i+1, date)
	}
	return []byte(b.String())
}

func TestImportShowsEveryLineErrorAndWritesNothing(t *testing.T) {
	d := newRegistryDesk(t)
	b := d.signedIn(t, "secretariat")
	units := []registry.Unit{d.steel, d.glass}
	data := casesCSV(units, 9, 7)
	// A unit nobody registered, on line 11.
	data = append(data, []byte(taahod.MakeLegalEntityID("1010777777")+",استعلام کتبی,واحد ناشناس,سایر,1404/02/02,باز\n")...)
	a := importCSV(b, "cases", "پرونده‌ها.csv", data)
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad file: %d\n%s", a.status, a.text())
	}
	rows := problemRows(a)
	if len(rows) != 2 {
		t.Fatalf("problems: %v", rows)
	}
	if rows[0][0] != "سطر ۷" || rows[0][1] != "تاریخ ثبت (opened_on)" || rows[0][2] == Message(taahod.EINVALID) || rows[0][2] == "" {
		t.Errorf("line 7: %v", rows[0])
	}
	if rows[1] != [3]string{"سطر ۱۱", "شناسه ملی واحد (unit_national_id)", Message("import_not_found")} {
		t.Errorf("line 11: %v", rows[1])
	}
	if !strings.Contains(a.byRole("alert"), Message("import_refused")) {
		t.Errorf("alert: %q", a.byRole("alert"))
	}
	if inputValue(a, "kind") != "cases" {
		t.Error("the kind chosen is not kept")
	}
	if n := d.countCases(t); n != 0 {
		t.Fatalf("a refused file wrote %d cases", n)
	}
	// Without the token: 403 and nothing written.
	if a := b.postImport("", "cases", "x.csv", casesCSV(units, 9, 0)); a.status != http.StatusForbidden {
		t.Errorf("no CSRF: %d", a.status)
	}
	a = importCSV(b, "cases", "پرونده‌ها.csv", casesCSV(units, 9, 0))
	if a.status != http.StatusSeeOther {
		t.Fatalf("good file: %d\n%s", a.status, a.text())
	}
	page := b.get(a.header.Get("Location"))
	if !strings.Contains(page.byRole("status"), "«۹» ردیف پرونده‌ها") {
		t.Errorf("status: %q", page.byRole("status"))
	}
	if n := d.countCases(t); n != 9 {
		t.Errorf("cases: %d, want 9", n)
	}
}

func TestImportFileProblems(t *testing.T) {
	d := newRegistryDesk(t)
	b := d.signedIn(t, "secretariat")
	a := importCSV(b, "cases", "x.csv", []byte("شناسه ملی واحد,رنگ,موضوع,تاریخ ثبت\n"))
	rows := problemRows(a)
	if a.status != http.StatusUnprocessableEntity || len(rows) < 2 {
		t.Fatalf("headers: %d %v", a.status, rows)
	}
	if rows[0] != [3]string{"سطر ۱", "رنگ", Message("unknown_column")} {
		t.Errorf("unknown column: %v", rows[0])
	}
	a = importCSV(b, "cases", "x.csv", []byte("\xff\xfeabc"))
	if rows := problemRows(a); len(rows) != 1 || rows[0][2] != Message("not_utf8") {
		t.Errorf("not UTF-8: %v", rows)
	}
	// No kind, no file: each beside its field.
	a = importCSV(b, "", "", nil)
	if a.status != http.StatusUnprocessableEntity || byID(a, "kind-error") == "" || byID(a, "file-error") != Message("no_file") {
		t.Errorf("empty form: %d %q %q", a.status, byID(a, "kind-error"), byID(a, "file-error"))
	}
	// Over the import's bound: refused before it is read.
	big := bytes.Repeat([]byte("x"), maxImportBody+1)
	if a := importCSV(b, "cases", "big.csv", big); a.status != http.StatusRequestEntityTooLarge {
		t.Errorf("too large: %d", a.status)
	}
	if n := d.countCases(t); n != 0 {
		t.Errorf("cases: %d", n)
	}
}

// TestImportTemplates: each template is UTF-8 with a byte-order mark and
// the Persian headers, and a file made from it, a row added, imports.
func TestImportTemplates(t *testing.T) {
	d := newRegistryDesk(t)
	b := d.signedIn(t, "secretariat")
	for _, tc := range []struct {
		kind    string
		columns []registry.CSVColumn
		row     map[string]string
	}{
		{"cases", registry.CaseColumns, map[string]string{"شناسه ملی واحد": d.glass.NationalID, "نحوه رسیدگی": "ارجاع به ستاد ملی",
			"موضوع": "واردات مواد اولیه", "دسته": "گمرکی", "تاریخ ثبت": "۱۴۰۴/۰۴/۰۱"}},
		{"resolutions", registry.ResolutionColumns, map[string]string{"شناسه ملی واحد": d.steel.NationalID, "متن مصوبه": "تمدید مهلت بازپرداخت تسهیلات",
			"دسته": "بانکی", "دستگاه‌های اجرایی": "بانک ملی؛ بانک صادرات", "تاریخ مصوبه": "1404/03/01", "وضعیت": "در حال پیگیری"}},
	} {
		a := b.get("/secretariat/import/template?kind=" + tc.kind)
		if a.status != http.StatusOK || a.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.Contains(a.header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%s template: %d %v", tc.kind, a.status, a.header)
		}
		if !strings.HasPrefix(a.body, "\uFEFF") {
			t.Errorf("%s template has no byte-order mark", tc.kind)
		}
		header := strings.Split(strings.TrimSpace(strings.TrimPrefix(a.body, "\uFEFF")), ",")
		if len(header) != len(tc.columns) {
			t.Fatalf("%s template header %v", tc.kind, header)
		}
		cells := make([]string, len(header))
		for i, h := range header {
			if h != tc.columns[i].Persian {
				t.Errorf("%s column %d: %q, want %q", tc.kind, i, h, tc.columns[i].Persian)
			}
			cells[i] = tc.row[h]
		}
		file := a.body + strings.Join(cells, ",") + "\n"
		if res := importCSV(b, tc.kind, tc.kind+".csv", []byte(file)); res.status != http.StatusSeeOther {
			t.Errorf("%s from the template: %d\n%v\n%s", tc.kind, res.status, problemRows(res), res.byRole("alert"))
		}
	}
	rs, err := d.reg.ListResolutions(context.Background(), registry.SignedIn(taahod.System), registry.ResolutionFilter{Limit: 10})
	if err != nil || len(rs) != 1 || rs[0].Status != registry.StatusInFollowUp || len(rs[0].Agencies) != 2 {
		t.Errorf("resolutions: %+v %v", rs, err)
	}
	if n := d.countCases(t); n != 1 {
		t.Errorf("cases: %d", n)
	}
	if a := b.get("/secretariat/import/template?kind=sessions"); a.status != http.StatusNotFound {
		t.Errorf("unknown kind: %d", a.status)
	}
}

// TestImportListsTheFirstProblems: a file with more problems than the
// registry lists shows the first 100 in the table and how many more there
// are, «و N خطای دیگر».
func TestImportListsTheFirstProblems(t *testing.T) {
	d := newRegistryDesk(t)
	b := d.signedIn(t, "secretariat")
	var data strings.Builder
	data.WriteString("unit_national_id,channel,subject,opened_on\n")
	for i := range 150 { // each with a date that does not exist
		fmt.Fprintf(&data, "%s,phone_inquiry,x%d,1404/13/01\n", d.steel.NationalID, i)
	}
	a := importCSV(b, "cases", "many.csv", []byte(data.String()))
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad file: %d\n%s", a.status, a.text())
	}
	if rows := problemRows(a); len(rows) != taahod.MaxFieldErrors {
		t.Errorf("%d problems listed, want %d", len(rows), taahod.MaxFieldErrors)
	}
	if !strings.Contains(a.text(), "و ۵۰ خطای دیگر") {
		t.Errorf("the page does not say how many more: %s", a.text())
	}
}
