package api

import (
	"net/http"
	"strconv"
	"testing"
)

// TestListMissingDocuments: ?missing_documents=true lists the expenditures
// that still take evidence and have none, within the caller's scope.
func TestListMissingDocuments(t *testing.T) {
	w := newWorld(t)
	bare := w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000", "invoice_no", "MD-1"))
	documented := w.mustSubmit(w.accA, expenditure(w.pledgeA, "1000", "invoice_no", "MD-2"))
	w.withEvidence(documented)
	theirs := w.mustSubmit(w.accB, expenditure(w.pledgeB, "1000", "invoice_no", "MD-3"))

	if got := ids(t, w.get("/api/v1/expenditures?missing_documents=true", w.accA)); len(got) != 1 || got[0] != bare {
		t.Errorf("the accountant's missing documents: %v, want [%d]", got, bare)
	}
	if got := ids(t, w.get("/api/v1/expenditures?missing_documents=true", w.tax)); len(got) != 2 || got[0] != bare || got[1] != theirs {
		t.Errorf("the tax officer's: %v, want [%d %d]", got, bare, theirs)
	}
	if got := ids(t, w.get("/api/v1/expenditures?missing_documents=false&unit_id="+strconv.FormatInt(w.unitA.ID, 10), w.tax)); len(got) != 2 {
		t.Errorf("missing_documents=false filters: %v", got)
	}
	if r := w.do("GET", "/api/v1/expenditures?missing_documents=maybe", w.accA, nil); r.status != http.StatusUnprocessableEntity && r.status != http.StatusBadRequest {
		t.Errorf("missing_documents=maybe: %d %s", r.status, r.body)
	}
}
