package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
	"golang.org/x/net/html"
)

// books is an accountant's unit with one pledge and expenditures in it,
// and another unit with its own accountant and expenditure, written
// through the real stores.
type books struct {
	e                   *env
	store               *ledger.Store
	acc, tax            taahod.Actor
	pledge              ledger.Pledge
	rejected, submitted ledger.Expenditure
	lastYear            ledger.Expenditure
	otherUnits          ledger.Expenditure
	document, photo     ledger.Document
}

func newBooks(t *testing.T) *books {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	mine := e.mustCreateUnit("فولاد البرز", "1010234567")
	theirs := e.mustCreateUnit("سیمان قزوین", "1010765432")
	acc := e.mustCreateUser("acc", "مریم حسابدار", taahod.RoleAccountant, mine.ID).Actor()
	other := e.mustCreateUser("other", "حسابدار دیگر", taahod.RoleAccountant, theirs.ID).Actor()
	tax := e.mustCreateUser("tax", "رضا کارشناس", taahod.RoleTaxOfficer).Actor()
	store := ledger.NewStore(e.db)
	school, err := store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: "دبستان شهید رجایی", Kind: ledger.KindSchool, County: "قزوین"})
	if err != nil {
		t.Fatal(err)
	}
	pledge := func(unit int64) ledger.Pledge {
		on, due := "2025-01-01", "2036-12-06"
		p, err := store.CreatePledge(ctx, taahod.System, ledger.NewPledge{UnitID: unit, SchoolID: school.ID,
			Amount: json.RawMessage(`"1250000000"`), PledgedOn: &on, DueOn: &due})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	b := &books{e: e, store: store, acc: acc, tax: tax, pledge: pledge(mine.ID)}
	spend := func(actor taahod.Actor, pledgeID int64, amount, invoice, on string) ledger.Expenditure {
		x, err := store.SubmitExpenditure(ctx, actor, ledger.NewExpenditure{PledgeID: pledgeID, Amount: json.RawMessage(`"` + amount + `"`),
			SpentOn: &on, InvoiceNo: invoice, VendorName: "مصالح ساختمانی نور", Category: ledger.CategoryConstruction})
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	b.rejected = spend(acc, b.pledge.ID, "3000000", "INV-REJ-1", "2025-10-01")
	b.submitted = spend(acc, b.pledge.ID, "4500000", "INV-SUB-2", "2025-10-01")
	b.lastYear = spend(acc, b.pledge.ID, "700000", "INV-OLD-3", "2025-03-01")
	b.otherUnits = spend(other, pledge(theirs.ID).ID, "9900000", "INV-THEIRS", "2025-10-01")
	reason := "فاکتور مهر ندارد"
	if _, err := store.Review(ctx, tax, b.rejected.ID, ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason}); err != nil {
		t.Fatal(err)
	}
	if b.document, _, err = store.AddExpenditureDocument(ctx, acc, b.rejected.ID, ledger.NewDocument{
		Name: "scan.pdf", Content: []byte("%PDF-1.4 the invoice")}); err != nil {
		t.Fatal(err)
	}
	if b.photo, _, err = store.AddExpenditureDocument(ctx, acc, b.rejected.ID, ledger.NewDocument{
		Name: "site.png", Content: []byte("\x89PNG\r\n\x1a\n a photo of the site")}); err != nil {
		t.Fatal(err)
	}
	if _, _, err = store.AddExpenditureDocument(ctx, other, b.otherUnits.ID, ledger.NewDocument{
		Name: "theirs.pdf", Content: []byte("%PDF-1.4 their invoice")}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *books) signedIn(t *testing.T) *browser {
	t.Helper()
	br := b.e.browser()
	if got := br.signIn("acc"); got != "/accountant" {
		t.Fatalf("sign-in leads to %q, want /accountant", got)
	}
	return br
}

func TestAccountantHomeListsPledgesAndRejected(t *testing.T) {
	b := newBooks(t)
	a := b.signedIn(t).get("/accountant")
	if a.status != http.StatusOK {
		t.Fatalf("GET /accountant: %d\n%s", a.status, a.body)
	}
	text := a.text()
	for _, want := range []string{
		"فولاد البرز", "دبستان شهید رجایی",
		"۱٬۲۵۰٬۰۰۰٬۰۰۰ ریال", // the pledge
		"۵٬۲۰۰٬۰۰۰ ریال",     // submitted: 4.5m + 0.7m; the rejected 3m no longer stands
		"در حال اجرا",        // derived status
		"۱۴۱۵/۰۹/۱۶",         // due 2036-12-06, far enough ahead that the pledge stays current
		"INV-REJ-1", "فاکتور مهر ندارد",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("home lacks %q:\n%s", want, text)
		}
	}
	for _, absent := range []string{"سیمان قزوین", "INV-THEIRS"} {
		if strings.Contains(text, absent) {
			t.Errorf("home shows %q", absent)
		}
	}
	if !hasLink(a, fmt.Sprintf("/accountant/expenditures/%d", b.rejected.ID)) || !hasLink(a, "/accountant/expenditures") {
		t.Errorf("home lacks links to the rejected expenditure and the list:\n%s", a.body)
	}
	checkColumnHeaders(t, a)
}

