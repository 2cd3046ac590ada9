package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// TestAddProgressWithDocuments keeps a report and its photos together: a
// refused file, or a report the timeline refuses, keeps nothing at all.
func TestAddProgressWithDocuments(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	png := ledger.NewDocument{Name: "site.png", Content: []byte("\x89PNG\r\n\x1a\n site")}
	pdf := ledger.NewDocument{Name: "minutes.pdf", Content: []byte("%PDF-1.4 minutes")}
	text := ledger.NewDocument{Name: "notes.txt", Content: []byte("just text")}
	report := func(percent int, on string, note string) ledger.NewProgress {
		in := ledger.NewProgress{Milestone: "اسکلت", Percent: &percent, ReportedOn: &on}
		if note != "" {
			in.Note = &note
		}
		return in
	}
	count := func() (reports, docs int) {
		t.Helper()
		if err := f.db.GetContext(ctx, &reports, `SELECT count(*) FROM school_progress`); err != nil {
			t.Fatal(err)
		}
		if err := f.db.GetContext(ctx, &docs, `SELECT count(*) FROM school_progress_documents`); err != nil {
			t.Fatal(err)
		}
		return reports, docs
	}
	audit := auditCount(t, f.db)
	_, err := f.store.AddProgressWithDocuments(ctx, taahod.System, f.school.ID, report(30, "2025-05-01", ""), []ledger.NewDocument{png, text})
	var te *taahod.Error
	if taahod.ErrorCode(err) != taahod.EUNSUPPORTEDMEDIA || !errors.As(err, &te) || te.Fields[0].Field != "documents" {
		t.Fatalf("a text file: %v", err)
	}
	if r, d := count(); r != 0 || d != 0 || auditCount(t, f.db) != audit {
		t.Fatalf("a refused file left %d reports, %d documents", r, d)
	}

	r, err := f.store.AddProgressWithDocuments(ctx, taahod.System, f.school.ID, report(30, "2025-05-01", ""), []ledger.NewDocument{png, pdf, png})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Documents) != 2 || r.SchoolStatus != ledger.SchoolUnderConstruction {
		t.Fatalf("report %+v", r)
	}
	// The timeline's rules refuse a lower percent without a note: the
	// photo sent with it is not kept either.
	_, err = f.store.AddProgressWithDocuments(ctx, taahod.System, f.school.ID, report(20, "2025-05-02", ""),
		[]ledger.NewDocument{{Name: "other.pdf", Content: []byte("%PDF-1.4 other")}})
	if !errors.As(err, &te) || te.Code != taahod.EINVALID || te.Fields[0].Field != "note" {
		t.Fatalf("lower without a note: %v", err)
	}
	if r, d := count(); r != 1 || d != 2 {
		t.Errorf("after a refused report: %d reports, %d documents, want 1 and 2", r, d)
	}
	timeline, err := f.store.SchoolProgress(ctx, f.school.ID)
	if err != nil || len(timeline) != 1 || len(timeline[0].Documents) != 2 {
		t.Fatalf("timeline %+v %v", timeline, err)
	}
}

// TestSchoolOverview counts schools by status and county (the county
// folded: «قزوين» is «قزوین») and lists the pledges whose due date passed
// while their school is not completed.
func TestSchoolOverview(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other, err := f.store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: "هنرستان", Kind: ledger.KindSchool, County: "قزوين"})
	if err != nil {
		t.Fatal(err)
	}
	pledge := func(school int64, on, due string) ledger.Pledge {
		t.Helper()
		in := ledger.NewPledge{UnitID: f.unit.ID, SchoolID: school, Amount: json.RawMessage(`"1000"`), PledgedOn: &on}
		if due != "" {
			in.DueOn = &due
		}
		p, err := f.store.CreatePledge(ctx, taahod.System, in)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	today := taahod.Today(theNow)
	past := today.AddDays(-10).String()
	overdue := pledge(f.school.ID, today.AddDays(-100).String(), past)
	pledge(f.school.ID, today.AddDays(-100).String(), today.AddDays(10).String()) // not yet due
	pledge(f.school.ID, today.AddDays(-100).String(), "")                         // no term
	done := pledge(other.ID, today.AddDays(-100).String(), past)
	full := 100
	on := today.AddDays(-1).String()
	if _, err := f.store.AddProgress(ctx, taahod.System, other.ID, ledger.NewProgress{Milestone: "پایان", Percent: &full, ReportedOn: &on}); err != nil {
		t.Fatal(err)
	}
	o, err := f.store.SchoolOverview(ctx, taahod.System)
	if err != nil {
		t.Fatal(err)
	}
	if o.Total != 2 || len(o.ByStatus) != 2 || len(o.ByCounty) != 1 || o.ByCounty[0].Count != 2 {
		t.Errorf("counts %+v", o)
	}
	if len(o.Overdue) != 1 || o.Overdue[0].PledgeID != overdue.ID {
		t.Errorf("overdue %+v, want pledge %d only (not %d, its school completed)", o.Overdue, overdue.ID, done.ID)
	}
}
