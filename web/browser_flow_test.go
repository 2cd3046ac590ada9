package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/ledger"
)

// TestBrowserMoneyFlow is the two money-moving groups' whole year in a real
// browser, with no JavaScript of ours, each step through the pages as a
// person takes it: the unit's accountant submits an expenditure with a scan
// (PNG) and an invoice (PDF), typing the amount and the date in Persian
// digits, and sees it listed; the tax officer approves part of it from the
// queue with a reason, runs the year's offset after its preview and issues
// the certificate, whose PDF is the API's byte for byte; the accountant
// then sees the statement and the certificate.
func TestBrowserMoneyFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	store := ledger.NewStore(e.db)
	unit := e.mustCreateUnit("شرکت سیمان قزوین", "1010101010")
	acc := e.mustCreateUser("accountant", "مریم رضایی", taahod.RoleAccountant, unit.ID).Actor()
	tax := e.mustCreateUser("tax", "رضا کریمی", taahod.RoleTaxOfficer).Actor()
	school, err := store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: "دبستان شهید رجایی", Kind: ledger.KindSchool, County: "قزوین"})
	if err != nil {
		t.Fatal(err)
	}
	pledgedOn := "1404/01/15"
	pledge, err := store.CreatePledge(ctx, taahod.System, ledger.NewPledge{UnitID: unit.ID, SchoolID: school.ID,
		Amount: json.RawMessage(`"5000000000"`), PledgedOnJalali: &pledgedOn})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SetPolicy(ctx, tax, 1404, ledger.PolicyInput{Mode: ledger.ModeCredit, Rate: json.RawMessage(`"1"`),
		LegalBasis: "ترتیبات استانی قزوین"}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Assess(ctx, tax, unit.ID, 1404, ledger.TaxYearInput{TaxDue: json.RawMessage(`"3000000000"`)}); err != nil {
		t.Fatal(err)
	}
	files := evidenceFiles(t)
	chrome := newChrome(t)
	base := e.http.URL

	// The accountant: a form error first (no invoice number) keeps what was
	// typed and says, beside the field, what is missing.
	steps := append(signInSteps(base, "accountant"),
		chromedp.Navigate(base+"/accountant/expenditures/new"),
		chromedp.WaitVisible(chromedp.CSS("#amount")),
		chromedp.SetValue(chromedp.CSS("#pledge_id"), itoa(pledge.ID)),
		chromedp.SendKeys(chromedp.CSS("#amount"), "۱٬۲۵۰٬۰۰۰٬۰۰۰"),
		chromedp.SendKeys(chromedp.CSS("#spent_on_jalali"), "۱۴۰۴/۰۵/۱۰"),
		chromedp.SendKeys(chromedp.CSS("#vendor_name"), "مصالح ساختماني نور"), // Arabic ي, as some keyboards type it
		chromedp.SetValue(chromedp.CSS("#category"), ledger.CategoryConstruction),
		chromedp.SendKeys(chromedp.CSS("#description"), "سیمان و میلگرد برای فونداسیون"),
		chromedp.SetUploadFiles(chromedp.CSS("#documents"), files),
		chromedp.Click(chromedp.CSS(`form[action="/accountant/expenditures/new"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("#invoice_no-error")),
		shot("flow-new-expenditure-error"),
	)
	if err := chromedp.Do(chrome, steps...); err != nil {
		t.Fatalf("new expenditure, no invoice number: %v", err)
	}
	if got := text(t, chrome, "#invoice_no-error"); got != Message("required") {
		t.Errorf("beside the invoice number: %q", got)
	}
	if got := value(t, chrome, "#amount"); got != "۱٬۲۵۰٬۰۰۰٬۰۰۰" {
		t.Errorf("the amount typed came back as %q", got)
	}
	if list, err := store.ListExpenditures(ctx, acc, ledger.ExpenditureFilter{Limit: 10}); err != nil || len(list) != 0 {
		t.Fatalf("after a form error: %d expenditures (%v)", len(list), err)
	}

	// Corrected: the files are chosen again (a browser never keeps them).
	err = chromedp.Do(chrome,
		chromedp.SendKeys(chromedp.CSS("#invoice_no"), "INV-1404-0931"),
		chromedp.SetUploadFiles(chromedp.CSS("#documents"), files),
		chromedp.Click(chromedp.CSS(`form[action="/accountant/expenditures/new"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)),
		shot("flow-expenditure-submitted"),
	)
	if err != nil {
		t.Fatalf("new expenditure: %v", err)
	}
	list, err := store.ListExpenditures(ctx, acc, ledger.ExpenditureFilter{Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("after submitting: %d expenditures (%v)", len(list), err)
	}
	x := list[0]
	if !x.Amount.Equal(mustDec("1250000000")) || x.SpentOn.Jalali() != "1404/05/10" || x.VendorName != "مصالح ساختمانی نور" ||
		x.InvoiceNo != "INV-1404-0931" || x.Status != ledger.StatusSubmitted {
		t.Fatalf("stored: amount %s, spent %s, vendor %q, invoice %q, %s", x.Amount, x.SpentOn.Jalali(), x.VendorName, x.InvoiceNo, x.Status)
	}
	if docs, err := store.ExpenditureDocuments(ctx, acc, x.ID); err != nil || len(docs) != 2 {
		t.Fatalf("documents stored: %d (%v)", len(docs), err)
	}
	if p := pagePath(t, chrome); p != "/accountant/expenditures/"+itoa(x.ID) {
		t.Errorf("after submitting the browser shows %s", p)
	}
	if err := chromedp.Do(chrome, chromedp.Navigate(base+"/accountant/expenditures"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if listed := text(t, chrome, "main"); !strings.Contains(listed, "INV-1404-0931") || !strings.Contains(listed, "۱٬۲۵۰٬۰۰۰٬۰۰۰") {
		t.Errorf("the expenditures list does not show it:\n%s", listed)
	}

	// The tax officer approves a part of it, from the queue.
	steps = append([]chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#username"))}, signInSteps(base, "tax")...)
	steps = append(steps,
		chromedp.Navigate(base+"/tax-office/queue"),
		chromedp.Click(chromedp.CSS(`a[href^="/tax-office/expenditures/`+itoa(x.ID)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#partial-amount")),
		shot("flow-review"),
		chromedp.SendKeys(chromedp.CSS("#partial-amount"), "۱٬۰۰۰٬۰۰۰٬۰۰۰"),
		chromedp.SendKeys(chromedp.CSS("#partial-reason"), "هزینه حمل بار جزو ساخت مدرسه نیست"),
		chromedp.Click(chromedp.CSS(`form:has(#partial-amount) button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)),
	)
	if err := chromedp.Do(chrome, steps...); err != nil {
		t.Fatalf("partial approval: %v", err)
	}
	if got := text(t, chrome, `[role="status"]`); got != Message("queue_empty") {
		t.Errorf("after the decision: %q", got)
	}
	if x, err = store.FindExpenditure(ctx, tax, x.ID); err != nil || x.Status != ledger.StatusPartiallyApproved ||
		!x.ApprovedAmount.Valid || !x.ApprovedAmount.Decimal.Equal(mustDec("1000000000")) {
		t.Fatalf("after the partial approval: %+v (%v)", x, err)
	}

	// The year's offset, after its preview; then the certificate.
	year := "/tax-office/units/" + itoa(unit.ID) + "/tax-years/1404"
	err = chromedp.Do(chrome,
		chromedp.Navigate(base+year+"/offset"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="fingerprint"] + button`)),
		shot("flow-offset-preview"),
		chromedp.Click(chromedp.CSS(`input[name="fingerprint"] + button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/tax-office/certificates"]`)), // the year's page
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)),
	)
	if err != nil {
		t.Fatalf("offset: %v", err)
	}
	if got := text(t, chrome, `[role="status"]`); got != Message("offset_run") {
		t.Errorf("after the run: %q", got)
	}
	st, err := store.Statement(ctx, tax, unit.ID, 1404)
	if err != nil || !st.OffsetAmount.Equal(mustDec("1000000000")) {
		t.Fatalf("offset after the run: %s (%v)", st.OffsetAmount, err)
	}
	err = chromedp.Do(chrome,
		chromedp.Click(chromedp.CSS(`form[action="/tax-office/certificates"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/revoke"]`)), // the certificate's page
		chromedp.WaitVisible(chromedp.CSS(`[role="status"]`)),
		shot("flow-certificate"),
	)
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	if got := text(t, chrome, `[role="status"]`); got != Message("certificate_issued") {
		t.Errorf("after issuing: %q", got)
	}
	certs, err := certificate.NewStore(e.db, certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner})
	if err != nil {
		t.Fatal(err)
	}
	issued, err := certs.List(ctx, tax, certificate.ListFilter{UnitID: unit.ID, FiscalYear: 1404, Limit: 10})
	if err != nil || len(issued) != 1 {
		t.Fatalf("certificates: %d (%v)", len(issued), err)
	}
	serial := issued[0].Serial
	status, apiPDF := e.apiGet(t, "tax", "/api/v1/certificates/"+serial+"/pdf")
	if status != http.StatusOK {
		t.Fatalf("the API's PDF of %s: %d", serial, status)
	}
	if got := downloadLink(t, chrome, base, `a[href$="/`+serial+`/pdf"]`); sha(got) != sha(apiPDF) {
		t.Errorf("the page's PDF (%d bytes) is not the API's (%d bytes)", len(got), len(apiPDF))
	}

	// The accountant sees the statement and the certificate.
	steps = append([]chromedp.Action[chromedp.Void]{chromedp.Click(chromedp.CSS(`form[action="/signout"] button`)),
		chromedp.WaitVisible(chromedp.CSS("#username"))}, signInSteps(base, "accountant")...)
	steps = append(steps,
		chromedp.Navigate(base+"/accountant/units/"+itoa(unit.ID)+"/tax-years/1404"),
		chromedp.WaitVisible(chromedp.CSS("h1")),
		shot("flow-accountant-statement"),
	)
	if err := chromedp.Do(chrome, steps...); err != nil {
		t.Fatalf("the accountant's statement: %v", err)
	}
	shown := text(t, chrome, "main")
	for _, want := range []string{"۳٬۰۰۰٬۰۰۰٬۰۰۰ ریال", "۱٬۰۰۰٬۰۰۰٬۰۰۰ ریال", "۲٬۰۰۰٬۰۰۰٬۰۰۰ ریال", serial} {
		if !strings.Contains(shown, want) {
			t.Errorf("the accountant's statement lacks %q:\n%s", want, shown)
		}
	}
	if got := downloadLink(t, chrome, base, `a[href$="/`+serial+`/pdf"]`); sha(got) != sha(apiPDF) {
		t.Errorf("the accountant's PDF (%d bytes) is not the API's (%d bytes)", len(got), len(apiPDF))
	}
}

// value is the current value of the form control sel matches.
func value(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("value of %s: %v", sel, err)
	}
	return v
}

// downloadLink fetches the target of the link sel matches with the
// browser's own cookies, as the browser downloads it when clicked (a
// headless browser shows no download to read back).
func downloadLink(t *testing.T, ctx context.Context, base, sel string) []byte {
	t.Helper()
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(sel), "href"))
	if err != nil || !href.Exists {
		t.Fatalf("link %s: %v", sel, err)
	}
	cookies, err := chromedp.Run(ctx, chromedp.Action[*network.GetCookiesResult](func(ctx context.Context, tg *chromedp.Target) (*network.GetCookiesResult, error) {
		r, err := cdp.Call(ctx, tg, network.GetCookies, network.GetCookiesParams{URLs: []string{base}})
		return &r, err
	}))
	if err != nil {
		t.Fatalf("cookies: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, base+href.Value, nil)
	for _, c := range cookies.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", href.Value, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil || res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("GET %s: %d %s (%v)", href.Value, res.StatusCode, res.Header.Get("Content-Type"), err)
	}
	return body
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// evidenceFiles writes a small scan (PNG) and an invoice (PDF) for the
// browser to attach.
func evidenceFiles(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: uint8(y * 5), B: 120, A: 255})
		}
	}
	var scan bytes.Buffer
	if err := png.Encode(&scan, img); err != nil {
		t.Fatal(err)
	}
	paths := []string{filepath.Join(dir, "scan.png"), filepath.Join(dir, "invoice.pdf")}
	for i, content := range [][]byte{scan.Bytes(), []byte("%PDF-1.4\n% invoice INV-1404-0931\n%%EOF\n")} {
		if err := os.WriteFile(paths[i], content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}
