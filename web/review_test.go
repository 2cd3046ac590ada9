package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/ledger"
	"golang.org/x/net/html"
)

// queueBooks is a review queue written through the real stores: two units
// in two counties, each with an accountant and a pledge, and expenditures
// waiting in a known order (oldest first: a1, a2, b1, a3), most with
// evidence.
type queueBooks struct {
	e                *env
	store            *ledger.Store
	accA, accB, tax  taahod.Actor
	unitA, unitB     int64
	pledgeA, pledgeB ledger.Pledge
	a1, a2, b1, a3   ledger.Expenditure
	photo, scan      ledger.Document
}

func newQueueBooks(t *testing.T) *queueBooks {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	unitA := e.mustCreateUnit("فولاد البرز", "1010234567")
	unitB := e.mustCreateUnit("کاشی تاکستان", "1010765432")
	if _, err := e.db.Exec(`UPDATE units SET county = 'تاکستان' WHERE id = $1`, unitB.ID); err != nil {
		t.Fatal(err)
	}
	q := &queueBooks{e: e, store: ledger.NewStore(e.db), unitA: unitA.ID, unitB: unitB.ID}
	q.accA = e.mustCreateUser("acc", "مریم حسابدار", taahod.RoleAccountant, unitA.ID).Actor()
	q.accB = e.mustCreateUser("accb", "علی حسابدار", taahod.RoleAccountant, unitB.ID).Actor()
	q.tax = e.mustCreateUser("tax", "رضا کارشناس", taahod.RoleTaxOfficer).Actor()
	school, err := q.store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: "دبستان شهید رجایی", Kind: ledger.KindSchool, County: "قزوین"})
	if err != nil {
		t.Fatal(err)
	}
	pledge := func(unit int64, amount string) ledger.Pledge {
		on := "2025-01-01"
		p, err := q.store.CreatePledge(ctx, taahod.System, ledger.NewPledge{UnitID: unit, SchoolID: school.ID,
			Amount: json.RawMessage(`"` + amount + `"`), PledgedOn: &on})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	q.pledgeA, q.pledgeB = pledge(unitA.ID, "10000000"), pledge(unitB.ID, "1000000000")
	q.a1 = q.spend(q.accA, q.pledgeA, "3000000", "INV-A1", "نور", ledger.CategoryConstruction)
	q.a2 = q.spend(q.accA, q.pledgeA, "2000000", "INV-A2", "نور", ledger.CategoryEquipment)
	q.b1 = q.spend(q.accB, q.pledgeB, "5000000", "INV-B1", "آجر", ledger.CategoryConstruction)
	q.a3 = q.spend(q.accA, q.pledgeA, "6000000", "INV-A3", "سیمان", ledger.CategoryConstruction) // passes the pledge
	q.photo = q.document(q.accA, q.a1, "site.png", "\x89PNG\r\n\x1a\n a photo of the site")
	q.scan = q.document(q.accA, q.a1, "invoice.pdf", "%PDF-1.4 the invoice")
	q.document(q.accA, q.a2, "a2.pdf", "%PDF-1.4 a2")
	q.document(q.accB, q.b1, "b1.pdf", "%PDF-1.4 b1")
	q.document(q.accA, q.a3, "a3.pdf", "%PDF-1.4 a3")
	return q
}

func (q *queueBooks) spend(actor taahod.Actor, p ledger.Pledge, amount, invoice, vendor, category string) ledger.Expenditure {
	q.e.t.Helper()
	on := "2025-10-01"
	x, err := q.store.SubmitExpenditure(context.Background(), actor, ledger.NewExpenditure{PledgeID: p.ID,
		Amount: json.RawMessage(`"` + amount + `"`), SpentOn: &on, InvoiceNo: invoice, VendorName: vendor, Category: category})
	if err != nil {
		q.e.t.Fatal(err)
	}
	return x
}

