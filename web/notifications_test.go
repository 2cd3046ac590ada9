package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/notify"
	"golang.org/x/net/html"
)

// TestInboxPage walks the inbox as an accountant: the header counts the
// unread items on every page, the inbox lists them, a form (with its CSRF
// token) marks one read or opens its record, another marks them all; a
// form without the token changes nothing.
func TestInboxPage(t *testing.T) {
	e := newEnv(t)
	unit := e.mustCreateUnit("فولاد البرز", "1010234567")
	e.mustCreateUser("acc", "حسابدار", taahod.RoleAccountant, unit.ID)
	e.mustCreateUser("tax", "کارشناس", taahod.RoleTaxOfficer)
	ctx := context.Background()
	for _, inv := range []string{"INV-7", "INV-8"} {
		if err := e.db.Transact(ctx, func(tx *database.Tx) error {
			return notify.Publish(ctx, tx, notify.Event{Type: notify.ExpenditureReviewed, UnitID: unit.ID, SubjectType: "expenditure",
				SubjectID: 42, Resource: map[string]any{"id": 42, "invoice_no": inv, "status": "approved", "amount": "1500"}})
		}); err != nil {
			t.Fatal(err)
		}
	}
	b := e.browser()
	home := b.signIn("acc")
	if a := b.get(home); !strings.Contains(a.text(), "اعلان‌ها (۲ تازه)") {
		t.Errorf("the header does not count two unread items:\n%s", a.text())
	}
	a := b.get("/notifications")
	if a.status != http.StatusOK || !strings.Contains(a.text(), "«INV-8»") || !strings.Contains(a.text(), "۱٬۵۰۰ ریال تأیید شد") {
		t.Fatalf("inbox: %d\n%s", a.status, a.text())
	}
	var first string
	for _, f := range findAll(a.doc(), func(n *html.Node) bool { return n.Data == "form" && strings.HasSuffix(attr(n, "action"), "/read") }) {
		if !strings.HasSuffix(attr(f, "action"), "read-all") {
			first = attr(f, "action")
			break
		}
	}
	if first == "" {
		t.Fatalf("no form marks an item read:\n%s", a.body)
	}
	if r := b.post(first, url.Values{"csrf": {"forged"}}); r.status != http.StatusForbidden {
		t.Errorf("a forged form: %d", r.status)
	}
	r := b.submit("/notifications", first, url.Values{"open": {"1"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/accountant/expenditures/42" {
		t.Errorf("open: %d → %s", r.status, r.header.Get("Location"))
	}
	if a := b.get("/notifications?unread=1"); strings.Count(a.body, "action=\"/notifications/") != 2 || !strings.Contains(a.text(), "اعلان‌ها (۱ تازه)") {
		t.Errorf("after one read, the unread list:\n%s", a.text())
	}
	r = b.submit("/notifications", "/notifications/read-all", url.Values{})
	if r.status != http.StatusSeeOther {
		t.Fatalf("read all: %d", r.status)
	}
	if a := b.get(r.header.Get("Location")); strings.Contains(a.text(), "تازه)") || !strings.Contains(a.byRole("status"), "همه اعلان‌ها خوانده‌شده شد") {
		t.Errorf("after reading all:\n%s", a.text())
	}

	// Another person sees none of them and cannot mark them.
	other := e.browser()
	other.signIn("tax")
	if a := other.get("/notifications"); !strings.Contains(a.text(), "اعلانی ندارید") {
		t.Errorf("the tax officer's inbox:\n%s", a.text())
	}
	if r := other.submit("/notifications", first, url.Values{}); r.status != http.StatusNotFound {
		t.Errorf("marking another's item: %d", r.status)
	}
}

// TestAdminSetsEmail: the administrator's user form takes an email
// address (where the person's notifications are also mailed), refuses a
// malformed one, and removes it when emptied.
func TestAdminSetsEmail(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("admin", "مدیر", taahod.RoleAdmin)
	target := e.mustCreateUser("tax", "کارشناس", taahod.RoleTaxOfficer)
	b := e.browser()
	b.signIn("admin")
	path := "/admin/users/" + strconv.FormatInt(target.ID, 10)
	form := url.Values{"full_name": {"کارشناس"}, "role": {"tax_officer"}}
	form.Set("email", "نامه")
	if r := b.submit(path, path, form); r.status != http.StatusUnprocessableEntity || byID(r, "email-error") != Message("invalid_email") {
		t.Errorf("a bad address: %d %q", r.status, byID(r, "email-error"))
	}
	form.Set("email", "karshenas@tax.example")
	if r := b.submit(path, path, form); r.status != http.StatusSeeOther {
		t.Fatalf("set email: %d", r.status)
	}
	if u, err := e.auth.GetUser(context.Background(), target.ID); err != nil || u.Email == nil || *u.Email != "karshenas@tax.example" {
		t.Errorf("email after the form: %v (%v)", u.Email, err)
	}
	if a := b.get(path); inputValue(a, "email") != "karshenas@tax.example" {
		t.Errorf("the form does not show the address")
	}
	form.Set("email", "")
	if r := b.submit(path, path, form); r.status != http.StatusSeeOther {
		t.Fatalf("remove email: %d", r.status)
	}
	if u, _ := e.auth.GetUser(context.Background(), target.ID); u.Email != nil {
		t.Errorf("email after emptying: %q", *u.Email)
	}
}

// TestAdminWebhooks registers an endpoint through the administrator's
// form: the secret shows once, on the page the form leads to, and the
// page lists a failed delivery with its last answer and sends it again.
func TestAdminWebhooks(t *testing.T) {
	e := newEnv(t)
	e.mustCreateUser("admin", "مدیر", taahod.RoleAdmin)
	b := e.browser()
	b.signIn("admin")
	if r := b.submit("/admin/webhooks", "/admin/webhooks", url.Values{"url": {"ftp://tax.example"}, "event_types": {notify.CertificateIssued}}); r.status != http.StatusUnprocessableEntity || byID(r, "url-error") != Message("invalid_url") {
		t.Errorf("a bad URL: %d %q", r.status, byID(r, "url-error"))
	}
	r := b.submit("/admin/webhooks", "/admin/webhooks", url.Values{"url": {"https://tax.example/hook"},
		"event_types": {notify.CertificateIssued, notify.CertificateRevoked}})
	if r.status != http.StatusSeeOther {
		t.Fatalf("register: %d\n%s", r.status, r.body)
	}
	page := r.header.Get("Location")
	first := b.get(page)
	secret := byID(first, "webhook-secret")
	if len(secret) != 64 || !strings.Contains(first.byRole("status"), Message("webhook_created")) {
		t.Fatalf("the secret is not shown once: %q\n%s", secret, first.text())
	}
	if again := b.get(page); strings.Contains(again.body, secret) {
		t.Error("the secret shows a second time")
	}
	var id int64
	if err := e.db.Get(&id, `SELECT id FROM webhook_endpoints`); err != nil {
		t.Fatal(err)
	}
	// A delivery that failed after a day, with the receiver's last answer.
	ctx := context.Background()
	if err := e.db.Transact(ctx, func(tx *database.Tx) error {
		return notify.Publish(ctx, tx, notify.Event{Type: notify.CertificateIssued, SubjectType: "certificate", SubjectID: "QZV-1404-000001",
			Resource: map[string]any{"serial": "QZV-1404-000001"}})
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(`UPDATE webhook_deliveries SET status = 'failed', attempts = 30, last_status = 502,
		last_response = 'bad gateway', finished_at = now()`); err != nil {
		t.Fatal(err)
	}
	a := b.get(fmt.Sprintf("/admin/webhooks/%d", id))
	if !strings.Contains(a.text(), "HTTP 502") || !strings.Contains(a.text(), "bad gateway") || !strings.Contains(a.text(), "ناموفق") {
		t.Errorf("the failed delivery is not shown:\n%s", a.text())
	}
	var retry string
	for _, f := range findAll(a.doc(), func(n *html.Node) bool { return n.Data == "form" && strings.HasSuffix(attr(n, "action"), "/retry") }) {
		retry = attr(f, "action")
	}
	if r := b.submit(fmt.Sprintf("/admin/webhooks/%d", id), retry, url.Values{}); r.status != http.StatusSeeOther {
		t.Fatalf("retry: %d", r.status)
	}
	var status string
	if err := e.db.Get(&status, `SELECT status FROM webhook_deliveries`); err != nil || status != "pending" {
		t.Errorf("after retry: %s (%v)", status, err)
	}
	if a := b.get("/admin/webhooks"); !strings.Contains(a.text(), "https://tax.example/hook") || strings.Contains(a.body, secret) {
		t.Errorf("the list:\n%s", a.text())
	}
}
