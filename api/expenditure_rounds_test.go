package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// withEvidence adds a scan to an expenditure as its unit's accountant (of
// unit A or B), so that it may be approved; it returns the id.
func (w *world) withEvidence(id int64) int64 {
	w.t.Helper()
	path := fmt.Sprintf("/api/v1/expenditures/%d/documents", id)
	r := w.upload(path, w.accA, "file", "scan.png", uniquePNG())
	if r.status == http.StatusNotFound {
		r = w.upload(path, w.accB, "file", "scan.png", uniquePNG())
	}
	if r.status != http.StatusCreated {
		w.t.Fatalf("evidence of %d: %d %s", id, r.status, r.body)
	}
	return id
}

// evidenceBy adds a scan to an expenditure as the accountant token; it
// returns the id.
func (w *world) evidenceBy(accountant string, id int64) int64 {
	w.t.Helper()
	r := w.upload(fmt.Sprintf("/api/v1/expenditures/%d/documents", id), accountant, "file", "scan.png", uniquePNG())
	if r.status != http.StatusCreated {
		w.t.Fatalf("evidence of %d: %d %s", id, r.status, r.body)
	}
	return id
}

// TestRejectFixResubmitApprove is the way back from a rejection, as a new
// user walks it: the tax office cannot approve without evidence, rejects
// for the missing scan; the accountant corrects the amount, adds the scan
// and resubmits; the expenditure joins the end of the queue and is
// approved; both rounds are kept, the latest first.
func TestRejectFixResubmitApprove(t *testing.T) {
	w := newWorld(t)
	now := theNow
	w.db.Now = func() time.Time { return now }
	if _, err := w.db.Exec(`UPDATE users SET full_name = 'مریم رضایی' WHERE username = 'tax1'`); err != nil {
		t.Fatal(err)
	}
	pledgePath := fmt.Sprintf("/api/v1/pledges/%d", w.pledgeA)
	id := w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000", "invoice_no", "F-100"))
	path := fmt.Sprintf("/api/v1/expenditures/%d", id)
	review := func(body map[string]any) response {
		return w.do("POST", path+"/review", w.tax, body)
	}

	// No approval without evidence, in full or in part; a rejection is allowed.
	for _, body := range []map[string]any{{"decision": "approve"}, {"decision": "approve", "approved_amount": "10", "reason": "بخشی"}} {
		if r := review(body); r.status != 409 || r.problemCode() != "evidence_required" {
			t.Fatalf("approve without evidence %v: %d %s", body, r.status, r.body)
		}
	}
	if s := str(w.get(path, w.tax)["status"]); s != "submitted" {
		t.Fatalf("a refused approval changed the status: %s", s)
	}
	r := review(map[string]any{"decision": "reject", "reason": "اسکن فاکتور پیوست نشده است"})
	if r.status != 200 || r.json()["status"] != "rejected" {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	if got := str(w.get(pledgePath, w.admin)["submitted_total"]); got != "0" {
		t.Fatalf("submitted_total after the rejection: %s", got)
	}

	// The accountant reads the reason; the education officer and the
	// secretariat read the outcome without it.
	rounds := func(token string) []map[string]any {
		t.Helper()
		var out []map[string]any
		for _, it := range w.get(path, token)["reviews"].([]any) {
			out = append(out, it.(map[string]any))
		}
		return out
	}
	if rs := rounds(w.accA); len(rs) != 1 || rs[0]["reason"] != "اسکن فاکتور پیوست نشده است" || rs[0]["decision"] != "reject" ||
		rs[0]["status"] != "rejected" || rs[0]["at_jalali"] != "1404/09/05 13:30:00" ||
		rs[0]["reviewer"].(map[string]any)["full_name"] != "مریم رضایی" {
		t.Fatalf("accountant's rounds: %v", rs)
	}
	for _, token := range []string{w.edu, w.sec} {
		if rs := rounds(token); len(rs) != 1 || rs[0]["reason"] != nil || rs[0]["reviewer"] != nil || rs[0]["status"] != "rejected" {
			t.Fatalf("education/secretariat rounds: %v", rs)
		}
	}

	// The rejected expenditure keeps its invoice: a new one is a duplicate.
	if r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, "5", "invoice_no", "f-۱۰۰")); r.status != 409 || r.fieldErrors()["invoice_no"] != "duplicate" {
		t.Fatalf("same invoice while rejected: %d %s", r.status, r.body)
	}

	// Who may resubmit, and when.
	if r := w.do("POST", path+"/resubmit", w.accB, nil); r.status != 404 {
		t.Fatalf("another unit's accountant: %d", r.status)
	}
	for _, token := range []string{w.tax, w.admin, w.edu} {
		if r := w.do("POST", path+"/resubmit", token, nil); r.status != 403 {
			t.Fatalf("resubmit by another role: %d", r.status)
		}
	}
	if r := w.do("POST", path+"/resubmit", w.accA, map[string]any{"note": "x"}); r.status != 400 {
		t.Fatalf("resubmit with an unknown field: %d %s", r.status, r.body)
	}
	other := w.mustSubmit(w.accA, expenditure(w.pledgeA, "20"))
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/resubmit", other), w.accA, nil); r.status != 409 ||
		r.problemCode() != taahod.ECONFLICT || !strings.Contains(str(r.json()["detail"]), "only a rejected expenditure can be resubmitted") {
		t.Fatalf("resubmit a submitted expenditure: %d %s", r.status, r.body)
	}

	// Corrected and given the scan while rejected.
	r = w.do("PATCH", path, w.accA, map[string]any{"amount": "900", "description": "فاکتور اصلاح شده"})
	if r.status != 200 || r.json()["status"] != "rejected" || r.json()["amount"] != "900" {
		t.Fatalf("edit a rejected expenditure: %d %s", r.status, r.body)
	}
	if got := str(w.get(pledgePath, w.admin)["submitted_total"]); got != "20" {
		t.Fatalf("submitted_total after editing the rejected one: %s", got)
	}
	if r := w.upload(path+"/documents", w.accA, "file", "scan.pdf", tinyPDF); r.status != 201 {
		t.Fatalf("evidence on a rejected expenditure: %d %s", r.status, r.body)
	}

	// Resubmitted later than `other` was submitted: it queues after it.
	now = theNow.Add(time.Hour)
	r = w.do("POST", path+"/resubmit", w.accA, nil, "Idempotency-Key", "resubmit-1")
	m := r.json()
	if r.status != 200 || m["status"] != "submitted" || m["submitted_at"] != "2025-11-26T11:00:00Z" ||
		m["submitted_at_jalali"] != "1404/09/05 14:30:00" || m["reviewed_at"] != nil || m["review_reason"] != nil ||
		m["reviewed_by"] != nil || len(m["reviews"].([]any)) != 1 || m["created_at"] != "2025-11-26T10:00:00Z" {
		t.Fatalf("resubmit: %d %s", r.status, r.body)
	}
	if again := w.do("POST", path+"/resubmit", w.accA, nil, "Idempotency-Key", "resubmit-1"); again.status != 200 || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replayed resubmit: %d %s", again.status, again.body)
	}
	if r := w.do("POST", path+"/resubmit", w.accA, nil); r.status != 409 {
		t.Fatalf("resubmit twice: %d", r.status)
	}
	if got := str(w.get(pledgePath, w.admin)["submitted_total"]); got != "920" {
		t.Fatalf("submitted_total after the resubmission: %s", got)
	}
	var queue []string
	cursor := ""
	for {
		page := w.get("/api/v1/reviews/queue?limit=1"+cursor, w.tax)
		for _, it := range page["items"].([]any) {
			queue = append(queue, str(it.(map[string]any)["id"]))
		}
		if page["next_cursor"] == nil {
			break
		}
		cursor = "&cursor=" + str(page["next_cursor"])
	}
	if fmt.Sprint(queue) != fmt.Sprint([]string{str(other), str(id)}) {
		t.Fatalf("queue by (re)submission time: %v, want [%d %d]", queue, other, id)
	}
	if r := w.do("GET", "/api/v1/reviews/queue?cursor="+encodeCursor(other), w.tax, nil); r.status != 400 || r.fieldErrors()["cursor"] != "invalid_cursor" {
		t.Fatalf("an id cursor on the queue: %d %s", r.status, r.body)
	}

	// Approved now that it has its scan; both rounds are kept, latest first.
	r = review(map[string]any{"decision": "approve"})
	m = r.json()
	if r.status != 200 || m["status"] != "approved" || m["approved_amount"] != "900" ||
		m["reviewed_by"].(map[string]any)["full_name"] != "مریم رضایی" {
		t.Fatalf("approve after resubmission: %d %s", r.status, r.body)
	}
	rs := rounds(w.aud)
	if len(rs) != 2 || rs[0]["decision"] != "approve" || rs[0]["amount"] != "900" || rs[0]["approved_amount"] != "900" ||
		rs[1]["decision"] != "reject" || rs[1]["amount"] != "1000" || rs[1]["approved_amount"] != nil {
		t.Fatalf("rounds: %v", rs)
	}
	var actions []string
	if err := w.db.Select(&actions, `SELECT action FROM audit_log WHERE target_type = 'expenditure' AND target_id = $1 ORDER BY seq`, str(id)); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(actions) != "[expenditure.submit expenditure.review expenditure.update expenditure.document_add expenditure.resubmit expenditure.review]" {
		t.Fatalf("audit: %v", actions)
	}
	if _, findings, err := ledger.VerifySubmittedTotals(context.Background(), w.db); err != nil || len(findings) != 0 {
		t.Fatalf("verify: %v %v", findings, err)
	}
	if r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, "5", "invoice_no", "F-100")); r.status != 409 {
		t.Fatalf("same invoice while approved: %d", r.status)
	}
}

