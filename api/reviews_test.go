package api

import (
	"fmt"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

func TestReview(t *testing.T) {
	w := newWorld(t)
	review := func(id int64, token string, body any) response {
		return w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", id), token, body)
	}
	t.Run("approve in full", func(t *testing.T) {
		for _, body := range []map[string]any{{"decision": "approve"}, {"decision": "approve", "approved_amount": "1000.5"}} {
			id := w.withEvidence(w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000.50")))
			r := review(id, w.tax, body)
			m := r.json()
			if r.status != 200 || m["status"] != "approved" || m["approved_amount"] != "1000.5" || m["reviewed_at"] != "2025-11-26T10:00:00Z" ||
				m["reviewed_at_jalali"] != "1404/09/05 13:30:00" || m["reviewed_by"] == nil {
				t.Fatalf("%v: %d %s", body, r.status, r.body)
			}
		}
	})
	t.Run("approve in part", func(t *testing.T) {
		id := w.withEvidence(w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000")))
		if r := review(id, w.tax, map[string]any{"decision": "approve", "approved_amount": "400"}); r.status != 422 || r.fieldErrors()["reason"] != "required" {
			t.Fatalf("without a reason: %d %s", r.status, r.body)
		}
		r := review(id, w.tax, map[string]any{"decision": "approve", "approved_amount": 400.25, "reason": "فقط بخش تجهیزات"})
		if r.status != 200 || r.json()["status"] != "partially_approved" || r.json()["approved_amount"] != "400.25" {
			t.Fatalf("%d %s", r.status, r.body)
		}
	})
	t.Run("reject", func(t *testing.T) {
		id := w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000"))
		if r := review(id, w.tax, map[string]any{"decision": "reject"}); r.status != 422 || r.fieldErrors()["reason"] != "required" {
			t.Fatalf("without a reason: %d %s", r.status, r.body)
		}
		if r := review(id, w.tax, map[string]any{"decision": "reject", "reason": "x", "approved_amount": "5"}); r.status != 422 || r.fieldErrors()["approved_amount"] == "" {
			t.Fatalf("with an amount: %d %s", r.status, r.body)
		}
		r := review(id, w.tax, map[string]any{"decision": "reject", "reason": "فاکتور معتبر نیست"})
		if r.status != 200 || r.json()["status"] != "rejected" || r.json()["approved_amount"] != nil {
			t.Fatalf("%d %s", r.status, r.body)
		}
		// The second review of the same expenditure is a conflict.
		for _, body := range []map[string]any{{"decision": "approve"}, {"decision": "reject", "reason": "again"}} {
			if r := review(id, w.tax, body); r.status != 409 || r.problemCode() != taahod.ECONFLICT {
				t.Fatalf("second review: %d %s", r.status, r.body)
			}
		}
	})
	t.Run("refused", func(t *testing.T) {
		id := w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000"))
		for name, tc := range map[string]struct {
			body   map[string]any
			status int
			field  string
		}{
			"over the amount": {map[string]any{"decision": "approve", "approved_amount": "1000.01"}, 422, "approved_amount"},
			"zero":            {map[string]any{"decision": "approve", "approved_amount": "0"}, 422, "approved_amount"},
			"bad amount":      {map[string]any{"decision": "approve", "approved_amount": "1,000"}, 422, "approved_amount"},
			"bad decision":    {map[string]any{"decision": "maybe"}, 422, "decision"},
		} {
			if r := review(id, w.tax, tc.body); r.status != tc.status || r.fieldErrors()[tc.field] == "" {
				t.Errorf("%s: %d %s", name, r.status, r.body)
			}
		}
		for _, token := range []string{w.admin, w.accA, w.edu, w.sec, w.aud} {
			if r := review(id, token, map[string]any{"decision": "approve"}); r.status != 403 {
				t.Errorf("role: %d", r.status)
			}
		}
		if r := review(99999, w.tax, map[string]any{"decision": "approve"}); r.status != 404 {
			t.Errorf("unknown: %d", r.status)
		}
		w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/withdraw", id), w.accA, nil)
		if r := review(id, w.tax, map[string]any{"decision": "approve"}); r.status != 409 {
			t.Errorf("withdrawn: %d", r.status)
		}
	})
	t.Run("what each role sees of a review", func(t *testing.T) {
		id := w.withEvidence(w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000")))
		review(id, w.tax, map[string]any{"decision": "approve", "approved_amount": "10", "reason": "بدهی مالیاتی معوق واحد"})
		path := fmt.Sprintf("/api/v1/expenditures/%d", id)
		for _, token := range []string{w.edu, w.sec} {
			m := w.get(path, token)
			if m["review_reason"] != nil || m["reviewed_by"] != nil || m["status"] != "partially_approved" || m["approved_amount"] != "10" {
				t.Errorf("education/secretariat see: %v", m)
			}
			for _, it := range w.get(fmt.Sprintf("/api/v1/expenditures?pledge_id=%d", w.pledgeA), token)["items"].([]any) {
				if it.(map[string]any)["review_reason"] != nil {
					t.Errorf("a reason in the list: %v", it)
				}
			}
		}
		for _, token := range []string{w.accA, w.tax, w.aud, w.admin} {
			if m := w.get(path, token); m["review_reason"] != "بدهی مالیاتی معوق واحد" || m["reviewed_by"] == nil {
				t.Errorf("reason hidden: %v", m)
			}
		}
	})
}

func TestReviewQueue(t *testing.T) {
	w := newWorld(t)
	first := w.mustSubmit(w.accB, expenditure(w.pledgeB, "10"))
	second := w.mustSubmit(w.accA, expenditure(w.pledgeA, "20"))
	third := w.withEvidence(w.mustSubmit(w.accA, expenditure(w.pledgeA, "30")))
	w.upload(fmt.Sprintf("/api/v1/expenditures/%d/documents", second), w.accA, "file", "inv.pdf", tinyPDF)
	w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", third), w.tax, map[string]any{"decision": "approve"})

	m := w.get("/api/v1/reviews/queue", w.tax)
	items := m["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("queue: %v", m)
	}
	a, b := items[0].(map[string]any), items[1].(map[string]any)
	if str(a["id"]) != str(first) || str(b["id"]) != str(second) {
		t.Fatalf("order: %v %v", a["id"], b["id"])
	}
	unit, school := b["unit"].(map[string]any), b["school"].(map[string]any)
	docs := b["documents"].([]any)
	if unit["name"] != w.unitA.Name || unit["national_id"] != w.unitA.NationalID || str(school["id"]) != str(w.school) ||
		len(docs) != 1 || docs[0].(map[string]any)["content_type"] != "application/pdf" || b["spent_on_jalali"] != "1404/07/09" {
		t.Fatalf("item: %v", b)
	}
	if len(a["documents"].([]any)) != 0 {
		t.Fatalf("documents of the first: %v", a)
	}
	page := w.get("/api/v1/reviews/queue?limit=1", w.tax)
	if len(page["items"].([]any)) != 1 || page["next_cursor"] == nil {
		t.Fatalf("page: %v", page)
	}
	next := w.get("/api/v1/reviews/queue?limit=1&cursor="+str(page["next_cursor"]), w.tax)
	if str(next["items"].([]any)[0].(map[string]any)["id"]) != str(second) {
		t.Fatalf("next page: %v", next)
	}
	for _, token := range []string{w.accA, w.edu, w.sec} {
		if r := w.do("GET", "/api/v1/reviews/queue", token, nil); r.status != 403 {
			t.Errorf("queue for %d", r.status)
		}
	}
}

func TestCommitmentsIdempotencyAndAudit(t *testing.T) {
	w := newWorld(t)
	body := expenditure(w.pledgeA, "123.45", "invoice_no", "IDEM-1")
	first := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", "submit-1")
	again := w.do("POST", "/api/v1/expenditures", w.accA, body, "Idempotency-Key", "submit-1")
	if first.status != 201 || again.status != 201 || string(first.body) != string(again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %d %s", first.status, again.status, again.body)
	}
	if n := w.count("expenditures"); n != 1 {
		t.Fatalf("%d expenditures", n)
	}
	other := expenditure(w.pledgeA, "1", "invoice_no", "IDEM-2")
	if r := w.do("POST", "/api/v1/expenditures", w.accA, other, "Idempotency-Key", "submit-1"); r.status != 422 || r.problemCode() != taahod.EIDEMPOTENCYREUSED {
		t.Fatalf("reused key: %d %s", r.status, r.body)
	}
	id := w.withEvidence(w.mustID(first))
	rv := map[string]any{"decision": "approve"}
	r1 := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", id), w.tax, rv, "Idempotency-Key", "review-1")
	r2 := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", id), w.tax, rv, "Idempotency-Key", "review-1")
	if r1.status != 200 || r2.status != 200 || r2.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("review replay: %d %d", r1.status, r2.status)
	}
	u1 := w.upload(fmt.Sprintf("/api/v1/expenditures/%d/documents", w.mustSubmit(w.accA, expenditure(w.pledgeA, "1"))), w.accA, "file", "a.png", tinyPNG, "Idempotency-Key", "doc-1")
	if u1.status != 201 {
		t.Fatalf("upload with a key: %d %s", u1.status, u1.body)
	}

	// Every change above wrote exactly one audit entry, and the chain holds.
	var actions []string
	if err := w.db.Select(&actions, `SELECT action FROM audit_log WHERE action NOT LIKE 'auth.%' AND action NOT LIKE 'user.%' AND action NOT LIKE 'unit.%' ORDER BY seq`); err != nil {
		t.Fatal(err)
	}
	want := "[school.create pledge.create pledge.create expenditure.submit expenditure.document_add expenditure.review expenditure.submit expenditure.document_add]"
	if fmt.Sprint(actions) != want {
		t.Fatalf("audit actions %v", actions)
	}
	var target string
	if err := w.db.Get(&target, `SELECT target_id FROM audit_log WHERE action = 'expenditure.submit' ORDER BY seq LIMIT 1`); err != nil || target != str(id) {
		t.Fatalf("submit audited against %q", target)
	}
	if _, findings, err := database.VerifyAudit(w.t.Context(), w.db); err != nil || len(findings) != 0 {
		t.Fatalf("audit chain: %v %v", findings, err)
	}
}
