package ledger_test

import (
	"context"
	"errors"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
)

// TestSubmitWithDocuments keeps an expenditure and its files together, and
// a refused file keeps nothing at all: no expenditure, no document, no
// change of the pledge's total, no audit entry.
func TestSubmitWithDocuments(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pledge("1000")
	pdf := ledger.NewDocument{Name: "invoice.pdf", Content: []byte("%PDF-1.4 invoice")}
	png := ledger.NewDocument{Name: "site.png", Content: []byte("\x89PNG\r\n\x1a\n site")}
	text := ledger.NewDocument{Name: "notes.txt", Content: []byte("just text")}

	auditBefore := auditCount(t, f.db)
	_, _, err := f.store.SubmitExpenditureWithDocuments(ctx, f.accountant, newExpenditure(p.ID, "400", "A-1"),
		[]ledger.NewDocument{pdf, text})
	var te *taahod.Error
	if taahod.ErrorCode(err) != taahod.EUNSUPPORTEDMEDIA || !errors.As(err, &te) || len(te.Fields) != 1 || te.Fields[0].Field != "documents" {
		t.Fatalf("a text file: %v", err)
	}
	if list, _ := f.store.ListExpenditures(ctx, f.accountant, ledger.ExpenditureFilter{Limit: 10}); len(list) != 0 {
		t.Fatalf("a refused file left %d expenditures", len(list))
	}
	f.checkSubmittedTotal(p.ID, "0")
	if n := auditCount(t, f.db); n != auditBefore {
		t.Errorf("audit entries %d → %d", auditBefore, n)
	}

	// The files go with the expenditure; the same file twice is kept once.
	e, docs, err := f.store.SubmitExpenditureWithDocuments(ctx, f.accountant, newExpenditure(p.ID, "1200", "A-1"),
		[]ledger.NewDocument{pdf, png, pdf})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 2 || !e.ExceedsPledge || e.Status != ledger.StatusSubmitted {
		t.Fatalf("submitted %+v with %d documents", e, len(docs))
	}
	stored, err := f.store.ExpenditureDocuments(ctx, f.accountant, e.ID)
	if err != nil || len(stored) != 2 || stored[0].ContentType != ledger.TypePDF || stored[1].ContentType != ledger.TypePNG {
		t.Fatalf("stored documents %+v %v", stored, err)
	}
	// A refusal by the database (the invoice again) after the files were
	// taken keeps nothing either.
	_, _, err = f.store.SubmitExpenditureWithDocuments(ctx, f.accountant, newExpenditure(p.ID, "5", "A-1"), []ledger.NewDocument{png})
	if taahod.ErrorCode(err) != taahod.ECONFLICT {
		t.Fatalf("the same invoice again: %v", err)
	}
	f.checkSubmittedTotal(p.ID, "1200")
	if list, _ := f.store.ListExpenditures(ctx, f.accountant, ledger.ExpenditureFilter{Limit: 10}); len(list) != 1 {
		t.Errorf("%d expenditures, want 1", len(list))
	}
	if _, findings, err := database.VerifyAudit(ctx, f.db); err != nil || len(findings) != 0 {
		t.Fatalf("audit chain: %v %v", findings, err)
	}
	if n := auditCount(t, f.db); n != auditBefore+3 {
		t.Errorf("audit entries: %d, want %d (the submission and two files)", n, auditBefore+3)
	}
}

