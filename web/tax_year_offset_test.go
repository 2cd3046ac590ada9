package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The offset run: a preview of the figures, then a confirm that runs
// exactly them.
func TestOffsetPreviewThenConfirm(t *testing.T) {
	b := newTaxBooks(t)
	b.mustPolicy(t)
	b.mustAssess(t, "2500000")
	br := b.officer(t)

	statementPage := br.get(b.yearPath())
	if !hasLink(statementPage, b.yearPath()+"/offset") {
		t.Fatal("the statement does not lead to the offset preview")
	}
	n := b.transactions(t)
	pv := br.get(b.yearPath() + "/offset")
	if pv.status != http.StatusOK {
		t.Fatalf("preview: %d\n%s", pv.status, pv.text())
	}
	if b.transactions(t) != n || !b.statement(t).OffsetAmount.IsZero() {
		t.Fatal("the preview posted")
	}
	// What the run would produce: 2,500,000 offset of 3,200,000 offered,
	// all of the first expenditure and 1,300,000 of the second; nothing
	// left to pay; 700,000 still unused.
	for _, want := range []string{"۲٬۵۰۰٬۰۰۰ ریال", "۱٬۲۰۰٬۰۰۰ ریال", "۱٬۳۰۰٬۰۰۰ ریال", "۷۰۰٬۰۰۰ ریال", "INV-A-1", "INV-B-2"} {
		if !strings.Contains(pv.text(), want) {
			t.Errorf("the preview lacks %s:\n%s", want, pv.text())
		}
	}
	expected, err := b.store.PreviewOffset(context.Background(), b.tax, b.unit.ID, 1404)
	if err != nil {
		t.Fatal(err)
	}
	fingerprint := inputValue(pv, "fingerprint")
	if fingerprint != expected.Fingerprint {
		t.Fatalf("the form carries %q, the books' preview is %q", fingerprint, expected.Fingerprint)
	}

	a := br.post(b.yearPath()+"/offset", url.Values{"csrf": {pv.csrf()}, "fingerprint": {fingerprint}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != b.yearPath()+"?m=offset_run" {
		t.Fatalf("confirm: %d %s\n%s", a.status, a.header.Get("Location"), a.text())
	}
	st := b.statement(t)
	after := expected.After
	if b.transactions(t) != n+1 || !st.OffsetAmount.Equal(after.OffsetAmount) || !st.SpendingUsed.Equal(after.SpendingUsed) ||
		!st.RemainingTax.Equal(after.RemainingTax) || !st.UnusedEligible.Equal(after.UnusedEligible) || !st.CarriedIn.Equal(after.CarriedIn) ||
		len(st.Allocations) != len(after.Allocations) {
		t.Fatalf("after the run %+v\npreviewed %+v", st, after)
	}
	for i, x := range st.Allocations {
		if w := after.Allocations[i]; x.ExpenditureID != w.ExpenditureID || !x.Amount.Equal(w.Amount) {
			t.Errorf("allocation %d: %s %s, previewed %s %s", i, x.InvoiceNo, x.Amount, w.InvoiceNo, w.Amount)
		}
	}
	if !st.OffsetAmount.Equal(mustDec("2500000")) || !st.RemainingTax.IsZero() {
		t.Errorf("offset %s remaining %s", st.OffsetAmount, st.RemainingTax)
	}
	page := br.get(a.header.Get("Location"))
	if !strings.Contains(page.byRole("status"), Message("offset_run")) || !strings.Contains(page.text(), "۱٬۳۰۰٬۰۰۰ ریال") {
		t.Errorf("the statement after the run:\n%s", page.text())
	}
}

// A confirm whose preview went stale (the assessment changed in between) is
// refused, posts nothing, and shows the new figures to look at.
func TestOffsetConfirmStaleIsRefused(t *testing.T) {
	b := newTaxBooks(t)
	b.mustPolicy(t)
	b.mustAssess(t, "2500000")
	br := b.officer(t)
	pv := br.get(b.yearPath() + "/offset")
	fingerprint, csrf := inputValue(pv, "fingerprint"), pv.csrf()
	b.mustAssess(t, "900000")
	n := b.transactions(t)
	a := br.post(b.yearPath()+"/offset", url.Values{"csrf": {csrf}, "fingerprint": {fingerprint}})
	if a.status != http.StatusConflict || !strings.Contains(a.byRole("alert"), Message("offset_preview_stale")) {
		t.Fatalf("stale confirm: %d, alert %q", a.status, a.byRole("alert"))
	}
	if b.transactions(t) != n || !b.statement(t).OffsetAmount.IsZero() {
		t.Fatal("a refused confirm posted")
	}
	if got := inputValue(a, "fingerprint"); got == "" || got == fingerprint || !strings.Contains(a.text(), "۹۰۰٬۰۰۰ ریال") {
		t.Errorf("the refusal shows no new preview (fingerprint %q)", got)
	}
	// A forged or missing fingerprint runs nothing either.
	for _, fp := range []string{"", "0000"} {
		if a := br.post(b.yearPath()+"/offset", url.Values{"csrf": {csrf}, "fingerprint": {fp}}); a.status != http.StatusConflict {
			t.Errorf("fingerprint %q: %d", fp, a.status)
		}
	}
	if b.transactions(t) != n {
		t.Fatal("a bad fingerprint posted")
	}
}

// A year without a policy has no preview: the page says why.
func TestOffsetPreviewWithoutPolicy(t *testing.T) {
	b := newTaxBooks(t)
	b.mustAssess(t, "1000")
	br := b.officer(t)
	a := br.get(b.yearPath() + "/offset")
	if a.status != http.StatusConflict || !strings.Contains(a.byRole("alert"), Message("no_offset_policy")) {
		t.Errorf("no policy: %d %q", a.status, a.byRole("alert"))
	}
	page := br.get(b.yearPath())
	if !hasLink(page, "/tax-office/policies/new?fiscal_year=1404") {
		t.Error("the statement does not offer to record the year's policy")
	}
}
