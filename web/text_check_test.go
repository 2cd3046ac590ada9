package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// TestPagesRefuseControlText: the pages refuse, with the 400 page naming
// the field, a query value, a form field or a multipart field that is not
// UTF-8 or holds a NUL or another control character, and write nothing;
// line breaks stay allowed in the multi-line fields.
func TestPagesRefuseControlText(t *testing.T) {
	m := newMinutes(t)
	br := m.signedIn(t)
	sessions, resolutions := m.count(t)
	for _, path := range []string{"/secretariat/resolutions?q=%00", "/secretariat/resolutions?q=%FF", "/secretariat/sessions?county=a%01"} {
		if a := br.get(path); a.status != http.StatusBadRequest || !strings.Contains(a.body, "نویسه‌های نادرست") {
			t.Errorf("GET %s: %d", path, a.status)
		}
	}
	for field, value := range map[string]string{
		"attendees":                "بانک ملی\x00",
		"title":                    "جلسه\nمیدانی",
		"county":                   "\xff",
		"resolutions[0][agencies]": "سازمان صمت\x00",
		"resolutions[1][text]":     "تأمین برق\x1b",
	} {
		form := sittingForm()
		form.Set(field, value)
		a := br.submit("/secretariat/sessions/new", "/secretariat/sessions/new", form)
		if a.status != http.StatusBadRequest || !strings.Contains(a.body, field) {
			t.Errorf("%s = %q: %d", field, value, a.status)
		}
	}
	if s, r := m.count(t); s != sessions || r != resolutions {
		t.Errorf("refused forms wrote %d sessions, %d resolutions", s-sessions, r-resolutions)
	}
	// The multi-line fields keep their lines, as a browser sends them.
	form := sittingForm()
	form.Set("attendees", "بانک ملی استان\r\nاداره کل مالیاتی")
	form.Set("resolutions[0][text]", "بند یک\r\nبند دو")
	if a := br.submit("/secretariat/sessions/new", "/secretariat/sessions/new", form); a.status != http.StatusSeeOther {
		t.Errorf("lines in multi-line fields: %d", a.status)
	}

	// A multipart form is checked too, after its body limit.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", br.get("/secretariat/import").csrf())
	_ = mw.WriteField("kind", "resolutions\x00")
	fw, _ := mw.CreateFormFile("file", "r.csv")
	_, _ = fw.Write([]byte("text,category,agencies\nx,tax,y\n"))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", m.e.http.URL+"/secretariat/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if a := br.do(req); a.status != http.StatusBadRequest || !strings.Contains(a.body, "kind") {
		t.Errorf("multipart kind with a NUL: %d", a.status)
	}

	// Signing in: the name is checked, the password may hold anything.
	if a := m.e.browser().submit("/signin", "/signin", map[string][]string{"username": {"sec\x00"}, "password": {"x"}}); a.status != http.StatusBadRequest {
		t.Errorf("sign-in name with a NUL: %d", a.status)
	}
}
