package api

import (
	"fmt"
	"net/http"
	"testing"
)

// TestCommitmentsScope is the matrix of who may do what: every role, on
// every commitments endpoint, against a record of the accountant's own unit
// and of another unit. The accountant is acc-a, of unit A; "other" records
// belong to unit B. Each cell gets fresh records, so that a change made by
// one cell does not decide the next.
func TestCommitmentsScope(t *testing.T) {
	w := newWorld(t)
	type request struct {
		method, path string
		body         any
		upload       bool
	}
	// fresh makes a submitted expenditure with one document, of unit A (own)
	// or unit B.
	fresh := func(own bool) (expenditure, document int64) {
		token, pledge := w.accA, w.pledgeA
		if !own {
			token, pledge = w.accB, w.pledgeB
		}
		id := w.mustSubmit(token, expenditureBody(pledge))
		r := w.upload(fmt.Sprintf("/api/v1/expenditures/%d/documents", id), token, "file", "inv.pdf", tinyPDF)
		return id, w.mustID(r)
	}
	pledgeOf := func(own bool) int64 {
		if own {
			return w.mustPledge(w.admin, w.unitA.ID, w.school, "1000", "2025-05-01")
		}
		return w.mustPledge(w.admin, w.unitB.ID, w.school, "1000", "2025-05-01")
	}
	unitOf := func(own bool) int64 {
		if own {
			return w.unitA.ID
		}
		return w.unitB.ID
	}
	endpoints := []struct {
		name string
		make func(own bool) request
		// want maps a role to its status; "accountant" is for the own
		// unit, "accountant/other" for the other.
		want map[string]int
	}{
		{"POST /schools", func(bool) request {
			return request{"POST", "/api/v1/schools", map[string]any{"name": "مدرسه", "kind": "school", "county": "قزوین"}, false}
		}, expect(201, 403, 403, 403, 403, 403, 201, 403)},
		{"GET /schools", func(bool) request { return request{"GET", "/api/v1/schools", nil, false} },
			expect(200, 200, 200, 200, 200, 200, 200, 200)},
		{"GET /schools/{id}", func(bool) request { return request{"GET", fmt.Sprintf("/api/v1/schools/%d", w.school), nil, false} },
			expect(200, 200, 200, 200, 200, 200, 200, 200)},
		{"PATCH /schools/{id}", func(bool) request {
			return request{"PATCH", fmt.Sprintf("/api/v1/schools/%d", w.school), map[string]any{"address": "نشانی"}, false}
		}, expect(200, 403, 403, 403, 403, 403, 200, 403)},
		{"POST /schools/{id}/progress", func(bool) request {
			return request{"POST", fmt.Sprintf("/api/v1/schools/%d/progress", w.school), map[string]any{"milestone": "گزارش", "percent": 10, "reported_on": "2025-06-01"}, false}
		}, expect(403, 403, 403, 403, 403, 403, 201, 403)},
		{"GET /schools/{id}/progress", func(bool) request {
			return request{"GET", fmt.Sprintf("/api/v1/schools/%d/progress", w.school), nil, false}
		}, expect(200, 200, 200, 200, 200, 200, 200, 200)},
		{"POST /pledges", func(own bool) request {
			return request{"POST", "/api/v1/pledges", map[string]any{"unit_id": unitOf(own), "school_id": w.school, "amount": "10", "pledged_on": "2025-05-01"}, false}
		}, expect(201, 201, 201, 404, 403, 403, 403, 403)},
		{"GET /pledges", func(bool) request { return request{"GET", "/api/v1/pledges", nil, false} },
			expect(200, 200, 200, 200, 200, 200, 200, 200)},
		{"GET /pledges/{id}", func(own bool) request {
			return request{"GET", fmt.Sprintf("/api/v1/pledges/%d", pledgeOf(own)), nil, false}
		},
			expect(200, 200, 200, 404, 200, 200, 200, 200)},
		{"POST /pledges/{id}/cancel", func(own bool) request {
			return request{"POST", fmt.Sprintf("/api/v1/pledges/%d/cancel", pledgeOf(own)), map[string]any{"reason": "انصراف"}, false}
		}, expect(200, 200, 403, 403, 403, 403, 403, 403)},
		{"POST /expenditures", func(own bool) request {
			p := w.pledgeA
			if !own {
				p = w.pledgeB
			}
			return request{"POST", "/api/v1/expenditures", expenditureBody(p), false}
		}, expect(403, 403, 201, 404, 403, 403, 403, 403)},
		{"GET /expenditures", func(bool) request { return request{"GET", "/api/v1/expenditures", nil, false} },
			expect(200, 200, 200, 200, 200, 200, 200, 200)},
		{"GET /expenditures/{id}", func(own bool) request {
			id, _ := fresh(own)
			return request{"GET", fmt.Sprintf("/api/v1/expenditures/%d", id), nil, false}
		}, expect(200, 200, 200, 404, 200, 200, 200, 200)},
		{"PATCH /expenditures/{id}", func(own bool) request {
			id, _ := fresh(own)
			return request{"PATCH", fmt.Sprintf("/api/v1/expenditures/%d", id), map[string]any{"description": "اصلاح"}, false}
		}, expect(403, 403, 200, 404, 403, 403, 403, 403)},
		{"POST /expenditures/{id}/withdraw", func(own bool) request {
			id, _ := fresh(own)
			return request{"POST", fmt.Sprintf("/api/v1/expenditures/%d/withdraw", id), nil, false}
		}, expect(403, 403, 200, 404, 403, 403, 403, 403)},
		{"POST /expenditures/{id}/documents", func(own bool) request {
			id, _ := fresh(own)
			return request{"POST", fmt.Sprintf("/api/v1/expenditures/%d/documents", id), nil, true}
		}, expect(403, 403, 201, 404, 403, 403, 403, 403)},
		{"GET /expenditures/{id}/documents", func(own bool) request {
			id, _ := fresh(own)
			return request{"GET", fmt.Sprintf("/api/v1/expenditures/%d/documents", id), nil, false}
		}, expect(200, 403, 200, 404, 200, 200, 403, 200)},
		{"GET /expenditures/{id}/documents/{doc_id}", func(own bool) request {
			id, doc := fresh(own)
			return request{"GET", fmt.Sprintf("/api/v1/expenditures/%d/documents/%d", id, doc), nil, false}
		}, expect(200, 403, 200, 404, 200, 200, 403, 200)},
		{"POST /expenditures/{id}/review", func(own bool) request {
			id, _ := fresh(own)
			return request{"POST", fmt.Sprintf("/api/v1/expenditures/%d/review", id), map[string]any{"decision": "approve"}, false}
		}, expect(403, 403, 403, 403, 200, 200, 403, 403)},
		{"GET /reviews/queue", func(bool) request { return request{"GET", "/api/v1/reviews/queue", nil, false} },
			expect(200, 403, 403, 403, 200, 200, 403, 200)},
	}
	tokens := map[string]string{
		"admin": w.admin, "secretariat": w.sec, "accountant": w.accA, "accountant/other": w.accA,
		"tax_officer": w.tax, "tax_officer/other": w.tax, "education_officer": w.edu, "auditor": w.aud,
	}
	for _, ep := range endpoints {
		for _, role := range matrixRoles {
			t.Run(ep.name+"/"+role, func(t *testing.T) {
				req := ep.make(role != "accountant/other" && role != "tax_officer/other")
				var r response
				if req.upload {
					r = w.upload(req.path, tokens[role], "file", "scan.png", uniquePNG())
				} else {
					r = w.do(req.method, req.path, tokens[role], req.body)
				}
				if want := ep.want[role]; r.status != want {
					t.Fatalf("%s %s as %s: %d, want %d: %s", req.method, req.path, role, r.status, want, r.body)
				}
				if r.status >= 400 && r.status != http.StatusNotFound && r.status != http.StatusForbidden {
					t.Fatalf("unexpected refusal: %s", r.body)
				}
			})
		}
	}
}

// matrixRoles are the matrix's columns, in expect's order. A tax officer
// sees every unit; "tax_officer/other" checks that on the other unit.
var matrixRoles = []string{"admin", "secretariat", "accountant", "accountant/other", "tax_officer", "tax_officer/other", "education_officer", "auditor"}

func expect(statuses ...int) map[string]int {
	m := map[string]int{}
	for i, role := range matrixRoles {
		m[role] = statuses[i]
	}
	return m
}

func expenditureBody(pledge int64) map[string]any { return expenditure(pledge, "10") }

var pngSeq = 0

// uniquePNG is tinyPNG with a distinct trailing byte, so that each upload is
// a new document.
func uniquePNG() []byte {
	pngSeq++
	return append(append([]byte{}, tinyPNG...), byte(pngSeq), byte(pngSeq>>8))
}
