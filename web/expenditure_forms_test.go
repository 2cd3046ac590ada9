package web

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/ledger"
	"golang.org/x/net/html"
)

// upload is a file a test's browser sends in the field "documents".
type upload struct {
	name    string
	content []byte
}

// postFiles posts form and files as multipart/form-data, as a browser
// sends a form with enctype="multipart/form-data".
func (b *browser) postFiles(path string, form url.Values, files []upload) answer {
	b.e.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, vs := range form {
		for _, v := range vs {
			_ = w.WriteField(k, v)
		}
	}
	for _, f := range files {
		part, _ := w.CreateFormFile("documents", f.name)
		_, _ = part.Write(f.content)
	}
	_ = w.Close()
	req, _ := http.NewRequest("POST", b.e.http.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

// submitFiles posts form and files to path with the CSRF token of the page
// at from.
func (b *browser) submitFiles(from, path string, form url.Values, files []upload) answer {
	b.e.t.Helper()
	page := b.get(from)
	if page.status != http.StatusOK {
		b.e.t.Fatalf("GET %s: %d", from, page.status)
	}
	form.Set("csrf", page.csrf())
	return b.postFiles(path, form, files)
}

// testPNG is a w×h PNG with a gradient and grain, so that it is a real
// picture that does not compress to nothing.
func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			i := img.PixOffset(x, y)
			noise := uint32(x)*2654435761 ^ uint32(y)*40503 // as grainy as a photo
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(x*255/w)^uint8(noise&0x1f), uint8(y*255/h), uint8(noise>>8), 255
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var testPDF = []byte("%PDF-1.4\n% the invoice of the new expenditure\n%%EOF\n")

// newExpenditureForm is a filled new-expenditure form as a person types
// it: Persian digits and separators, a Jalali date, an Arabic yeh.
func newExpenditureForm(pledgeID int64) url.Values {
	return url.Values{
		"pledge_id":       {fmt.Sprint(pledgeID)},
		"amount":          {"۱٬۲۵۰٬۰۰۰٬۰۰۰"},
		"spent_on_jalali": {"۱۴۰۴/۰۵/۱۰"},
		"invoice_no":      {"INV-NEW-7"},
		"vendor_name":     {"مصالح ساختماني نور"},
		"category":        {ledger.CategoryEquipment},
		"description":     {"میز و نیمکت کلاس‌ها"},
	}
}

// count is how many expenditures the accountant's units have.
func (b *books) count(t *testing.T) int {
	t.Helper()
	list, err := b.store.ListExpenditures(context.Background(), b.acc, ledger.ExpenditureFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// auditEntries is how many audit entries the database holds.
func (b *books) auditEntries(t *testing.T) int {
	t.Helper()
	var n int
	if err := b.e.db.GetContext(context.Background(), &n, `SELECT count(*) FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewExpenditureWithFiles(t *testing.T) {
	b := newBooks(t)
	br := b.signedIn(t)
	from := fmt.Sprintf("/accountant/expenditures/new?pledge_id=%d", b.pledge.ID)
	form := br.get(from)
	if form.status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", from, form.status, form.body)
	}
	selected := findAll(form.doc(), func(n *html.Node) bool {
		return n.Data == "option" && attr(n, "value") == fmt.Sprint(b.pledge.ID) && hasAttr(n, "selected")
	})
	if len(selected) != 1 {
		t.Errorf("?pledge_id= does not choose the pledge")
	}
	files := findAll(form.doc(), func(n *html.Node) bool { return n.Data == "input" && attr(n, "type") == "file" })
	if len(files) != 1 || attr(files[0], "name") != "documents" || !hasAttr(files[0], "multiple") ||
		attr(files[0], "accept") != "application/pdf,image/jpeg,image/png" {
		t.Errorf("the file input: %v", files)
	}
	forms := findAll(form.doc(), func(n *html.Node) bool { return n.Data == "form" && attr(n, "enctype") == "multipart/form-data" })
	if len(forms) != 1 {
		t.Errorf("no multipart form")
	}
	if strings.Contains(form.text(), "سیمان قزوین") {
		t.Errorf("the form offers another unit's pledge")
	}

	photo := testPNG(t, 64, 48)
	a := br.submitFiles(from, "/accountant/expenditures/new", newExpenditureForm(b.pledge.ID),
		[]upload{{"site.png", photo}, {"invoice.pdf", testPDF}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("submit: %d\n%s", a.status, a.body)
	}
	loc := a.header.Get("Location")
	var id int64
	if _, err := fmt.Sscanf(loc, "/accountant/expenditures/%d?m=expenditure_submitted_exceeds", &id); err != nil {
		t.Fatalf("redirect to %q (the pledge is passed: the warning is due)", loc)
	}
	e, err := b.store.FindExpenditure(context.Background(), b.acc, id)
	if err != nil {
		t.Fatal(err)
	}
	if !e.Amount.Equal(decimal.RequireFromString("1250000000")) || e.Amount.String() != "1250000000" {
		t.Errorf("amount stored %s", e.Amount)
	}
	if e.SpentOn.String() != "2025-08-01" || e.SpentOn.Jalali() != "1404/05/10" || e.FiscalYear != 1404 {
		t.Errorf("date stored %s (%s), year %d", e.SpentOn, e.SpentOn.Jalali(), e.FiscalYear)
	}
	if e.VendorName != "مصالح ساختمانی نور" || e.InvoiceNo != "INV-NEW-7" || e.Category != ledger.CategoryEquipment ||
		deref(e.Description) != "میز و نیمکت کلاس‌ها" || e.Status != ledger.StatusSubmitted || !e.ExceedsPledge {
		t.Errorf("stored %+v", e)
	}
	docs, err := b.store.ExpenditureDocuments(context.Background(), b.acc, id)
	if err != nil || len(docs) != 2 || docs[0].Name != "site.png" || docs[0].ContentType != ledger.TypePNG ||
		docs[1].Name != "invoice.pdf" || docs[1].ContentType != ledger.TypePDF || docs[0].Size != int64(len(photo)) {
		t.Fatalf("documents %+v %v", docs, err)
	}
	page := br.get(loc)
	if page.status != http.StatusOK || !strings.Contains(page.byRole("status"), "ثبت شد") || !strings.Contains(page.byRole("status"), "هشدار") {
		t.Errorf("the expenditure's page after submitting: %d, status %q", page.status, page.byRole("status"))
	}
	if !strings.Contains(page.text(), "۱٬۲۵۰٬۰۰۰٬۰۰۰ ریال") || !strings.Contains(page.text(), "۱۰ مرداد ۱۴۰۴") {
		t.Errorf("the page does not show the amount and date:\n%s", page.text())
	}
	list := br.get("/accountant/expenditures")
	if !strings.Contains(list.text(), "INV-NEW-7") {
		t.Errorf("the list lacks the new expenditure")
	}
}

func TestNewExpenditureFormErrorKeepsValues(t *testing.T) {
	b := newBooks(t)
	br := b.signedIn(t)
	before := b.count(t)
	form := newExpenditureForm(b.pledge.ID)
	form.Set("spent_on_jalali", "۱۴۰۴/۱۳/۱۰")
	form.Set("vendor_name", "")
	a := br.submitFiles("/accountant/expenditures/new", "/accountant/expenditures/new", form,
		[]upload{{"invoice.pdf", testPDF}})
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", a.status, a.body)
	}
	if b.count(t) != before {
		t.Fatal("a form with errors saved an expenditure")
	}
	for field, want := range map[string]string{"amount": "۱٬۲۵۰٬۰۰۰٬۰۰۰", "spent_on_jalali": "۱۴۰۴/۱۳/۱۰", "invoice_no": "INV-NEW-7"} {
		if got := inputValue(a, field); got != want {
			t.Errorf("%s came back as %q, want %q", field, got, want)
		}
	}
	if got := textareaValue(a, "description"); got != "میز و نیمکت کلاس‌ها" {
		t.Errorf("description came back as %q", got)
	}
	if got := fieldErrorText(a, "spent_on_jalali"); !strings.Contains(got, "تاریخ") {
		t.Errorf("the date's error beside it: %q", got)
	}
	if got := fieldErrorText(a, "vendor_name"); got != Message("required") {
		t.Errorf("the vendor's error beside it: %q", got)
	}
	if a.byRole("alert") == "" {
		t.Error("no alert")
	}
	if note := byID(a, "documents-again"); !strings.Contains(note, "دوباره برگزینید") || !strings.Contains(note, "invoice.pdf") {
		t.Errorf("no word beside the files that they must be chosen again: %q", note)
	}
}

func TestNewExpenditureBadFileSavesNothing(t *testing.T) {
	b := newBooks(t)
	br := b.signedIn(t)
	before, audit := b.count(t), b.auditEntries(t)
	a := br.submitFiles("/accountant/expenditures/new", "/accountant/expenditures/new", newExpenditureForm(b.pledge.ID),
		[]upload{{"invoice.pdf", testPDF}, {"notes.txt", []byte("plain text, not evidence")}})
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d\n%s", a.status, a.body)
	}
	if got := fieldErrorText(a, "documents"); !strings.Contains(got, "notes.txt") || !strings.Contains(got, "PDF") {
		t.Errorf("the file's error: %q", got)
	}
	if b.count(t) != before || b.auditEntries(t) != audit {
		t.Fatal("a refused file left something saved")
	}
	var docs int
	if err := b.e.db.GetContext(context.Background(), &docs, `SELECT count(*) FROM expenditure_documents`); err != nil || docs != 3 {
		t.Errorf("documents: %d %v, want the fixture's 3", docs, err)
	}
	var total decimal.Decimal
	if err := b.e.db.GetContext(context.Background(), &total, `SELECT submitted_total FROM pledges WHERE id = $1`, b.pledge.ID); err != nil ||
		!total.Equal(decimal.RequireFromString("5200000")) {
		t.Errorf("the pledge's total moved: %s %v", total, err)
	}
}

func TestNewExpenditureWithoutCSRF(t *testing.T) {
	b := newBooks(t)
	br := b.signedIn(t)
	before, audit := b.count(t), b.auditEntries(t)
	a := br.postFiles("/accountant/expenditures/new", newExpenditureForm(b.pledge.ID), []upload{{"invoice.pdf", testPDF}})
	if a.status != http.StatusForbidden {
		t.Fatalf("without the token: %d", a.status)
	}
	form := newExpenditureForm(b.pledge.ID)
	form.Set("csrf", "forged")
	if a := br.postFiles("/accountant/expenditures/new", form, nil); a.status != http.StatusForbidden {
		t.Fatalf("with a forged token: %d", a.status)
	}
	for _, path := range []string{"/withdraw", "/resubmit", "/edit"} {
		if a := br.post(fmt.Sprintf("/accountant/expenditures/%d%s", b.rejected.ID, path), url.Values{"amount": {"1"}}); a.status != http.StatusForbidden {
			t.Errorf("%s without the token: %d", path, a.status)
		}
	}
	if a := br.postFiles(fmt.Sprintf("/accountant/expenditures/%d/documents", b.submitted.ID), url.Values{}, []upload{{"a.pdf", testPDF}}); a.status != http.StatusForbidden {
		t.Errorf("documents without the token: %d", a.status)
	}
	if b.count(t) != before || b.auditEntries(t) != audit {
		t.Fatal("a POST without the token changed something")
	}
	e, _ := b.store.FindExpenditure(context.Background(), b.acc, b.rejected.ID)
	if e.Status != ledger.StatusRejected {
		t.Errorf("the rejected expenditure is now %s", e.Status)
	}
}

func TestEditExpenditure(t *testing.T) {
	b := newBooks(t)
	br := b.signedIn(t)
	path := fmt.Sprintf("/accountant/expenditures/%d/edit", b.submitted.ID)
	form := br.get(path)
	if form.status != http.StatusOK {
		t.Fatalf("GET: %d\n%s", form.status, form.body)
	}
	if got := inputValue(form, "amount"); got != "۴٬۵۰۰٬۰۰۰" {
		t.Errorf("the amount is filled as %q", got)
	}
	if got := inputValue(form, "spent_on_jalali"); got != "۱۴۰۴/۰۷/۰۹" {
		t.Errorf("the date is filled as %q", got)
	}
	values := url.Values{"csrf": {form.csrf()}}
	for _, name := range expenditureFields {
		values.Set(name, inputValue(form, name))
	}
	values.Set("category", ledger.CategoryConstruction)
	values.Set("amount", "5,000,000")
	values.Set("description", "")
	values.Set("vendor_national_id", "")
	values.Set("spent_on_jalali", "1404/7/1")

	bad := url.Values{}
	for k, v := range values {
		bad[k] = v
	}
	bad.Set("amount", "۵۰۰۰۰۰۰٫۱۲۳")
	if a := br.post(path, bad); a.status != http.StatusUnprocessableEntity || fieldErrorText(a, "amount") != Message("too_many_decimals") ||
		inputValue(a, "amount") != "۵۰۰۰۰۰۰٫۱۲۳" {
		t.Errorf("a bad amount: %d %q %q", a.status, fieldErrorText(a, "amount"), inputValue(a, "amount"))
	}

	a := br.post(path, values)
	if a.status != http.StatusSeeOther || a.header.Get("Location") != fmt.Sprintf("/accountant/expenditures/%d?m=expenditure_updated", b.submitted.ID) {
		t.Fatalf("edit: %d %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	e, err := b.store.FindExpenditure(context.Background(), b.acc, b.submitted.ID)
	if err != nil || e.Amount.String() != "5000000" || e.SpentOn.Jalali() != "1404/07/01" || e.InvoiceNo != "INV-SUB-2" {
		t.Errorf("after the edit: %+v %v", e, err)
	}
	if page := br.get(a.header.Get("Location")); page.byRole("status") != Message("expenditure_updated") {
		t.Errorf("status after the edit: %q", page.byRole("status"))
	}
	// Another unit's is the 404 page, shown or posted.
	theirs := fmt.Sprintf("/accountant/expenditures/%d/edit", b.otherUnits.ID)
	if a := br.get(theirs); a.status != http.StatusNotFound {
		t.Errorf("GET another unit's edit: %d", a.status)
	}
	values.Set("invoice_no", "STOLEN")
	if a := br.post(theirs, values); a.status != http.StatusNotFound {
		t.Errorf("POST another unit's edit: %d", a.status)
	}
}

func TestWithdrawAndResubmit(t *testing.T) {
	b := newBooks(t)
	br := b.signedIn(t)
	ctx := context.Background()
	page := fmt.Sprintf("/accountant/expenditures/%d", b.rejected.ID)
	a := br.submit(page, page+"/resubmit", url.Values{})
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), page+"?m=expenditure_resubmitted") {
		t.Fatalf("resubmit: %d %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	if e, _ := b.store.FindExpenditure(ctx, b.acc, b.rejected.ID); e.Status != ledger.StatusSubmitted {
		t.Errorf("after resubmitting: %s", e.Status)
	}
	// Resubmitted twice: it is no longer rejected, and the page says so.
	if again := br.submit(page, page+"/resubmit", url.Values{}); again.status != http.StatusConflict || again.byRole("alert") == "" {
		t.Errorf("resubmitting a submitted expenditure: %d %q", again.status, again.byRole("alert"))
	}

	long := strings.Repeat("د", 2001)
	if tooLong := br.submit(page, page+"/withdraw", url.Values{"reason": {long}}); tooLong.status != http.StatusUnprocessableEntity ||
		fieldErrorText(tooLong, "reason") == "" || textareaValue(tooLong, "reason") != long {
		t.Errorf("a reason too long: %d %q", tooLong.status, fieldErrorText(tooLong, "reason"))
	}
	a = br.submit(page, page+"/withdraw", url.Values{"reason": {"فاكتور اشتباه بود"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != page+"?m=expenditure_withdrawn" {
		t.Fatalf("withdraw: %d %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	e, _ := b.store.FindExpenditure(ctx, b.acc, b.rejected.ID)
	if e.Status != ledger.StatusWithdrawn || deref(e.WithdrawalReason) != "فاکتور اشتباه بود" {
		t.Errorf("after withdrawing: %s %q", e.Status, deref(e.WithdrawalReason))
	}
	after := br.get(a.header.Get("Location"))
	if after.byRole("status") != Message("expenditure_withdrawn") || hasLink(after, page+"/edit") ||
		len(findAll(after.doc(), func(n *html.Node) bool { return n.Data == "form" && strings.HasPrefix(attr(n, "action"), page) })) != 0 {
		t.Errorf("a withdrawn expenditure's page still offers its forms, or lacks the status %q", after.byRole("status"))
	}
	if a := br.submit(page, fmt.Sprintf("/accountant/expenditures/%d/withdraw", b.otherUnits.ID), url.Values{}); a.status != http.StatusNotFound {
		t.Errorf("withdrawing another unit's: %d", a.status)
	}
}

func TestAddDocumentsLater(t *testing.T) {
	b := newBooks(t)
	br := b.signedIn(t)
	ctx := context.Background()
	page := fmt.Sprintf("/accountant/expenditures/%d", b.submitted.ID)
	if p := br.get(page); len(findAll(p.doc(), func(n *html.Node) bool {
		return n.Data == "form" && attr(n, "action") == page+"/documents" && attr(n, "enctype") == "multipart/form-data"
	})) != 1 {
		t.Fatal("the page has no form to add documents")
	}
	bad := br.submitFiles(page, page+"/documents", url.Values{}, []upload{{"scan.pdf", testPDF}, {"x.txt", []byte("text")}})
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(fieldErrorText(bad, "documents"), "x.txt") {
		t.Errorf("a bad file: %d %q", bad.status, fieldErrorText(bad, "documents"))
	}
	if docs, _ := b.store.ExpenditureDocuments(ctx, b.acc, b.submitted.ID); len(docs) != 0 {
		t.Fatalf("a refused file let %d documents in", len(docs))
	}
	if none := br.submitFiles(page, page+"/documents", url.Values{}, nil); none.status != http.StatusUnprocessableEntity ||
		fieldErrorText(none, "documents") != Message("no_file") {
		t.Errorf("no file: %d %q", none.status, fieldErrorText(none, "documents"))
	}
	// A scan of 3 MiB: over the API's 1 MiB limit of a JSON body, which
	// leaves the pages' upload routes to the pages.
	scan := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("0"), 3<<20)...)
	a := br.submitFiles(page, page+"/documents", url.Values{}, []upload{{"scan.pdf", scan}, {"photo.png", testPNG(t, 40, 30)}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != page+"?m=documents_added" {
		t.Fatalf("add: %d %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	if docs, _ := b.store.ExpenditureDocuments(ctx, b.acc, b.submitted.ID); len(docs) != 2 || docs[0].Size != int64(len(scan)) {
		t.Errorf("documents %+v, want 2, the scan whole", docs)
	}
	if big := br.submitFiles(page, page+"/documents", url.Values{}, []upload{{"huge.pdf", append([]byte("%PDF-1.4\n"), make([]byte, ledger.MaxDocumentSize)...)}}); big.status != http.StatusUnprocessableEntity ||
		!strings.Contains(fieldErrorText(big, "documents"), "huge.pdf") {
		t.Errorf("a file over 10 MiB: %d %q", big.status, fieldErrorText(big, "documents"))
	}
	home := br.get("/accountant")
	if hasLink(home, page) {
		t.Errorf("the home page still lists the expenditure as missing documents")
	}
	other := fmt.Sprintf("/accountant/expenditures/%d/documents", b.otherUnits.ID)
	if a := br.submitFiles(page, other, url.Values{}, []upload{{"scan2.pdf", []byte("%PDF-1.4 other")}}); a.status != http.StatusNotFound {
		t.Errorf("adding to another unit's: %d", a.status)
	}
}

func TestHomeListsExpendituresMissingDocuments(t *testing.T) {
	b := newBooks(t)
	a := b.signedIn(t).get("/accountant")
	for _, id := range []int64{b.submitted.ID, b.lastYear.ID} {
		if !hasLink(a, fmt.Sprintf("/accountant/expenditures/%d", id)) {
			t.Errorf("home does not list expenditure %d, which has no document", id)
		}
	}
	if !strings.Contains(a.text(), "هزینه‌های بی‌مدرک") || !hasLink(a, "/accountant/expenditures/new") || !hasLink(a, "/accountant/tax-years") {
		t.Errorf("home lacks the list or the links:\n%s", a.text())
	}
}

func TestThumbnail(t *testing.T) {
	b := newBooks(t)
	br := b.signedIn(t)
	photo := testPNG(t, 640, 480)
	d, _, err := b.store.AddExpenditureDocument(context.Background(), b.acc, b.submitted.ID, ledger.NewDocument{Name: "wide.png", Content: photo})
	if err != nil {
		t.Fatal(err)
	}
	page := br.get(fmt.Sprintf("/accountant/expenditures/%d", b.submitted.ID))
	original := fmt.Sprintf("/accountant/expenditures/%d/documents/%d", b.submitted.ID, d.ID)
	thumb := original + "/thumbnail"
	imgs := findAll(page.doc(), func(n *html.Node) bool { return n.Data == "img" && attr(n, "src") == thumb })
	if len(imgs) != 1 || imgs[0].Parent.Data != "a" || attr(imgs[0].Parent, "href") != original {
		t.Fatalf("the page does not show the thumbnail linked to the original")
	}
	a := br.get(thumb)
	if a.status != http.StatusOK || a.header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("thumbnail: %d %q", a.status, a.header.Get("Content-Type"))
	}
	img, err := jpeg.Decode(strings.NewReader(a.body))
	if err != nil {
		t.Fatalf("the thumbnail is no JPEG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != thumbSize || got.Y != 240 || len(a.body) >= len(photo) {
		t.Errorf("thumbnail %v, %d bytes (original 640×480, %d bytes)", got, len(a.body), len(photo))
	}
	etag := a.header.Get("ETag")
	if etag == "" || !strings.Contains(a.header.Get("Cache-Control"), "private") || strings.Contains(a.header.Get("Cache-Control"), "no-store") {
		t.Errorf("cache headers: ETag %q, Cache-Control %q", etag, a.header.Get("Cache-Control"))
	}
	req, _ := http.NewRequest("GET", b.e.http.URL+thumb, nil)
	req.Header.Set("If-None-Match", etag)
	if again := br.do(req); again.status != http.StatusNotModified || again.body != "" {
		t.Errorf("with If-None-Match: %d", again.status)
	}
	if pdf := br.get(fmt.Sprintf("/accountant/expenditures/%d/documents/%d/thumbnail", b.rejected.ID, b.document.ID)); pdf.status != http.StatusNotFound {
		t.Errorf("a PDF's thumbnail: %d", pdf.status)
	}
	if theirs := br.get(fmt.Sprintf("/accountant/expenditures/%d/documents/%d/thumbnail", b.otherUnits.ID, d.ID)); theirs.status != http.StatusNotFound {
		t.Errorf("through another unit's expenditure: %d", theirs.status)
	}
}

func TestThumbnailBounds(t *testing.T) {
	for _, c := range []struct{ w, h, tw, th int }{
		{1200, 900, 320, 240}, {900, 1200, 240, 320}, {100, 50, 100, 50}, {5000, 1, 320, 1}, {320, 320, 320, 320},
	} {
		if w, h := thumbBounds(c.w, c.h); w != c.tw || h != c.th {
			t.Errorf("%d×%d → %d×%d, want %d×%d", c.w, c.h, w, h, c.tw, c.th)
		}
	}
	// An image whose header claims more than maxThumbPixels is never
	// decoded: its IHDR says 10000×10000 (bytes 16–23, the chunk's CRC
	// after them made anew), its data stays 8×8.
	huge := testPNG(t, 8, 8)
	copy(huge[16:24], []byte{0, 0, 0x27, 0x10, 0, 0, 0x27, 0x10})
	binary.BigEndian.PutUint32(huge[29:33], crc32.ChecksumIEEE(huge[12:29]))
	if cfg, err := png.DecodeConfig(bytes.NewReader(huge)); err != nil || cfg.Width != 10000 {
		t.Fatalf("the doctored PNG: %+v %v", cfg, err)
	}
	if _, err := thumbnail(huge); err != errImageTooLarge {
		t.Errorf("a 100-megapixel image: %v", err)
	}
}

// textareaValue is the text of the textarea named name, as it is.
func textareaValue(a answer, name string) string {
	for _, n := range findAll(a.doc(), func(n *html.Node) bool { return n.Data == "textarea" && attr(n, "name") == name }) {
		if n.FirstChild != nil {
			return n.FirstChild.Data
		}
	}
	return ""
}

// fieldErrorText is the error shown beside the field name: the element
// the control's aria-describedby names NAME-error.
func fieldErrorText(a answer, name string) string { return byID(a, name+"-error") }

// TestUploadTooLarge: a body declared over maxUploadBody is refused with
// the Persian 413 page before anything reads it.
func TestUploadTooLarge(t *testing.T) {
	e := newEnv(t)
	p, err := New(e.db, e.auth, Config{Issuer: certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner}})
	if err != nil {
		t.Fatal(err)
	}
	rc := newRecorderContext()
	rc.c.Request = httptest.NewRequest("POST", "/accountant/expenditures/new", strings.NewReader("x"))
	rc.c.Request.ContentLength = maxUploadBody + 1
	p.limitUpload(rc.c)
	if !rc.c.IsAborted() || rc.rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rc.rec.Body.String(), Message("upload_too_large")) {
		t.Errorf("over the limit: %d, aborted %v", rc.rec.Code, rc.c.IsAborted())
	}
	ok := newRecorderContext()
	ok.c.Request = httptest.NewRequest("POST", "/accountant/expenditures/new", strings.NewReader("x"))
	p.limitUpload(ok.c)
	if ok.c.IsAborted() {
		t.Error("a small body was refused")
	}
	got := strings.Join(p.UploadRoutes(), " ")
	for _, want := range []string{"/accountant/expenditures/new", "/accountant/expenditures/:id/documents", "/education/schools/:id/progress"} {
		if !strings.Contains(got+" ", want+" ") {
			t.Errorf("upload routes %v lack %s", got, want)
		}
	}
}
