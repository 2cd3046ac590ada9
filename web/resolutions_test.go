package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/taahod/taahod/registry"
)

func TestResolutionsFilters(t *testing.T) {
	m := newMinutes(t)
	br := m.signedIn(t)
	all := br.get("/secretariat/resolutions")
	if all.status != http.StatusOK || !strings.Contains(all.text(), "تمدید مهلت") || !strings.Contains(all.text(), "وصل انشعاب گاز") {
		t.Fatalf("all: %d\n%s", all.status, all.text())
	}
	for _, c := range []struct {
		query      string
		first, gas bool
	}{
		{"q=" + url.QueryEscape("تمديد"), true, false},               // Arabic ي finds ی
		{"agency=" + url.QueryEscape("بانك ملي استان"), true, false}, // Arabic ك and ي
		{"category=gas", false, true},
		{"overdue=true", true, false}, // the first's deadline, 1405/04/10, has passed
		{"overdue=false", false, true},
		{"status=notified&year=" + url.QueryEscape("۱۴۰۵"), true, true},
		{"year=1404", false, false},
		{"status=implemented", false, false},
	} {
		a := br.get("/secretariat/resolutions?" + c.query)
		if a.status != http.StatusOK {
			t.Errorf("%s: %d", c.query, a.status)
			continue
		}
		if got := strings.Contains(a.text(), "تمدید مهلت"); got != c.first {
			t.Errorf("%s: first shown %v", c.query, got)
		}
		if got := strings.Contains(a.text(), "وصل انشعاب گاز"); got != c.gas {
			t.Errorf("%s: gas shown %v", c.query, got)
		}
	}
	kept := br.get("/secretariat/resolutions?category=gas&overdue=false&q=" + url.QueryEscape("گاز"))
	if inputValue(kept, "category") != "gas" || inputValue(kept, "overdue") != "false" || inputValue(kept, "q") != "گاز" {
		t.Errorf("the filter is not shown again")
	}
	for _, bad := range []string{"status=done", "overdue=maybe", "year=abc", "category=x"} {
		if a := br.get("/secretariat/resolutions?" + bad); a.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, a.status)
		}
	}
}

func TestResolutionsPaged(t *testing.T) {
	m := newMinutes(t)
	ctx := context.Background()
	for i := range resolutionsPageSize + 1 {
		if _, err := m.store.CreateResolution(ctx, m.sec, registry.NewResolution{SessionID: &m.field.ID,
			Text: fmt.Sprintf("مصوبه آزمایشی %d", i), Category: "water", Agencies: []string{"شرکت آب منطقه‌ای"}}); err != nil {
			t.Fatal(err)
		}
	}
	br := m.signedIn(t)
	first := br.get("/secretariat/resolutions?category=water")
	next := linkTitled(first, "بعدی")
	if next == "" || !strings.Contains(next, "category=water") {
		t.Fatalf("next: %q", next)
	}
	second := br.get(next)
	if second.status != http.StatusOK || linkTitled(second, "قبلی") == "" || linkTitled(second, "بعدی") != "" {
		t.Fatalf("second: %d\n%s", second.status, second.body)
	}
	if n1, n2 := strings.Count(first.body, `<tr><td class="id">`), strings.Count(second.body, `<tr><td class="id">`); n1 != resolutionsPageSize || n2 != 1 {
		t.Errorf("pages of %d and %d rows, want 50 and 1", n1, n2)
	}
}