func auditCount(t *testing.T, db *database.DB) int {
	t.Helper()
	var n int
	if err := db.GetContext(context.Background(), &n, `SELECT count(*) FROM audit_log`); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestListMissingDocuments lists the submitted and rejected expenditures
// that have no document, and no other.
func TestListMissingDocuments(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pledge("1000")
	bare, err := f.store.SubmitExpenditure(ctx, f.accountant, newExpenditure(p.ID, "10", "M-1"))
	if err != nil {
		t.Fatal(err)
	}
	withDoc, err := f.store.SubmitExpenditure(ctx, f.accountant, newExpenditure(p.ID, "10", "M-2"))
	if err != nil {
		t.Fatal(err)
	}
	f.evidence(withDoc.ID)
	withdrawn, err := f.store.SubmitExpenditure(ctx, f.accountant, newExpenditure(p.ID, "10", "M-3"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.WithdrawExpenditure(ctx, f.accountant, withdrawn.ID, nil); err != nil {
		t.Fatal(err)
	}
	list, err := f.store.ListExpenditures(ctx, f.accountant, ledger.ExpenditureFilter{MissingDocuments: true, Limit: 10})
	if err != nil || len(list) != 1 || list[0].ID != bare.ID {
		t.Fatalf("missing documents: %+v %v", list, err)
	}
}

// TestListTaxYears keeps an accountant to their own units' tax years.
func TestListTaxYears(t *testing.T) {
	b := newBooks(t, 2)
	b.mustAssess(b.units[0], 1404, "100", "")
	b.mustAssess(b.units[0], 1403, "50", "")
	b.mustAssess(b.units[1], 1404, "70", "")
	ctx := context.Background()
	mine, err := b.store.ListTaxYears(ctx, b.accts[b.units[0]], ledger.TaxYearFilter{Limit: 10})
	if err != nil || len(mine) != 2 || mine[0].FiscalYear != 1404 || mine[1].FiscalYear != 1403 || mine[0].UnitID != b.units[0] {
		t.Fatalf("the accountant's tax years: %+v %v", mine, err)
	}
	all, err := b.store.ListTaxYears(ctx, b.tax, ledger.TaxYearFilter{FiscalYear: 1404, Limit: 10})
	if err != nil || len(all) != 2 {
		t.Fatalf("the tax officer's 1404: %+v %v", all, err)
	}
}

// TestAddExpenditureDocuments keeps all the files or none.
func TestAddExpenditureDocuments(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pledge("1000")
	e, err := f.store.SubmitExpenditure(ctx, f.accountant, newExpenditure(p.ID, "10", "D-1"))
	if err != nil {
		t.Fatal(err)
	}
	pdf := ledger.NewDocument{Name: "a.pdf", Content: []byte("%PDF-1.4 a")}
	png := ledger.NewDocument{Name: "b.png", Content: []byte("\x89PNG\r\n\x1a\n b")}
	_, err = f.store.AddExpenditureDocuments(ctx, f.accountant, e.ID, []ledger.NewDocument{pdf, {Name: "c.txt", Content: []byte("text")}})
	if taahod.ErrorCode(err) != taahod.EUNSUPPORTEDMEDIA {
		t.Fatalf("a text file: %v", err)
	}
	if docs, _ := f.store.ExpenditureDocuments(ctx, f.accountant, e.ID); len(docs) != 0 {
		t.Fatalf("a refused file let %d in", len(docs))
	}
	kept, err := f.store.AddExpenditureDocuments(ctx, f.accountant, e.ID, []ledger.NewDocument{pdf, png, pdf})
	if err != nil || len(kept) != 2 {
		t.Fatalf("kept %+v %v", kept, err)
	}
	again, err := f.store.AddExpenditureDocuments(ctx, f.accountant, e.ID, []ledger.NewDocument{png})
	if err != nil || len(again) != 1 || again[0].ID != kept[1].ID {
		t.Fatalf("the same file again: %+v %v", again, err)
	}
	if _, err := f.store.WithdrawExpenditure(ctx, f.accountant, e.ID, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.AddExpenditureDocuments(ctx, f.accountant, e.ID, []ledger.NewDocument{{Name: "d.pdf", Content: []byte("%PDF-1.4 d")}}); taahod.ErrorCode(err) != taahod.ECONFLICT {
		t.Fatalf("to a withdrawn expenditure: %v", err)
	}
	if _, err := f.store.AddExpenditureDocuments(ctx, f.tax, e.ID, nil); taahod.ErrorCode(err) != taahod.EFORBIDDEN {
		t.Fatalf("the tax officer: %v", err)
	}
	if _, findings, err := database.VerifyAudit(ctx, f.db); err != nil || len(findings) != 0 {
		t.Fatalf("audit chain: %v %v", findings, err)
	}
}
