package registry_test

import (
	"context"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/registry"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// fixture records, through the store, a formal session of 1404/02/10 with
// resolutions of two categories: one implemented, one in follow-up past its
// deadline for a confidential unit, one cancelled; and one of 1403.
func fixture(t *testing.T) (*registry.Store, *database.DB) {
	t.Helper()
	db := dbtest.New(t)
	s := registry.NewStore(db)
	ctx := context.Background()
	unit, err := s.CreateUnit(ctx, taahod.System, registry.NewUnit{Name: "واحد محرمانه", NationalID: taahod.MakeLegalEntityID("1010234567"), County: "قزوین"})
	if err != nil {
		t.Fatal(err)
	}
	session, err := s.CreateSession(ctx, taahod.System, registry.NewSession{Kind: registry.KindFormal, HeldOnJalali: "1404/02/10"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct {
		category, status, deadline string
		confidential               bool
	}{
		{"banking", registry.StatusImplemented, "", false},
		{"banking", registry.StatusInFollowUp, "1404/03/01", true},
		{"gas", registry.StatusCancelled, "1404/03/01", false},
	} {
		res, err := s.CreateResolution(ctx, taahod.System, registry.NewResolution{SessionID: &session.ID, UnitID: &unit.ID, Text: "متن",
			Category: r.category, Agencies: []string{"شرکت گاز"}, DeadlineJalali: r.deadline, Confidential: r.confidential})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ChangeStatus(ctx, taahod.System, res.ID, registry.StatusChange{Status: r.status, OnJalali: "1404/02/20"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.CreateResolution(ctx, taahod.System, registry.NewResolution{Text: "سال قبل", Category: "tax",
		Agencies: []string{"مالیات"}, AdoptedOnJalali: "1403/12/30", DeadlineJalali: "1404/01/10"}); err != nil {
		t.Fatal(err)
	}
	return s, db
}

// TestYearReport: what the yearly report PDF reads, in one call.
func TestYearReport(t *testing.T) {
	s, _ := fixture(t)
	rep, err := s.YearReport(context.Background(), registry.Public(), 1404)
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Figures
	if f.Resolutions.Total != 3 || f.Resolutions.Implemented != 1 || f.ImplementationRate.Denominator != 2 ||
		f.ImplementationRate.Value.String() != "0.5" || f.Sessions.Formal != 1 {
		t.Fatalf("figures: %+v", f)
	}
	if len(rep.ByCategory) != len(registry.Categories) || rep.ByCategory[0].Category != "banking" || rep.ByCategory[0].Title != "بانکی" {
		t.Fatalf("by category: %+v", rep.ByCategory)
	}
	sum := 0
	for _, c := range rep.ByCategory {
		sum += c.Statuses.Total
		switch c.Category {
		case "banking":
			if c.Statuses.Total != 2 || c.Statuses.Implemented != 1 || c.Statuses.InFollowUp != 1 {
				t.Fatalf("banking: %+v", c.Statuses)
			}
		case "gas":
			if c.Statuses.Total != 1 || c.Statuses.Cancelled != 1 {
				t.Fatalf("gas: %+v", c.Statuses)
			}
		}
	}
	if sum != f.Resolutions.Total {
		t.Fatalf("categories sum to %d of %d", sum, f.Resolutions.Total)
	}
	od := rep.Overdue
	if len(od.Agencies) != 1 || od.Agencies[0].Agency != "شرکت گاز" || od.Agencies[0].Count != 1 || od.Resolutions != 1 || *od.Year != 1404 {
		t.Fatalf("overdue: %+v", od)
	}
	o := od.Agencies[0].Resolutions[0]
	if o.UnitName != nil || !o.UnitWithheld || o.DeadlineJalali != "1404/03/01" || o.Text != "متن" || o.DaysOverdue <= 0 {
		t.Fatalf("an overdue confidential resolution in the published report: %+v", o)
	}
	signed, err := s.YearReport(context.Background(), registry.SignedIn(taahod.System), 1404)
	if err != nil || signed.Overdue.Agencies[0].Resolutions[0].UnitName == nil {
		t.Fatalf("signed-in report withholds the unit: %v", err)
	}
	if _, err := s.YearReport(context.Background(), registry.Public(), 99999); taahod.ErrorCode(err) != taahod.EINVALID {
		t.Fatalf("year 99999: %v", err)
	}
}

func TestFiguresOfAnEmptyYear(t *testing.T) {
	s, _ := fixture(t)
	f, err := s.Figures(context.Background(), 1399)
	if err != nil {
		t.Fatal(err)
	}
	if f.Resolutions.Total != 0 || f.Sessions.Total != 0 || f.ImplementationRate.Value != nil || f.ImplementationRate.Denominator != 0 {
		t.Fatalf("%+v", f)
	}
}

// TestVerify: a status changed behind the application's back is found.
func TestVerify(t *testing.T) {
	s, db := fixture(t)
	ctx := context.Background()
	if _, findings, err := registry.Verify(ctx, s.DB); err != nil || len(findings) != 0 {
		t.Fatalf("clean books: %v %v", findings, err)
	}
	if _, err := db.Exec(`UPDATE resolutions SET status = 'notified', status_changed_on = NULL WHERE id = 1`); err != nil {
		t.Fatal(err)
	}
	summary, findings, err := registry.Verify(ctx, s.DB)
	if err != nil || len(findings) != 1 || findings[0].Subject != "resolution 1" || !strings.Contains(findings[0].Problem, "implemented") {
		t.Fatalf("%s: %v %v", summary, findings, err)
	}
}
