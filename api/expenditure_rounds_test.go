package api

import (
	"fmt"
	"net/http"
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