func TestAccountantExpendituresFilter(t *testing.T) {
	b := newBooks(t)
	br := b.signedIn(t)
	all := br.get("/accountant/expenditures")
	if all.status != http.StatusOK {
		t.Fatalf("GET: %d\n%s", all.status, all.body)
	}
	for _, want := range []string{"INV-REJ-1", "INV-SUB-2", "INV-OLD-3", "۴٬۵۰۰٬۰۰۰ ریال", "۱۴۰۴/۰۷/۰۹", "ردشده", "در انتظار بررسی"} {
		if !strings.Contains(all.text(), want) {
			t.Errorf("list lacks %q", want)
		}
	}
	if strings.Contains(all.text(), "INV-THEIRS") {
		t.Error("list shows another unit's expenditure")
	}
	checkColumnHeaders(t, all)
	for _, c := range []struct {
		query     string
		want, not []string
	}{
		{"?status=rejected", []string{"INV-REJ-1"}, []string{"INV-SUB-2", "INV-OLD-3"}},
		{"?fiscal_year=1403", []string{"INV-OLD-3"}, []string{"INV-REJ-1", "INV-SUB-2"}},
		{"?fiscal_year=۱۴۰۴&status=submitted", []string{"INV-SUB-2"}, []string{"INV-REJ-1", "INV-OLD-3"}},
		{fmt.Sprintf("?pledge_id=%d", b.pledge.ID), []string{"INV-REJ-1", "INV-SUB-2", "INV-OLD-3"}, []string{"INV-THEIRS"}},
		{fmt.Sprintf("?pledge_id=%d", b.otherUnits.PledgeID), nil, []string{"INV-THEIRS", "INV-REJ-1"}},
	} {
		a := br.get("/accountant/expenditures" + c.query)
		if a.status != http.StatusOK {
			t.Errorf("%s: %d", c.query, a.status)
			continue
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
	if a := br.get("/accountant/expenditures?status=paid"); a.status != http.StatusBadRequest || a.byRole("alert") == "" {
		t.Errorf("unknown status: %d, alert %q", a.status, a.byRole("alert"))
	}
}

func TestAccountantExpendituresNextPage(t *testing.T) {
	b := newBooks(t)
	ctx := context.Background()
	on := "2025-10-02"
	for i := 0; i < expendituresPageSize; i++ {
		if _, err := b.store.SubmitExpenditure(ctx, b.acc, ledger.NewExpenditure{PledgeID: b.pledge.ID, Amount: json.RawMessage(`"1000"`),
			SpentOn: &on, InvoiceNo: fmt.Sprintf("P-%03d", i), VendorName: "فروشنده", Category: ledger.CategoryOther}); err != nil {
			t.Fatal(err)
		}
	}
	br := b.signedIn(t)
	first := br.get("/accountant/expenditures?status=submitted")
	next := linkTitled(first, "بعدی")
	if next == "" || !strings.Contains(next, "status=submitted") {
		t.Fatalf("first page's «بعدی» link = %q", next)
	}
	if strings.Contains(first.text(), "P-049") {
		t.Error("the first page holds the last row already")
	}
	second := br.get(next)
	if !strings.Contains(second.text(), "P-049") || strings.Contains(second.text(), "INV-SUB-2") {
		t.Errorf("second page:\n%s", second.text())
	}
	if linkTitled(second, "بعدی") != "" {
		t.Error("the last page links to a next one")
	}
	if linkTitled(first, "قبلی") != "" {
		t.Error("the first page links to a previous one")
	}
	back := br.get(linkTitled(second, "قبلی"))
	if back.status != http.StatusOK || back.text() != first.text() {
		t.Errorf("«قبلی» from the second page does not lead back to the first:\n%s", back.text())
	}
}

func TestAccountantExpenditurePage(t *testing.T) {
	b := newBooks(t)
	br := b.signedIn(t)
	a := br.get(fmt.Sprintf("/accountant/expenditures/%d", b.rejected.ID))
	if a.status != http.StatusOK {
		t.Fatalf("GET: %d\n%s", a.status, a.body)
	}
	for _, want := range []string{"INV-REJ-1", "۳٬۰۰۰٬۰۰۰ ریال", "۹ مهر ۱۴۰۴", "ساخت", "ردشده", "رد", "فاکتور مهر ندارد", "رضا کارشناس", "scan.pdf"} {
		if !strings.Contains(a.text(), want) {
			t.Errorf("expenditure page lacks %q:\n%s", want, a.text())
		}
	}
	checkColumnHeaders(t, a)
	docPath := fmt.Sprintf("/accountant/expenditures/%d/documents/%d", b.rejected.ID, b.document.ID)
	if !hasLink(a, docPath) {
		t.Errorf("no link to the document %s", docPath)
	}
	photoPath := fmt.Sprintf("/accountant/expenditures/%d/documents/%d", b.rejected.ID, b.photo.ID)
	if len(findAll(a.doc(), func(n *html.Node) bool {
		return n.Data == "img" && attr(n, "src") == photoPath+"/thumbnail" && attr(n, "alt") != ""
	})) != 1 {
		t.Errorf("no thumbnail of the image document %s", photoPath)
	}
	if len(findAll(a.doc(), func(n *html.Node) bool { return n.Data == "img" && strings.HasPrefix(attr(n, "src"), docPath) })) != 0 {
		t.Errorf("the PDF is shown as an image")
	}
	if p := br.get(photoPath); p.status != http.StatusOK || p.header.Get("Content-Type") != "image/png" {
		t.Errorf("photo: %d %q", p.status, p.header.Get("Content-Type"))
	}
	d := br.get(docPath)
	if d.status != http.StatusOK || d.header.Get("Content-Type") != "application/pdf" ||
		d.header.Get("X-Content-Type-Options") != "nosniff" || d.body != "%PDF-1.4 the invoice" {
		t.Errorf("document: %d %q %q %q", d.status, d.header.Get("Content-Type"), d.header.Get("X-Content-Type-Options"), d.body)
	}
}

func TestAccountantOtherUnitIsNotFound(t *testing.T) {
	b := newBooks(t)
	br := b.signedIn(t)
	unknown := br.get("/accountant/expenditures/999999")
	if unknown.status != http.StatusNotFound {
		t.Fatalf("unknown id: %d", unknown.status)
	}
	theirs := br.get(fmt.Sprintf("/accountant/expenditures/%d", b.otherUnits.ID))
	if theirs.status != http.StatusNotFound || theirs.body != unknown.body {
		t.Errorf("another unit's expenditure: %d, same page as unknown: %v", theirs.status, theirs.body == unknown.body)
	}
	web404 := br.get("/no-such-page")
	if web404.byRole("alert") != theirs.byRole("alert") {
		t.Errorf("404 alerts differ: %q vs %q", web404.byRole("alert"), theirs.byRole("alert"))
	}
	if d := br.get(fmt.Sprintf("/accountant/expenditures/%d/documents/%d", b.otherUnits.ID, b.document.ID)); d.status != http.StatusNotFound {
		t.Errorf("another unit's document: %d", d.status)
	}
	if d := br.get(fmt.Sprintf("/accountant/expenditures/%d/documents/%d", b.submitted.ID, b.document.ID)); d.status != http.StatusNotFound {
		t.Errorf("another expenditure's document: %d", d.status)
	}
}

func TestAccountantPagesNeedSignIn(t *testing.T) {
	b := newBooks(t)
	br := b.e.browser()
	for _, path := range []string{"/accountant", "/accountant/expenditures", fmt.Sprintf("/accountant/expenditures/%d", b.rejected.ID),
		fmt.Sprintf("/accountant/expenditures/%d/documents/%d", b.rejected.ID, b.document.ID)} {
		a := br.get(path)
		if a.status != http.StatusSeeOther || !strings.HasPrefix(a.header.Get("Location"), "/signin") {
			t.Errorf("signed-out %s: %d → %q", path, a.status, a.header.Get("Location"))
		}
	}
	tax := b.e.browser()
	tax.signIn("tax")
	if a := tax.get("/accountant/expenditures"); a.status != http.StatusNotFound {
		t.Errorf("the tax officer on the accountant's list: %d", a.status)
	}
}

func hasLink(a answer, href string) bool {
	return len(findAll(a.doc(), func(n *html.Node) bool { return n.Data == "a" && attr(n, "href") == href })) > 0
}

// linkTitled is the href of the first link whose text starts with title.
func linkTitled(a answer, title string) string {
	for _, n := range findAll(a.doc(), func(n *html.Node) bool { return n.Data == "a" && strings.HasPrefix(textOf(n), title) }) {
		return attr(n, "href")
	}
	return ""
}

// checkColumnHeaders fails unless every th of the page's tables is a column
// header.
func checkColumnHeaders(t *testing.T, a answer) {
	t.Helper()
	ths := findAll(a.doc(), func(n *html.Node) bool { return n.Data == "th" })
	if len(ths) == 0 {
		t.Error("the page has no table")
	}
	for _, th := range ths {
		if attr(th, "scope") != "col" {
			t.Errorf("<th> %q without scope=col", textOf(th))
		}
	}
}
