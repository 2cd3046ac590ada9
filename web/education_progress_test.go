package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// progressForm is a report as a person fills the form in.
func progressForm(percent, on, note string) url.Values {
	v := url.Values{"kind": {"progress"}, "milestone": {"سفت‌کاری"}, "percent": {percent}, "reported_on_jalali": {on}}
	if note != "" {
		v.Set("note", note)
	}
	return v
}

func TestEducationProgressReportWithPhotos(t *testing.T) {
	s, b := eduShowcase(t)
	path := "/education/schools/" + s.ids["school"]
	a := b.submitFiles(path, path+"/progress", progressForm("۵۵", "۱۴۰۴/۰۵/۱۰", "دیوارچینی طبقه دوم"),
		[]upload{{"نما.png", testPNG(t, 400, 300)}, {"صورت‌جلسه.pdf", []byte("%PDF-1.4\n% minutes\n")}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("POST progress: %d\n%s", a.status, a.body)
	}
	page := b.get(strings.Split(a.header.Get("Location"), "#")[0])
	if got := page.byRole("status"); !strings.Contains(got, "گزارش پیشرفت ثبت شد") {
		t.Errorf("status message %q", got)
	}
	for _, want := range []string{"۱۴۰۴/۰۵/۱۰", "۵۵٪", "دیوارچینی طبقه دوم", "نما.png", "صورت‌جلسه.pdf"} {
		if !strings.Contains(page.text(), want) {
			t.Errorf("the page lacks %q after the report", want)
		}
	}
	if r, d := progressRows(t, s.env); r != 3 || d != 3 {
		t.Errorf("%d reports and %d documents, want 3 and 3", r, d)
	}
}

func TestEducationProgressErrorsKeepValuesSaveNothing(t *testing.T) {
	s, b := eduShowcase(t)
	path := "/education/schools/" + s.ids["school"]
	cases := []struct {
		name   string
		form   url.Values
		files  []upload
		status int
		field  string
		want   string
	}{
		{"lower without a note", progressForm("30", "1404/05/10", ""), nil, http.StatusUnprocessableEntity,
			"note", "چرایش را در یادداشت بنویسید"},
		{"before the last report", progressForm("50", "1404/01/01", ""), nil, http.StatusUnprocessableEntity,
			"reported_on_jalali", "پیش از آخرین گزارش است. آخرین گزارش: ۱۵ اردیبهشت ۱۴۰۴."},
		{"a percent that is no number", progressForm("نیمه", "1404/05/10", ""), nil, http.StatusUnprocessableEntity,
			"percent", "عددی درست از ۰ تا ۱۰۰"},
		{"over 100", progressForm("120", "1404/05/10", ""), nil, http.StatusUnprocessableEntity,
			"percent", "بیرون از بازه"},
		{"a date that is no date", progressForm("50", "1404/13/40", ""), nil, http.StatusUnprocessableEntity,
			"reported_on_jalali", ""},
		{"a refused photo", progressForm("50", "1404/05/10", ""), []upload{{"ok.png", testPNG(t, 50, 50)}, {"notes.txt", []byte("just text")}},
			http.StatusUnprocessableEntity, "documents", "PDF، JPEG یا PNG"},
		{"a hand-over of a school not completed", url.Values{"kind": {"handover"}, "milestone": {"تحویل"}, "reported_on_jalali": {"1404/05/10"}}, nil,
			http.StatusConflict, "kind", "تنها مدرسه تکمیل‌شده تحویل می‌شود"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := b.submitFiles(path, path+"/progress", tc.form, tc.files)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d\n%s", a.status, tc.status, a.body)
			}
			if got := fieldErrorText(a, tc.field); got == "" || !strings.Contains(got, tc.want) {
				t.Errorf("the error beside %s is %q, want %q", tc.field, got, tc.want)
			}
			if a.byRole("alert") == "" {
				t.Error("no alert")
			}
			for _, name := range []string{"milestone", "percent", "reported_on_jalali"} {
				if got := inputValue(a, name); got != tc.form.Get(name) {
					t.Errorf("%s came back as %q, want %q", name, got, tc.form.Get(name))
				}
			}
			if r, d := progressRows(t, s.env); r != 2 || d != 1 {
				t.Errorf("%d reports and %d documents after the error, want the showcase's 2 and 1", r, d)
			}
		})
	}
}

func TestEducationProgressCompletesHandsOverCloses(t *testing.T) {
	s, b := eduShowcase(t)
	path := "/education/schools/" + s.ids["school"]
	// Lower, with a note, is recorded.
	if a := b.submitFiles(path, path+"/progress", progressForm("35", "1404/03/01", "بازبینی برآورد"), nil); a.status != http.StatusSeeOther {
		t.Fatalf("lower with a note: %d\n%s", a.status, a.body)
	}
	a := b.submitFiles(path, path+"/progress", progressForm("100", "1404/06/01", ""), nil)
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "m=progress_recorded_completed") {
		t.Fatalf("100%%: %d %s", a.status, a.header.Get("Location"))
	}
	if page := b.get(path); !strings.Contains(page.text(), "تکمیل‌شده") {
		t.Error("the school is not shown completed")
	}
	hand := url.Values{"kind": {"handover"}, "milestone": {"تحویل به آموزش و پرورش"}, "reported_on_jalali": {"1404/07/01"}}
	a = b.submitFiles(path, path+"/progress", hand, nil)
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "m=progress_recorded_handed_over") {
		t.Fatalf("hand-over: %d %s", a.status, a.header.Get("Location"))
	}
	page := b.get(path)
	if strings.Contains(page.body, `action="`+path+`/progress"`) {
		t.Error("a handed-over school still offers the report form")
	}
	// A report posted anyway is refused, and nothing is saved.
	form := progressForm("100", "1404/08/01", "")
	form.Set("csrf", page.csrf())
	a = b.postFiles(path+"/progress", form, nil)
	if a.status != http.StatusConflict || !strings.Contains(a.byRole("alert"), "تحویل شده است") {
		t.Errorf("a report after the hand-over: %d %q", a.status, a.byRole("alert"))
	}
	if r, _ := progressRows(t, s.env); r != 5 {
		t.Errorf("%d reports, want 5", r)
	}
}

func TestEducationProgressNeedsCSRF(t *testing.T) {
	s, b := eduShowcase(t)
	path := "/education/schools/" + s.ids["school"]
	form := progressForm("60", "1404/05/10", "")
	if a := b.postFiles(path+"/progress", form, []upload{{"a.png", testPNG(t, 20, 20)}}); a.status != http.StatusForbidden {
		t.Errorf("without a token: %d, want 403", a.status)
	}
	form.Set("csrf", "not-the-token")
	if a := b.postFiles(path+"/progress", form, nil); a.status != http.StatusForbidden {
		t.Errorf("with a wrong token: %d, want 403", a.status)
	}
	if r, d := progressRows(t, s.env); r != 2 || d != 1 {
		t.Errorf("%d reports and %d documents, want the showcase's 2 and 1", r, d)
	}
}