// TestRoundsAreAppendOnly: the rounds of review cannot be changed behind
// the application's back.
func TestRoundsAreAppendOnly(t *testing.T) {
	w := newWorld(t)
	id := w.mustSubmit(w.accA, expenditure(w.pledgeA, "10"))
	w.mustOK(w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", id), w.tax, map[string]any{"decision": "reject", "reason": "x"}), "reject")
	for _, q := range []string{`UPDATE expenditure_reviews SET reason = 'y'`, `DELETE FROM expenditure_reviews`, `TRUNCATE expenditure_reviews`} {
		if _, err := w.db.Exec(q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
}

// TestWithdrawalIsKept: the reason, who withdrew and when are kept and
// shown; a withdrawn expenditure frees its invoice number, and so does a
// rejected one when it is withdrawn.
func TestWithdrawalIsKept(t *testing.T) {
	w := newWorld(t)
	if _, err := w.db.Exec(`UPDATE users SET full_name = 'علی احمدی' WHERE username = 'acc-a'`); err != nil {
		t.Fatal(err)
	}
	id := w.mustSubmit(w.accA, expenditure(w.pledgeA, "100", "invoice_no", "W-1"))
	path := fmt.Sprintf("/api/v1/expenditures/%d", id)
	r := w.do("POST", path+"/withdraw", w.accA, map[string]any{"reason": "ثبت تکراری"})
	if r.status != 200 {
		t.Fatalf("withdraw: %d %s", r.status, r.body)
	}
	for _, token := range []string{w.accA, w.edu, w.tax} {
		m := w.get(path, token)
		by, _ := m["withdrawn_by"].(map[string]any)
		if m["status"] != "withdrawn" || m["withdrawal_reason"] != "ثبت تکراری" || by["full_name"] != "علی احمدی" ||
			m["withdrawn_at"] != "2025-11-26T10:00:00Z" || m["withdrawn_at_jalali"] != "1404/09/05 13:30:00" {
			t.Fatalf("withdrawn as read: %v", m)
		}
	}
	// Its invoice is free again.
	w.mustSubmit(w.accA, expenditure(w.pledgeA, "100", "invoice_no", "W-1"))
	// A withdrawal without a reason keeps who and when.
	plain := w.mustSubmit(w.accA, expenditure(w.pledgeA, "5"))
	m := w.mustOK(w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/withdraw", plain), w.accA, nil), "withdraw")
	if m["withdrawal_reason"] != nil || m["withdrawn_by"] == nil || m["withdrawn_at"] == nil {
		t.Fatalf("withdrawn without a reason: %v", m)
	}

	// A rejected expenditure may be withdrawn: its invoice is freed, the
	// pledge's total does not move again, and its round stays.
	rej := w.mustSubmit(w.accA, expenditure(w.pledgeA, "40", "invoice_no", "W-2"))
	w.mustOK(w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", rej), w.tax, map[string]any{"decision": "reject", "reason": "نامعتبر"}), "reject")
	before := str(w.get(fmt.Sprintf("/api/v1/pledges/%d", w.pledgeA), w.admin)["submitted_total"])
	m = w.mustOK(w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/withdraw", rej), w.accA, map[string]any{"reason": "منصرف شدیم"}), "withdraw rejected")
	if m["status"] != "withdrawn" || m["reviewed_at"] != nil || len(m["reviews"].([]any)) != 1 || m["withdrawal_reason"] != "منصرف شدیم" {
		t.Fatalf("withdrawn after rejection: %v", m)
	}
	if after := str(w.get(fmt.Sprintf("/api/v1/pledges/%d", w.pledgeA), w.admin)["submitted_total"]); after != before {
		t.Fatalf("submitted_total moved: %s → %s", before, after)
	}
	w.mustSubmit(w.accA, expenditure(w.pledgeA, "40", "invoice_no", "W-2"))
	if r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/resubmit", rej), w.accA, nil); r.status != 409 {
		t.Fatalf("resubmit a withdrawn expenditure: %d", r.status)
	}
	if _, findings, err := ledger.VerifySubmittedTotals(context.Background(), w.db); err != nil || len(findings) != 0 {
		t.Fatalf("verify: %v %v", findings, err)
	}
}

// TestActorsCarryNames: who submitted, reviewed and reversed appear as
// {id, full_name}, the user name standing in for a missing full name; the
// reviewer and the reverser are hidden from the roles kept from tax
// affairs.
func TestActorsCarryNames(t *testing.T) {
	w := newWorld(t)
	if _, err := w.db.Exec(`UPDATE users SET full_name = 'علی احمدی' WHERE username = 'acc-a'`); err != nil {
		t.Fatal(err)
	}
	r := w.do("POST", "/api/v1/expenditures", w.accA, expenditure(w.pledgeA, "10"))
	by := r.json()["submitted_by"].(map[string]any)
	if r.status != 201 || by["full_name"] != "علی احمدی" || by["id"] == nil {
		t.Fatalf("submit answer: %d %s", r.status, r.body)
	}
	id := w.withEvidence(w.mustID(r))
	path := fmt.Sprintf("/api/v1/expenditures/%d", id)
	w.mustOK(w.do("POST", path+"/review", w.tax, map[string]any{"decision": "approve"}), "approve")
	w.mustOK(w.do("POST", path+"/reverse", w.tax, map[string]any{"reason": "فاکتور باطل شد"}), "reverse")
	m := w.get(path, w.aud)
	if m["submitted_by"].(map[string]any)["full_name"] != "علی احمدی" || m["reviewed_by"].(map[string]any)["full_name"] != "tax1" ||
		m["reversed_by"].(map[string]any)["full_name"] != "tax1" {
		t.Fatalf("names: %v", m)
	}
	for _, token := range []string{w.edu, w.sec} {
		m := w.get(path, token)
		if m["reviewed_by"] != nil || m["reversed_by"] != nil || m["reversal_reason"] != nil || m["submitted_by"] == nil {
			t.Fatalf("education/secretariat see: %v", m)
		}
	}
}

// TestExceedsPledgeIsStable holds exceeds_pledge to its definition: the
// running total of the pledge's standing expenditures in submission order,
// at this one. Edits of other fields never move it; an amount edit
// recomputes it for the edited expenditure alone.
func TestExceedsPledgeIsStable(t *testing.T) {
	w := newWorld(t)
	pledge := w.mustPledge(w.admin, w.unitA.ID, w.school, "1000", "2025-05-01")
	e1 := w.mustSubmit(w.accA, expenditure(pledge, "600"))
	e2 := w.mustSubmit(w.accA, expenditure(pledge, "300"))
	e3 := w.mustSubmit(w.accA, expenditure(pledge, "200"))
	flag := func(id int64) bool {
		t.Helper()
		return w.get(fmt.Sprintf("/api/v1/expenditures/%d", id), w.accA)["exceeds_pledge"] == true
	}
	if flag(e1) || flag(e2) || !flag(e3) {
		t.Fatalf("at submission: %v %v %v", flag(e1), flag(e2), flag(e3))
	}
	edits := []struct {
		name string
		body map[string]any
	}{
		{"description", map[string]any{"description": "سیمان تیپ ۲"}},
		{"description cleared", map[string]any{"description": nil}},
		{"vendor", map[string]any{"vendor_name": "آهن‌آلات قزوین"}},
		{"vendor national id", map[string]any{"vendor_national_id": taahod.MakeLegalEntityID("1010456789")}},
		{"category", map[string]any{"category": "equipment"}},
		{"date", map[string]any{"spent_on": "2025-09-01"}},
		{"jalali date", map[string]any{"spent_on_jalali": "1404/06/01"}},
		{"same amount", map[string]any{"amount": "300"}},
	}
	for _, tc := range edits {
		t.Run(tc.name, func(t *testing.T) {
			for _, id := range []int64{e2, e3} {
				body := map[string]any{}
				for k, v := range tc.body {
					body[k] = v
				}
				if id == e3 && body["amount"] != nil {
					body["amount"] = "200"
				}
				before := flag(id)
				if r := w.do("PATCH", fmt.Sprintf("/api/v1/expenditures/%d", id), w.accA, body); r.status != 200 || (r.json()["exceeds_pledge"] == true) != before {
					t.Fatalf("edit %v of %d: %d %s (flag was %v)", body, id, r.status, r.body, before)
				}
				if flag(id) != before {
					t.Fatalf("edit %v of %d moved the flag", body, id)
				}
			}
		})
	}
	t.Run("invoice", func(t *testing.T) {
		for _, id := range []int64{e2, e3} {
			before := flag(id)
			w.mustOK(w.do("PATCH", fmt.Sprintf("/api/v1/expenditures/%d", id), w.accA, map[string]any{"invoice_no": fmt.Sprintf("NEW-%d", id)}), "invoice")
			if flag(id) != before {
				t.Fatalf("an invoice edit of %d moved the flag", id)
			}
		}
	})
	amount := func(id int64, a string, want bool) {
		t.Helper()
		r := w.do("PATCH", fmt.Sprintf("/api/v1/expenditures/%d", id), w.accA, map[string]any{"amount": a})
		if r.status != 200 || (r.json()["exceeds_pledge"] == true) != want || flag(id) != want {
			t.Fatalf("amount %s of %d: %d %s, want exceeds_pledge %v", a, id, r.status, r.body, want)
		}
	}
	t.Run("amount", func(t *testing.T) {
		amount(e2, "450", true)  // 600 + 450 > 1000
		amount(e2, "400", false) // 600 + 400 = 1000 is within
		amount(e3, "1", true)    // 600 + 400 + 1
		// An earlier expenditure's amount moves its own flag only: e2 and
		// e3 keep theirs until their own amounts are edited.
		amount(e1, "1001", true)
		if flag(e2) || !flag(e3) {
			t.Fatalf("later flags moved: %v %v", flag(e2), flag(e3))
		}
		amount(e2, "400", false) // the same amount: nothing changes
		amount(e2, "401", true)  // 1001 + 401
	})
}