func (q *queueBooks) document(actor taahod.Actor, x ledger.Expenditure, name, content string) ledger.Document {
	q.e.t.Helper()
	d, _, err := q.store.AddExpenditureDocument(context.Background(), actor, x.ID, ledger.NewDocument{Name: name, Content: []byte(content)})
	if err != nil {
		q.e.t.Fatal(err)
	}
	return d
}

// find reads an expenditure as the tax office sees it now.
func (q *queueBooks) find(id int64) ledger.Expenditure {
	q.e.t.Helper()
	x, err := q.store.FindExpenditure(context.Background(), q.tax, id)
	if err != nil {
		q.e.t.Fatal(err)
	}
	return x
}

func (q *queueBooks) officer(t *testing.T) *browser {
	t.Helper()
	br := q.e.browser()
	if got := br.signIn("tax"); got != "/tax-office" {
		t.Fatalf("sign-in leads to %q, want /tax-office", got)
	}
	return br
}

func reviewPath(id int64) string { return fmt.Sprintf("/tax-office/expenditures/%d", id) }

// elementText is the text of the element with id, "" when there is none.
func elementText(a answer, id string) string {
	for _, n := range findAll(a.doc(), func(n *html.Node) bool { return attr(n, "id") == id }) {
		return textOf(n)
	}
	return ""
}

func TestTaxOfficeHome(t *testing.T) {
	q := newQueueBooks(t)
	a := q.officer(t).get("/tax-office")
	if a.status != http.StatusOK {
		t.Fatalf("GET /tax-office: %d\n%s", a.status, a.body)
	}
	text := a.text()
	for _, want := range []string{"۴ هزینه در انتظار بررسی است", "کمتر از یک دقیقه", "INV-A1", "فولاد البرز"} {
		if !strings.Contains(text, want) {
			t.Errorf("home lacks %q:\n%s", want, text)
		}
	}
	for _, href := range []string{"/tax-office/queue", reviewPath(q.a1.ID), "/tax-office/tax-years", "/tax-office/policies", "/tax-office/certificates"} {
		if !hasLink(a, href) {
			t.Errorf("home lacks a link to %s", href)
		}
	}
	if _, err := q.e.db.Exec(`UPDATE expenditures SET submitted_at = submitted_at - interval '3 days 2 hours' WHERE id = $1`, q.a1.ID); err != nil {
		t.Fatal(err)
	}
	if a := q.officer(t).get("/tax-office"); !strings.Contains(a.text(), "۳ روز") {
		t.Errorf("the oldest's age after 3 days:\n%s", a.text())
	}
}

