package api

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/notify"
)

// inboxOf returns a user's inbox items (at most 500), newest first.
func (w *world) inboxOf(token string, query string) []map[string]any {
	w.t.Helper()
	body := w.get("/api/v1/notifications"+query, token)
	var out []map[string]any
	for _, it := range body["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func (w *world) unread(token string) string {
	w.t.Helper()
	return str(w.get("/api/v1/notifications/unread-count", token)["unread"])
}

// TestInboxRules checks who hears of each change, in the change's own
// transaction: the unit's accountant of each review decision, reversal,
// certificate issued and revoked; the other education officers of a
// progress report; nobody else; and that a user reads and marks only their
// own items.
func TestInboxRules(t *testing.T) {
	w := newWorld(t)
	edu2 := w.userToken("edu2", taahod.RoleEducationOfficer)
	accA2 := w.userToken("acc-a2", taahod.RoleAccountant, w.unitA.ID)

	// A rejection, then a partial approval of another, then an approval.
	rejected := w.evidenceBy(w.accA, w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000")))
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", rejected), w.tax, map[string]any{"decision": "reject", "reason": "فاکتور ناخوانا"}); r.status != 200 {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	items := w.inboxOf(w.accA, "")
	if len(items) != 1 || items[0]["rule"] != notify.RuleReviewDecided || items[0]["subject_type"] != "expenditure" ||
		items[0]["subject_id"] != str(rejected) || !strings.Contains(items[0]["message"].(string), "رد شد: فاکتور ناخوانا") ||
		items[0]["link"] != fmt.Sprintf("/accountant/expenditures/%d", rejected) || items[0]["read_at"] != nil {
		t.Fatalf("accountant's inbox after a rejection: %v", items)
	}
	if res := items[0]["resource"].(map[string]any); res["status"] != "rejected" || res["amount"] != "1000" {
		t.Errorf("resource of the rejection: %v", res)
	}
	if got := w.inboxOf(accA2, ""); len(got) != 1 {
		t.Errorf("the unit's second accountant has %d items, want 1", len(got))
	}
	for name, tok := range map[string]string{"acc-b": w.accB, "tax": w.tax, "edu": w.edu, "sec": w.sec, "admin": w.admin} {
		if got := w.inboxOf(tok, ""); len(got) != 0 {
			t.Errorf("%s heard of unit A's review: %v", name, got)
		}
	}

	approved := w.approved(w.accA, w.pledgeA, "2000")
	if got := w.inboxOf(w.accA, ""); len(got) != 2 || !strings.Contains(got[0]["message"].(string), "تأیید شد") ||
		got[0]["subject_id"] != str(approved) {
		t.Fatalf("after an approval: %v", got)
	}
	if w.unread(w.accA) != "2" {
		t.Errorf("unread = %s, want 2", w.unread(w.accA))
	}

	// A reversal.
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/reverse", approved), w.tax, map[string]any{"reason": "سند تکراری"}); r.status != 200 && r.status != 204 {
		t.Fatalf("reverse: %d %s", r.status, r.body)
	}
	got := w.inboxOf(w.accA, "")
	if len(got) != 3 || got[0]["rule"] != notify.RuleApprovalReversed || !strings.Contains(got[0]["message"].(string), "سند تکراری") {
		t.Fatalf("after a reversal: %v", got)
	}

	// A certificate issued, then revoked.
	w.setPolicy(creditPolicy1404)
	w.approved(w.accA, w.pledgeA, "5000")
	w.assess(w.unitA.ID, "3000")
	w.runOffset(w.unitA.ID)
	serial := w.mustIssue(w.unitA.ID)["serial"].(string)
	got = w.inboxOf(w.accA, "")
	if got[0]["rule"] != notify.RuleCertificateIssued || got[0]["subject_id"] != serial ||
		got[0]["link"] != fmt.Sprintf("/accountant/units/%d/tax-years/1404", w.unitA.ID) {
		t.Fatalf("after an issue: %v", got[0])
	}
	if r := w.do("POST", "/api/v1/certificates/"+serial+"/revoke", w.tax, map[string]any{"reason": "اشتباه در برگ تشخیص"}); r.status != 200 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if got = w.inboxOf(w.accA, ""); got[0]["rule"] != notify.RuleCertificateRevoke || !strings.Contains(got[0]["message"].(string), "اشتباه در برگ تشخیص") {
		t.Fatalf("after a revocation: %v", got[0])
	}
	if got := w.inboxOf(w.accB, ""); len(got) != 0 {
		t.Errorf("unit B's accountant heard of unit A: %v", got)
	}

	// A progress report: the other education officer hears of it.
	if r := w.do("POST", fmt.Sprintf("/api/v1/schools/%d/progress", w.school), w.edu, map[string]any{"milestone": "فونداسیون", "percent": 20, "reported_on": "2025-06-01"}); r.status != 201 {
		t.Fatalf("progress: %d %s", r.status, r.body)
	}
	if got := w.inboxOf(edu2, ""); len(got) != 1 || got[0]["rule"] != notify.RuleProgressReported || !strings.Contains(got[0]["message"].(string), "فونداسیون") {
		t.Errorf("the other education officer's inbox: %v", got)
	}
	if got := w.inboxOf(w.edu, ""); len(got) != 0 {
		t.Errorf("the reporter heard of their own report: %v", got)
	}

	t.Run("read", func(t *testing.T) {
		all := w.inboxOf(w.accA, "")
		first := all[len(all)-1]
		id := str(first["id"])
		if r := w.do("POST", "/api/v1/notifications/"+id+"/read", w.accB, nil); r.status != 404 || r.problemCode() != "not_found" {
			t.Errorf("another's item: %d %s", r.status, r.body)
		}
		r := w.do("POST", "/api/v1/notifications/"+id+"/read", w.accA, nil)
		if r.status != 200 || r.json()["read_at"] == nil {
			t.Fatalf("mark read: %d %s", r.status, r.body)
		}
		if w.unread(w.accA) != str(len(all)-1) {
			t.Errorf("unread after one read = %s, want %d", w.unread(w.accA), len(all)-1)
		}
		if unread := w.inboxOf(w.accA, "?unread=true"); len(unread) != len(all)-1 {
			t.Errorf("unread filter lists %d, want %d", len(unread), len(all)-1)
		}
		r = w.do("POST", "/api/v1/notifications/read-all", w.accA, nil)
		if r.status != 200 || str(r.json()["marked"]) != str(len(all)-1) || w.unread(w.accA) != "0" {
			t.Errorf("read all: %d %s, unread %s", r.status, r.body, w.unread(w.accA))
		}
		if w.unread(accA2) == "0" {
			t.Error("marking read reached another user's items")
		}
		if r := w.do("GET", "/api/v1/notifications?unread=maybe", w.accA, nil); r.status != 422 || r.fieldErrors()["unread"] == "" {
			t.Errorf("bad unread filter: %d %s", r.status, r.body)
		}
	})
	t.Run("pages", func(t *testing.T) {
		all := w.inboxOf(w.accA, "")
		page := w.get("/api/v1/notifications?limit=2", w.accA)
		seen := len(page["items"].([]any))
		for page["next_cursor"] != nil {
			page = w.get("/api/v1/notifications?limit=2&cursor="+page["next_cursor"].(string), w.accA)
			seen += len(page["items"].([]any))
		}
		if seen != len(all) {
			t.Errorf("pages hold %d items, want %d", seen, len(all))
		}
	})
}

// TestReminders checks the daily job: each rule's digest, at most once a
// user, rule, subject and day however often it runs, and not while another
// server holds the job's lock.
func TestReminders(t *testing.T) {
	w := newWorld(t)
	w.mustCreateUser("tax2", taahod.RoleTaxOfficer)
	ctx := context.Background()
	w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000"))
	if r := w.do("POST", "/api/v1/pledges", w.admin, map[string]any{
		"unit_id": w.unitB.ID, "school_id": w.school, "amount": "7000", "pledged_on": "2025-05-01", "due_on": "2025-11-01",
	}); r.status != 201 {
		t.Fatalf("pledge: %d %s", r.status, r.body)
	}
	session := w.mustID(w.do("POST", "/api/v1/sessions", w.sec, map[string]any{"kind": "formal", "held_on": "2025-10-01"}))
	for _, agency := range [][]string{{"شرکت گاز استان قزوین"}, {"شرکت گاز استان قزوین", "بانک ملی"}} {
		if r := w.do("POST", "/api/v1/resolutions", w.sec, map[string]any{
			"session_id": session, "unit_id": w.unitA.ID, "text": "تأمین گاز", "category": "gas", "agencies": agency, "deadline": "2025-11-20",
		}); r.status != 201 {
			t.Fatalf("resolution: %d %s", r.status, r.body)
		}
	}
	rem := notify.Reminders{DB: w.db, ReviewWaitDays: 7}

	n, ran, err := rem.Send(ctx)
	if err != nil || !ran {
		t.Fatal(ran, err)
	}
	// Today: the pledge and the resolutions are overdue; the expenditure
	// has waited no time.
	if got := w.inboxOf(w.tax, ""); len(got) != 0 {
		t.Errorf("a fresh expenditure reminded the tax office: %v", got)
	}
	edu := w.inboxOf(w.edu, "")
	if len(edu) != 1 || edu[0]["rule"] != notify.RulePledgeOverdue || !strings.Contains(edu[0]["message"].(string), "۱ تعهد") {
		t.Errorf("education officer: %v", edu)
	}
	sec := w.inboxOf(w.sec, "")
	byAgency := map[string]string{}
	for _, it := range sec {
		res := it["resource"].(map[string]any)
		byAgency[res["agency"].(string)] = str(res["count"])
	}
	if len(sec) != 2 || byAgency["شرکت گاز استان قزوین"] != "2" || byAgency["بانک ملی"] != "1" {
		t.Errorf("secretariat, by agency: %v", byAgency)
	}
	if n != 3 {
		t.Errorf("written %d, want 3", n)
	}

	// The same day again: nothing new.
	if n, _, err := rem.Send(ctx); err != nil || n != 0 {
		t.Errorf("second run of the day wrote %d (%v)", n, err)
	}

	// Eight days later, the expenditure has waited too long; everything is
	// told again, once, for the new day.
	w.db.Now = func() time.Time { return theNow.AddDate(0, 0, 8) }
	if n, _, err := rem.Send(ctx); err != nil || n != 5 {
		t.Errorf("the eighth day wrote %d, want 5 (%v)", n, err)
	}
	for _, user := range []string{"tax1", "tax2"} {
		tok := w.login(user) // the tokens of eight days ago expired
		got := w.inboxOf(tok, "")
		if len(got) != 1 || got[0]["rule"] != notify.RuleReviewWaiting || got[0]["link"] != "/tax-office/queue" ||
			str(got[0]["resource"].(map[string]any)["count"]) != "1" {
			t.Errorf("tax officer's reminder: %v", got)
		}
	}

	// Another server holds the job: this one writes nothing.
	w.db.Now = func() time.Time { return theNow.AddDate(0, 0, 9) }
	conn, err := w.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, notify.ReminderLock); err != nil {
		t.Fatal(err)
	}
	if n, ran, err := rem.Send(ctx); err != nil || ran || n != 0 {
		t.Errorf("while another holds the lock: wrote %d, ran %v (%v)", n, ran, err)
	}
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, notify.ReminderLock); err != nil {
		t.Fatal(err)
	}
	if n, ran, err := rem.Send(ctx); err != nil || !ran || n != 5 {
		t.Errorf("after the lock is free: wrote %d, ran %v (%v)", n, ran, err)
	}
}