// statusChanges counts the status history entries recorded.
func (m *minutes) statusChanges(t *testing.T) int {
	t.Helper()
	var n int
	if err := m.e.db.GetContext(context.Background(), &n, `SELECT count(*) FROM resolution_status_changes`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestResolutionStatusChange(t *testing.T) {
	m := newMinutes(t)
	br := m.signedIn(t)
	path := fmt.Sprintf("/secretariat/resolutions/%d", m.first.ID)
	a := br.get(path)
	if a.status != http.StatusOK || !strings.Contains(a.text(), "ابلاغ شده") || !strings.Contains(a.text(), "۱۰ خرداد ۱۴۰۵") {
		t.Fatalf("page: %d\n%s", a.status, a.text())
	}

	// Recorded, and current.
	a = br.submit(path, path+"/status", url.Values{"status": {"in_follow_up"}, "on_jalali": {"۱۴۰۵/۰۸/۰۱"}, "note": {"نامه به بانک"}})
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "m=status_recorded#") {
		t.Fatalf("change: %d %q", a.status, a.header.Get("Location"))
	}
	a = br.get(a.header.Get("Location"))
	if !strings.Contains(a.byRole("status"), Message("status_recorded")) || !strings.Contains(a.text(), "نامه به بانک") {
		t.Errorf("after the change:\n%s", a.text())
	}

	// Dated before the current one: recorded in the history, not current,
	// and the page says so.
	a = br.submit(path, path+"/status", url.Values{"status": {"implemented"}, "on_jalali": {"1405/5/1"}})
	if a.status != http.StatusSeeOther || !strings.Contains(a.header.Get("Location"), "m=status_recorded_not_current") {
		t.Fatalf("earlier change: %d %q", a.status, a.header.Get("Location"))
	}
	a = br.get(a.header.Get("Location"))
	if st := a.byRole("status"); !strings.Contains(st, "وضعیت کنونی مصوبه نشد") || !strings.Contains(st, "«در حال پیگیری»") {
		t.Errorf("the page does not say the change did not become current: %q", st)
	}
	if strings.Contains(a.byRole("status"), Message("status_recorded")) {
		t.Errorf("the page also says the change became current")
	}
	r, err := m.store.FindResolution(context.Background(), registry.SignedIn(m.sec), m.first.ID)
	if err != nil || r.Status != registry.StatusInFollowUp || len(r.History) != 3 {
		t.Fatalf("resolution now %q with %d entries (%v)", r.Status, len(r.History), err)
	}
	if !strings.Contains(a.text(), "اجرا شده") || !strings.Contains(a.text(), "۱۴۰۵/۰۵/۰۱") {
		t.Errorf("history lacks the earlier entry:\n%s", a.text())
	}
}

func TestResolutionStatusChangeErrors(t *testing.T) {
	m := newMinutes(t)
	br := m.signedIn(t)
	path := fmt.Sprintf("/secretariat/resolutions/%d", m.first.ID)
	a := br.submit(path, path+"/status", url.Values{"status": {""}, "on_jalali": {"1405/13/01"}, "note": {"یادداشتي"}})
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", a.status, a.body)
	}
	if byID(a, "status-error") != Message("invalid_choice") || byID(a, "on_jalali-error") != Message("invalid_jalali_date") {
		t.Errorf("errors: %q %q", byID(a, "status-error"), byID(a, "on_jalali-error"))
	}
	if inputValue(a, "on_jalali") != "1405/13/01" || inputValue(a, "note") != "یادداشتي" {
		t.Errorf("typed values lost")
	}
	// A day not yet come, and one before the resolution.
	for on, code := range map[string]string{"1406/01/01": "in_future", "1405/01/01": "before_adoption"} {
		a = br.submit(path, path+"/status", url.Values{"status": {"implemented"}, "on_jalali": {on}})
		if a.status != http.StatusUnprocessableEntity || byID(a, "on_jalali-error") != Message(code) {
			t.Errorf("%s: %d %q, want %q", on, a.status, byID(a, "on_jalali-error"), Message(code))
		}
		if inputValue(a, "status") != "implemented" {
			t.Errorf("%s: status not kept", on)
		}
	}
	if n := m.statusChanges(t); n != 0 {
		t.Errorf("%d changes saved by forms with faults", n)
	}
	// Forged CSRF and another role change nothing.
	if a = br.post(path+"/status", url.Values{"status": {"implemented"}, "csrf": {"forged"}}); a.status != http.StatusForbidden {
		t.Errorf("forged csrf: %d", a.status)
	}
	other := m.e.browser()
	other.signIn("acc")
	if a = other.submit("/password", path+"/status", url.Values{"status": {"implemented"}}); a.status != http.StatusNotFound {
		t.Errorf("accountant: %d", a.status)
	}
	for _, p := range []string{path, "/secretariat/resolutions", "/secretariat/resolutions/overdue"} {
		if a = other.get(p); a.status != http.StatusNotFound {
			t.Errorf("accountant GET %s: %d", p, a.status)
		}
	}
	if n := m.statusChanges(t); n != 0 {
		t.Errorf("%d changes saved", n)
	}
	if a = br.get("/secretariat/resolutions/999999"); a.status != http.StatusNotFound {
		t.Errorf("unknown: %d", a.status)
	}
	if a = br.submit(path, "/secretariat/resolutions/999999/status", url.Values{"status": {"implemented"}}); a.status != http.StatusNotFound {
		t.Errorf("unknown POST: %d", a.status)
	}
}

func TestResolutionsOverdue(t *testing.T) {
	m := newMinutes(t)
	ctx := context.Background()
	// A resolution notified to two agencies, overdue under both.
	both, err := m.store.CreateResolution(ctx, m.sec, registry.NewResolution{SessionID: &m.field.ID, Text: "تأمین آب شرب واحد",
		Category: "water", Agencies: []string{"بانک ملی استان", "شرکت آب منطقه‌ای"}, DeadlineJalali: "1404/12/01"})
	if err != nil {
		t.Fatal(err)
	}
	list, err := m.store.Overdue(ctx, registry.SignedIn(m.sec), 0, 0)
	if err != nil || list.Resolutions != 2 {
		t.Fatalf("overdue: %v %+v", err, list)
	}
	a := m.signedIn(t).get("/secretariat/resolutions/overdue")
	if a.status != http.StatusOK {
		t.Fatalf("GET: %d\n%s", a.status, a.body)
	}
	text := a.text()
	for _, want := range []string{"بانک ملی استان: ۲ مصوبه", "شرکت آب منطقه‌ای: ۱ مصوبه", "جمع ۲ مصوبه سررسید گذشته بانک ملی استان", "جمع کل: ۲ مصوبه", "تمدید مهلت", "تأمین آب شرب"} {
		if !strings.Contains(text, want) {
			t.Errorf("overdue page lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "وصل انشعاب گاز") {
		t.Errorf("a resolution not overdue is listed")
	}
	for _, g := range list.Agencies {
		for _, r := range g.Resolutions {
			if want := PersianDigits(fmt.Sprint(r.DaysOverdue)) + " روز"; !strings.Contains(text, want) {
				t.Errorf("lacks %d's %q", r.ID, want)
			}
		}
	}
	if !hasLink(a, fmt.Sprintf("/secretariat/resolutions/%d", both.ID)) {
		t.Errorf("no link to the resolution")
	}
	y := m.signedIn(t).get("/secretariat/resolutions/overdue?year=" + url.QueryEscape("۱۴۰۵"))
	if y.status != http.StatusOK || strings.Contains(y.text(), "تأمین آب شرب") || !strings.Contains(y.text(), "تمدید مهلت") {
		t.Errorf("year 1405: %d\n%s", y.status, y.text())
	}
}