func TestReviewQueueFiltersAndCount(t *testing.T) {
	q := newQueueBooks(t)
	br := q.officer(t)
	for _, c := range []struct {
		query     string
		waiting   string
		want, not []string
	}{
		{"", "۴ هزینه در انتظار", []string{"INV-A1", "INV-A2", "INV-B1", "INV-A3"}, nil},
		{fmt.Sprintf("?unit_id=%d", q.unitA), "۳ هزینه با این پالایش", []string{"INV-A1", "INV-A2", "INV-A3"}, []string{"INV-B1"}},
		{"?county=" + url.QueryEscape("تاكستان"), "۱ هزینه با این پالایش", []string{"INV-B1"}, []string{"INV-A1"}}, // Arabic kaf
		{"?category=equipment", "۱ هزینه", []string{"INV-A2"}, []string{"INV-A1", "INV-B1"}},
		{"?amount_min=" + url.QueryEscape("۳٬۰۰۰٬۰۰۰") + "&amount_max=" + url.QueryEscape("5,000,000"), "۲ هزینه", []string{"INV-A1", "INV-B1"}, []string{"INV-A2", "INV-A3"}},
		{"?category=construction&amount_min=4000000", "۲ هزینه", []string{"INV-B1", "INV-A3"}, []string{"INV-A1"}},
		{"?category=land", "۰ هزینه", []string{"صف خالی است"}, []string{"INV-A1"}},
	} {
		a := br.get("/tax-office/queue" + c.query)
		if a.status != http.StatusOK {
			t.Errorf("%s: %d\n%s", c.query, a.status, a.body)
			continue
		}
		if got := elementText(a, "waiting"); !strings.Contains(got, c.waiting) {
			t.Errorf("%s: count %q, want %q", c.query, got, c.waiting)
		}
		for _, w := range c.want {
			if !strings.Contains(a.text(), w) {
				t.Errorf("%s lacks %s", c.query, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(a.text(), n) {
				t.Errorf("%s shows %s", c.query, n)
			}
		}
	}
	// Oldest first.
	all := br.get("/tax-office/queue").text()
	if i, j, k := strings.Index(all, "INV-A1"), strings.Index(all, "INV-B1"), strings.Index(all, "INV-A3"); !(i < j && j < k) {
		t.Errorf("queue order: %d %d %d", i, j, k)
	}
	checkColumnHeaders(t, br.get("/tax-office/queue"))
	// A review link carries the filter.
	filtered := br.get("/tax-office/queue?category=construction")
	if want := reviewPath(q.a1.ID) + "?category=construction"; !hasLink(filtered, want) {
		t.Errorf("no review link %s", want)
	}
	// A bad filter comes back with its error beside its field, typed value kept.
	bad := br.get("/tax-office/queue?amount_min=" + url.QueryEscape("۱۲,۵۰"))
	if bad.status != http.StatusUnprocessableEntity || !strings.Contains(elementText(bad, "f-min-error"), Message("separators_not_allowed")) {
		t.Errorf("bad amount: %d %q", bad.status, elementText(bad, "f-min-error"))
	}
	if in := findAll(bad.doc(), func(n *html.Node) bool { return attr(n, "id") == "f-min" }); len(in) != 1 || attr(in[0], "value") != "۱۲,۵۰" {
		t.Errorf("the typed amount is not kept")
	}
	upside := br.get("/tax-office/queue?amount_min=500&amount_max=100")
	if upside.status != http.StatusUnprocessableEntity || elementText(upside, "f-max-error") != Message("below_min") {
		t.Errorf("upside-down range: %d %q", upside.status, elementText(upside, "f-max-error"))
	}
}

func TestReviewQueuePages(t *testing.T) {
	q := newQueueBooks(t)
	for i := 0; i < queuePageSize; i++ {
		q.spend(q.accB, q.pledgeB, "1000", fmt.Sprintf("P-%03d", i), "فروشنده", ledger.CategoryOther)
	}
	br := q.officer(t)
	first := br.get("/tax-office/queue?unit_id=" + fmt.Sprint(q.unitB))
	if !strings.Contains(elementText(first, "waiting"), "۵۱") {
		t.Errorf("count: %q", elementText(first, "waiting"))
	}
	next := linkTitled(first, "بعدی")
	if next == "" || !strings.Contains(next, fmt.Sprintf("unit_id=%d", q.unitB)) || linkTitled(first, "قبلی") != "" {
		t.Fatalf("first page's links: next %q previous %q", next, linkTitled(first, "قبلی"))
	}
	if strings.Contains(first.text(), "P-049") {
		t.Error("the first page holds the last item")
	}
	second := br.get(next)
	if second.status != http.StatusOK || !strings.Contains(second.text(), "P-049") || strings.Contains(second.text(), "INV-B1") {
		t.Errorf("second page: %d\n%s", second.status, second.text())
	}
	if linkTitled(second, "بعدی") != "" {
		t.Error("the last page links to a next one")
	}
	if back := br.get(linkTitled(second, "قبلی")); back.text() != first.text() {
		t.Errorf("«قبلی» does not lead back to the first page")
	}
	if bad := br.get("/tax-office/queue?after=nonsense"); bad.status != http.StatusBadRequest {
		t.Errorf("a bad position: %d", bad.status)
	}
}

func TestReviewPageShowsDocumentsAndRelated(t *testing.T) {
	q := newQueueBooks(t)
	// The unit's other expenditures: the same invoice number from another
	// vendor, and the same vendor; another unit's same invoice is not its.
	sameInvoice := q.spend(q.accA, q.pledgeA, "100000", "inv-a1", "دیگری", ledger.CategoryOther)
	sameVendor := q.spend(q.accA, q.pledgeA, "200000", "INV-OTHER", "نور", ledger.CategoryOther)
	q.spend(q.accB, q.pledgeB, "300000", "INV-A1", "نور", ledger.CategoryOther)
	br := q.officer(t)
	a := br.get(reviewPath(q.a1.ID))
	if a.status != http.StatusOK {
		t.Fatalf("GET: %d\n%s", a.status, a.body)
	}
	for _, want := range []string{"INV-A1", "۳٬۰۰۰٬۰۰۰ ریال", "۹ مهر ۱۴۰۴", "ساخت", "در انتظار بررسی", "مریم حسابدار",
		"فولاد البرز", "دبستان شهید رجایی", "۱۰٬۰۰۰٬۰۰۰ ریال", "invoice.pdf", "site.png", "تأیید کامل", "تأیید بخشی", "رد هزینه"} {
		if !strings.Contains(a.text(), want) {
			t.Errorf("review page lacks %q", want)
		}
	}
	photo := fmt.Sprintf("%s/documents/%d", reviewPath(q.a1.ID), q.photo.ID)
	scan := fmt.Sprintf("%s/documents/%d", reviewPath(q.a1.ID), q.scan.ID)
	if len(findAll(a.doc(), func(n *html.Node) bool { return n.Data == "img" && attr(n, "src") == photo && attr(n, "alt") != "" })) != 1 {
		t.Errorf("the image document is not shown inline")
	}
	if !hasLink(a, scan) || len(findAll(a.doc(), func(n *html.Node) bool { return n.Data == "img" && attr(n, "src") == scan })) != 0 {
		t.Errorf("the PDF is not one click away, or shown as an image")
	}
	if d := br.get(photo); d.status != http.StatusOK || d.header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(d.header.Get("Content-Disposition"), "inline") {
		t.Errorf("photo: %d %q %q", d.status, d.header.Get("Content-Type"), d.header.Get("Content-Disposition"))
	}
	if d := br.get(scan); d.status != http.StatusOK || d.header.Get("Content-Type") != "application/pdf" || d.body != "%PDF-1.4 the invoice" {
		t.Errorf("scan: %d %q", d.status, d.header.Get("Content-Type"))
	}
	if d := br.get(fmt.Sprintf("%s/documents/%d", reviewPath(q.b1.ID), q.photo.ID)); d.status != http.StatusNotFound {
		t.Errorf("a document through another expenditure: %d", d.status)
	}
	related := elementText(a, "related-title")
	if related == "" {
		t.Fatal("no related section")
	}
	for _, n := range findAll(a.doc(), func(n *html.Node) bool { return n.Data == "section" && attr(n, "aria-labelledby") == "related-title" }) {
		text := textOf(n)
		for _, want := range []string{"inv-a1", "همان شماره فاکتور", "INV-OTHER", "INV-A2", "همان فروشنده"} {
			if !strings.Contains(text, want) {
				t.Errorf("related list lacks %q: %s", want, text)
			}
		}
		for _, not := range []string{"INV-A3", "INV-B1", "۳۰۰٬۰۰۰"} {
			if strings.Contains(text, not) {
				t.Errorf("related list shows %q: %s", not, text)
			}
		}
		if !hasLink(a, reviewPath(sameInvoice.ID)) || !hasLink(a, reviewPath(sameVendor.ID)) {
			t.Errorf("related rows do not link to their review pages")
		}
	}
	// The overrun flag: a3 passes its pledge, a1 does not.
	if elementText(a, "overrun") != "" {
		t.Errorf("a1 is flagged over its pledge")
	}
	if over := br.get(reviewPath(q.a3.ID)); !strings.Contains(elementText(over, "overrun"), "بیش از تعهد") {
		t.Errorf("a3 is not flagged over its pledge: %q", elementText(over, "overrun"))
	}
	if a := br.get(reviewPath(999999)); a.status != http.StatusNotFound {
		t.Errorf("unknown: %d", a.status)
	}
}

func TestPartialApprovalFromQueueLandsOnNext(t *testing.T) {
	q := newQueueBooks(t)
	br := q.officer(t)
	queue := br.get("/tax-office/queue?category=construction")
	link := reviewPath(q.a1.ID) + "?category=construction"
	if !hasLink(queue, link) {
		t.Fatalf("no link %s in the queue", link)
	}
	page := br.get(link)
	action := ""
	for _, f := range findAll(page.doc(), func(n *html.Node) bool { return n.Data == "form" && attr(n, "method") == "post" }) {
		if len(findAll(f, func(n *html.Node) bool { return attr(n, "name") == "approved_amount" })) == 1 {
			action = attr(f, "action")
		}
	}
	if action != reviewPath(q.a1.ID)+"/review?category=construction" {
		t.Fatalf("partial approval form posts to %q", action)
	}
	a := br.post(action, url.Values{"csrf": {page.csrf()}, "decision": {"approve"},
		"approved_amount": {"۱٬۲۵۰٬۰۰۰"}, "reason": {"فقط بخش مصالح پذيرفته است"}})
	// Next under the filter: b1 (a2 is equipment).
	want := reviewPath(q.b1.ID) + "?category=construction&m=reviewed_partially_approved"
	if a.status != http.StatusSeeOther || a.header.Get("Location") != want {
		t.Fatalf("after the decision: %d → %q, want %q\n%s", a.status, a.header.Get("Location"), want, a.body)
	}
	x := q.find(q.a1.ID)
	if x.Status != ledger.StatusPartiallyApproved || x.ApprovedAmount.Decimal.String() != "1250000" || x.ReviewReason == nil ||
		*x.ReviewReason != "فقط بخش مصالح پذیرفته است" {
		t.Fatalf("a1 after the decision: %s %v %v", x.Status, x.ApprovedAmount, x.ReviewReason)
	}
	next := br.get(want)
	if next.status != http.StatusOK || next.byRole("status") != Message("reviewed_partially_approved") || !strings.Contains(next.text(), "INV-B1") {
		t.Fatalf("the next item: %d %q", next.status, next.byRole("status"))
	}
	// The last ones: reject b1 then approve a3; the queue is then empty
	// under the filter.
	r := br.post(reviewPath(q.b1.ID)+"/review?category=construction", url.Values{"csrf": {next.csrf()}, "decision": {"reject"}, "reason": {"فاکتور مهر ندارد"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != reviewPath(q.a3.ID)+"?category=construction&m=reviewed_rejected" {
		t.Fatalf("after the rejection: %d → %q", r.status, r.header.Get("Location"))
	}
	r = br.post(reviewPath(q.a3.ID)+"/review?category=construction", url.Values{"csrf": {next.csrf()}, "decision": {"approve"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/tax-office/queue?category=construction&m=queue_empty" {
		t.Fatalf("after the last: %d → %q", r.status, r.header.Get("Location"))
	}
	// A filter broken by hand in the link leads on through the whole queue.
	r = br.post(reviewPath(q.a2.ID)+"/review?category=food", url.Values{"csrf": {next.csrf()}, "decision": {"approve"}})
	if r.status != http.StatusSeeOther || r.header.Get("Location") != "/tax-office/queue?m=queue_empty" {
		t.Fatalf("after a decision with a bad filter: %d → %q", r.status, r.header.Get("Location"))
	}
	empty := br.get("/tax-office/queue?category=construction&m=queue_empty")
	if !strings.Contains(empty.byRole("status"), "صف خالی است") || !strings.Contains(empty.text(), "صف خالی است") {
		t.Errorf("the empty queue: %q", empty.byRole("status"))
	}
	if x := q.find(q.a3.ID); x.Status != ledger.StatusApproved {
		t.Errorf("a3: %s", x.Status)
	}
}

func TestReviewFormErrors(t *testing.T) {
	q := newQueueBooks(t)
	br := q.officer(t)
	page := br.get(reviewPath(q.a1.ID))
	post := func(form url.Values) answer {
		form.Set("csrf", page.csrf())
		return br.post(reviewPath(q.a1.ID)+"/review", form)
	}
	t.Run("reject without a reason", func(t *testing.T) {
		a := post(url.Values{"decision": {"reject"}, "reason": {"   "}})
		if a.status != http.StatusUnprocessableEntity || elementText(a, "reject-reason-error") != Message("required") {
			t.Fatalf("%d %q", a.status, elementText(a, "reject-reason-error"))
		}
		if elementText(a, "partial-reason-error") != "" || a.byRole("alert") == "" {
			t.Errorf("the error is in the wrong form, or no alert")
		}
	})
	t.Run("partial without a reason keeps the amount typed", func(t *testing.T) {
		a := post(url.Values{"decision": {"approve"}, "approved_amount": {"۱٬۰۰۰"}, "reason": {""}})
		if a.status != http.StatusUnprocessableEntity || elementText(a, "partial-reason-error") != Message("required") {
			t.Fatalf("%d %q", a.status, elementText(a, "partial-reason-error"))
		}
		if in := findAll(a.doc(), func(n *html.Node) bool { return attr(n, "id") == "partial-amount" }); len(in) != 1 || attr(in[0], "value") != "۱٬۰۰۰" {
			t.Errorf("the typed amount is not kept")
		}
	})
	t.Run("partial over the amount keeps the reason typed", func(t *testing.T) {
		a := post(url.Values{"decision": {"approve"}, "approved_amount": {"3,000,001"}, "reason": {"بیش از مبلغ"}})
		if a.status != http.StatusUnprocessableEntity || elementText(a, "partial-amount-error") != Message("exceeds_amount") {
			t.Fatalf("%d %q", a.status, elementText(a, "partial-amount-error"))
		}
		if elementText(a, "partial-reason") != "بیش از مبلغ" {
			t.Errorf("the typed reason is not kept: %q", elementText(a, "partial-reason"))
		}
	})
	if x := q.find(q.a1.ID); x.Status != ledger.StatusSubmitted || len(x.Reviews) != 0 {
		t.Fatalf("a refused form saved something: %s, %d rounds", x.Status, len(x.Reviews))
	}
	t.Run("approve without evidence", func(t *testing.T) {
		bare := q.spend(q.accA, q.pledgeA, "1000", "INV-BARE", "نور", ledger.CategoryOther)
		page := br.get(reviewPath(bare.ID))
		a := br.post(reviewPath(bare.ID)+"/review", url.Values{"csrf": {page.csrf()}, "decision": {"approve"}})
		if a.status != http.StatusConflict || !strings.Contains(a.byRole("alert"), Message("evidence_required")) {
			t.Fatalf("%d %q", a.status, a.byRole("alert"))
		}
		if x := q.find(bare.ID); x.Status != ledger.StatusSubmitted {
			t.Errorf("approved without evidence: %s", x.Status)
		}
	})
	t.Run("a decided expenditure", func(t *testing.T) {
		if a := post(url.Values{"decision": {"approve"}}); a.status != http.StatusSeeOther {
			t.Fatalf("approve: %d", a.status)
		}
		a := post(url.Values{"decision": {"reject"}, "reason": {"دیر"}})
		if a.status != http.StatusConflict || !strings.Contains(a.byRole("alert"), Message("review_not_waiting")) {
			t.Fatalf("second decision: %d %q", a.status, a.byRole("alert"))
		}
	})
}

func TestReversal(t *testing.T) {
	q := newQueueBooks(t)
	br := q.officer(t)
	if _, err := q.store.Review(context.Background(), q.tax, q.a2.ID, ledger.ReviewInput{Decision: ledger.DecisionApprove}); err != nil {
		t.Fatal(err)
	}
	page := br.get(reviewPath(q.a2.ID))
	if elementText(page, "reverse-title") == "" || strings.Contains(page.text(), "تأیید بخشی") {
		t.Fatalf("an approved expenditure's page: reversal form %q, decision forms shown: %v", elementText(page, "reverse-title"), strings.Contains(page.text(), "تأیید بخشی"))
	}
	if waiting := br.get(reviewPath(q.a1.ID)); elementText(waiting, "reverse-title") != "" {
		t.Error("a waiting expenditure offers a reversal")
	}
	path := reviewPath(q.a2.ID) + "/reverse"
	a := br.post(path, url.Values{"csrf": {page.csrf()}, "reason": {""}})
	if a.status != http.StatusUnprocessableEntity || elementText(a, "reverse-reason-error") != Message("required") {
		t.Fatalf("without a reason: %d %q", a.status, elementText(a, "reverse-reason-error"))
	}
	a = br.post(path, url.Values{"csrf": {page.csrf()}, "reason": {"فاکتور جعلی بود"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != reviewPath(q.a2.ID)+"?m=approval_reversed" {
		t.Fatalf("reverse: %d → %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	if x := q.find(q.a2.ID); x.Status != ledger.StatusReversed || x.ReversalReason == nil || *x.ReversalReason != "فاکتور جعلی بود" {
		t.Fatalf("after the reversal: %s", x.Status)
	}
	done := br.get(a.header.Get("Location"))
	if done.byRole("status") != Message("approval_reversed") || !strings.Contains(done.text(), "فاکتور جعلی بود") {
		t.Errorf("after the reversal: %q", done.byRole("status"))
	}
	// Reversed already: 409, in Persian, the reason typed kept.
	again := br.post(path, url.Values{"csrf": {page.csrf()}, "reason": {"دوباره"}})
	if again.status != http.StatusConflict || !strings.Contains(again.byRole("alert"), Message("reversal_not_approved")) ||
		elementText(again, "reverse-reason") != "دوباره" {
		t.Fatalf("reversed twice: %d %q", again.status, again.byRole("alert"))
	}
	// A waiting expenditure has no approval to reverse.
	if w := br.post(reviewPath(q.a1.ID)+"/reverse", url.Values{"csrf": {page.csrf()}, "reason": {"x"}}); w.status != http.StatusConflict {
		t.Errorf("reversing a waiting expenditure: %d", w.status)
	}
}

func TestTaxOfficeIsTheTaxOfficersOnly(t *testing.T) {
	q := newQueueBooks(t)
	acc := q.e.browser()
	acc.signIn("acc")
	notFound := acc.get("/no-such-page")
	for _, path := range []string{"/tax-office", "/tax-office/queue", reviewPath(q.a1.ID),
		fmt.Sprintf("%s/documents/%d", reviewPath(q.a1.ID), q.photo.ID)} {
		a := acc.get(path)
		if a.status != http.StatusNotFound || a.byRole("alert") != notFound.byRole("alert") {
			t.Errorf("the accountant on %s: %d %q", path, a.status, a.byRole("alert"))
		}
	}
	home := acc.get("/accountant")
	if a := acc.post(reviewPath(q.a1.ID)+"/review", url.Values{"csrf": {home.csrf()}, "decision": {"approve"}}); a.status != http.StatusNotFound {
		t.Errorf("the accountant's decision: %d", a.status)
	}
	if x := q.find(q.a1.ID); x.Status != ledger.StatusSubmitted {
		t.Errorf("the accountant decided: %s", x.Status)
	}
	out := q.e.browser()
	if a := out.get("/tax-office/queue"); a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/signin") {
		t.Errorf("signed out: %d %q", a.status, a.header.Get("Location"))
	}
}

func TestReviewPostWithoutCSRF(t *testing.T) {
	q := newQueueBooks(t)
	br := q.officer(t)
	for _, c := range []struct {
		path string
		form url.Values
	}{
		{reviewPath(q.a1.ID) + "/review", url.Values{"decision": {"approve"}}},
		{reviewPath(q.a1.ID) + "/review", url.Values{"decision": {"approve"}, "csrf": {"forged"}}},
		{reviewPath(q.a1.ID) + "/reverse", url.Values{"reason": {"x"}}},
	} {
		if a := br.post(c.path, c.form); a.status != http.StatusForbidden {
			t.Errorf("%s without the token: %d", c.path, a.status)
		}
	}
	if x := q.find(q.a1.ID); x.Status != ledger.StatusSubmitted || len(x.Reviews) != 0 {
		t.Errorf("a POST without the token changed the expenditure: %s", x.Status)
	}
}

// TestReversalOfACertifiedApproval: an approval the year's offset used,
// with a valid certificate on that year, cannot be reversed (409
// year_certified, in Persian, the certificate named on the page before
// anything is tried); revoked, the reversal goes through and the year's
// offset is undone with it.
func TestReversalOfACertifiedApproval(t *testing.T) {
	q := newQueueBooks(t)
	ctx := context.Background()
	if _, err := q.store.Review(ctx, q.tax, q.a2.ID, ledger.ReviewInput{Decision: ledger.DecisionApprove}); err != nil {
		t.Fatal(err)
	}
	var policy ledger.PolicyInput
	if err := json.Unmarshal([]byte(`{"mode":"credit","rate":"1","rounding":"down","legal_basis":"ترتیبات استانی"}`), &policy); err != nil {
		t.Fatal(err)
	}
	if _, err := q.store.SetPolicy(ctx, q.tax, 1404, policy); err != nil {
		t.Fatal(err)
	}
	if _, err := q.store.Assess(ctx, q.tax, q.unitA, 1404, ledger.TaxYearInput{TaxDue: json.RawMessage(`"1000000"`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := q.store.RunOffset(ctx, q.tax, q.unitA, 1404); err != nil {
		t.Fatal(err)
	}
	certs, err := certificate.NewStore(q.e.db, certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner})
	if err != nil {
		t.Fatal(err)
	}
	cert, err := certs.Issue(ctx, q.tax, certificate.IssueInput{UnitID: q.unitA, FiscalYear: 1404})
	if err != nil {
		t.Fatal(err)
	}
	br := q.officer(t)
	page := br.get(reviewPath(q.a2.ID))
	if use := elementText(page, "approval-use"); !strings.Contains(use, "۱۴۰۴") || !strings.Contains(use, cert.Serial) {
		t.Errorf("the page does not say the approval is used and certified: %q", use)
	}
	path := reviewPath(q.a2.ID) + "/reverse"
	a := br.post(path, url.Values{"csrf": {page.csrf()}, "reason": {"فاکتور جعلی بود"}})
	if a.status != http.StatusConflict || !strings.Contains(a.byRole("alert"), Message("reversal_certified")) ||
		elementText(a, "reverse-reason") != "فاکتور جعلی بود" {
		t.Fatalf("reversal under a certificate: %d %q", a.status, a.byRole("alert"))
	}
	if x := q.find(q.a2.ID); x.Status != ledger.StatusApproved {
		t.Fatalf("reversed under a certificate: %s", x.Status)
	}
	if _, err := certs.Revoke(ctx, q.tax, cert.Serial, certificate.RevokeInput{Reason: "فاکتور جعلی"}); err != nil {
		t.Fatal(err)
	}
	page = br.get(reviewPath(q.a2.ID))
	if use := elementText(page, "approval-use"); !strings.Contains(use, "۱۴۰۴") || strings.Contains(use, cert.Serial) {
		t.Errorf("after the revocation: %q", use)
	}
	if a := br.post(path, url.Values{"csrf": {page.csrf()}, "reason": {"فاکتور جعلی بود"}}); a.status != http.StatusSeeOther {
		t.Fatalf("reversal after the revocation: %d %q", a.status, a.byRole("alert"))
	}
	if x := q.find(q.a2.ID); x.Status != ledger.StatusReversed {
		t.Fatalf("after the reversal: %s", x.Status)
	}
	if use, err := q.store.ApprovalUseOf(ctx, q.tax, q.a2.ID); err != nil || len(use.Years) != 0 {
		t.Errorf("the year's offset still uses the reversed approval: %v %v", use, err)
	}
}
