package api

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// theNow is the instant the commitments' tests run at: 10:00 UTC on
// 2025-11-26, which is 13:30 on 1404/09/05 in Tehran.
var theNow = time.Date(2025, 11, 26, 10, 0, 0, 0, time.UTC)

// world is a server with two units, a user of every role (an accountant for
// each unit), a school, and a pledge of each unit to it.
type world struct {
	*env
	unitA, unitB                 registry.Unit
	admin, sec, tax, edu, aud    string
	accA, accB                   string
	school, pledgeA, pledgeB     int64
	pledgeAmountA, pledgeAmountB string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	return worldOf(t, newEnv(t))
}

// worldOf is newWorld on an environment of the caller's.
func worldOf(t *testing.T, e *env) *world {
	t.Helper()
	e.db.Now = func() time.Time { return theNow }
	w := &world{env: e}
	w.unitA = e.mustCreateUnit("فولاد البرز", "1010234567")
	w.unitB = e.mustCreateUnit("نان‌آوران تاکستان", "1010345678")
	w.admin = e.userToken("admin1", taahod.RoleAdmin)
	w.sec = e.userToken("sec1", taahod.RoleSecretariat)
	w.tax = e.userToken("tax1", taahod.RoleTaxOfficer)
	w.edu = e.userToken("edu1", taahod.RoleEducationOfficer)
	w.aud = e.userToken("aud1", taahod.RoleAuditor)
	w.accA = e.userToken("acc-a", taahod.RoleAccountant, w.unitA.ID)
	w.accB = e.userToken("acc-b", taahod.RoleAccountant, w.unitB.ID)
	w.school = w.mustID(w.do("POST", "/api/v1/schools", w.edu, map[string]any{
		"name": "دبستان ۱۲ کلاسه شهید رجایی", "kind": "school", "county": "البرز", "classrooms": 12, "estimated_cost": "120000000000",
	}))
	w.pledgeAmountA, w.pledgeAmountB = "50000000000", "30000000000"
	w.pledgeA = w.mustPledge(w.admin, w.unitA.ID, w.school, w.pledgeAmountA, "2025-04-01")
	w.pledgeB = w.mustPledge(w.admin, w.unitB.ID, w.school, w.pledgeAmountB, "2025-04-01")
	return w
}

// mustID returns the id of a created record, failing unless it was 201.
func (w *world) mustID(r response) int64 {
	w.t.Helper()
	if r.status != http.StatusCreated {
		w.t.Fatalf("create: %d %s", r.status, r.body)
	}
	id, err := r.json()["id"].(interface{ Int64() (int64, error) }).Int64()
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

func (w *world) mustPledge(token string, unit, school int64, amount, on string) int64 {
	w.t.Helper()
	return w.mustID(w.do("POST", "/api/v1/pledges", token, map[string]any{
		"unit_id": unit, "school_id": school, "amount": amount, "pledged_on": on,
	}))
}

// invoiceSeq makes invoice numbers distinct across a test.
var invoiceSeq = 0

// expenditure is a valid submission against pledge; fields override.
func expenditure(pledge int64, amount any, fields ...any) map[string]any {
	invoiceSeq++
	m := map[string]any{
		"pledge_id": pledge, "amount": amount, "spent_on": "2025-10-01",
		"invoice_no": fmt.Sprintf("INV-%d", invoiceSeq), "vendor_name": "مصالح ساختمانی البرز",
		"category": "construction", "description": "میلگرد و سیمان",
	}
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] == nil {
			delete(m, fields[i].(string))
			continue
		}
		m[fields[i].(string)] = fields[i+1]
	}
	return m
}

func (w *world) mustSubmit(token string, body map[string]any) int64 {
	w.t.Helper()
	return w.mustID(w.do("POST", "/api/v1/expenditures", token, body))
}

func (w *world) get(path, token string) map[string]any {
	w.t.Helper()
	r := w.do("GET", path, token, nil)
	if r.status != http.StatusOK {
		w.t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	return r.json()
}

// upload posts a file as the multipart field "file" (or another field).
func (w *world) upload(path, token, field, name string, content []byte, headers ...string) response {
	w.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	part, err := mw.CreateFormFile(field, name)
	if err != nil {
		w.t.Fatal(err)
	}
	_, _ = part.Write(content)
	_ = mw.Close()
	req, err := http.NewRequest("POST", w.http.URL+path, &body)
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := response{t: w.t, status: res.StatusCode, header: res.Header, body: raw}
	checkOpenAPI(w.t, "POST", path, r)
	return r
}

// Small real files: a minimal PDF, a 1×1 PNG and the start of a JPEG.
var (
	tinyPDF  = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj 3 0 obj<</Type/Page/MediaBox[0 0 3 3]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
	tinyPNG  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
	tinyJPEG = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9")
)

func str(v any) string { return fmt.Sprint(v) }

func TestCommitmentsFlow(t *testing.T) {
	w := newWorld(t)
	e1 := w.mustSubmit(w.accA, expenditure(w.pledgeA, "20000000000"))
	e2 := w.mustSubmit(w.accA, expenditure(w.pledgeA, "5000000000.50", "category", "equipment"))
	if r := w.upload(fmt.Sprintf("/api/v1/expenditures/%d/documents", e1), w.accA, "file", "invoice.pdf", tinyPDF); r.status != 201 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	r := w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", e1), w.tax, map[string]any{
		"decision": "approve", "approved_amount": "15000000000", "reason": "بخشی از فاکتور مربوط به پروژه دیگری است",
	})
	if r.status != 200 || r.json()["status"] != "partially_approved" {
		t.Fatalf("partial approval: %d %s", r.status, r.body)
	}
	r = w.do("POST", fmt.Sprintf("/api/v1/expenditures/%d/review", e2), w.tax, map[string]any{"decision": "reject", "reason": "فاقد مستندات"})
	if r.status != 200 || r.json()["status"] != "rejected" {
		t.Fatalf("reject: %d %s", r.status, r.body)
	}
	sc := w.get(fmt.Sprintf("/api/v1/schools/%d", w.school), w.edu)
	if str(sc["pledged_total"]) != "80000000000" || str(sc["submitted_total"]) != "20000000000" || str(sc["approved_total"]) != "15000000000" {
		t.Fatalf("school totals: %v", sc)
	}
	p := w.get(fmt.Sprintf("/api/v1/pledges/%d", w.pledgeA), w.accA)
	if p["status"] != "in_progress" || str(p["approved_total"]) != "15000000000" || str(p["remaining"]) != "35000000000" {
		t.Fatalf("pledge: %v", p)
	}
}
