package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// BenchmarkReviewQueue times the server on the review queue page with 50
// items against the JSON endpoint behind the same data
// (GET /api/v1/reviews/queue?limit=50), both through the same handler:
//
//	scripts/dev-db exec test -- go test -run '^$' -bench ReviewQueue -benchmem ./web/
//
// The queue holds 60 expenditures of 5 units, each with a document and
// one earlier rejected round for a fifth of them, so that both answers are
// a full page with a next cursor and the page's count is not trivial.
func BenchmarkReviewQueue(b *testing.B) {
	s := newBenchService(b)
	ctx := context.Background()
	school, err := s.ledger.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: "دبستان شهید رجایی", Kind: ledger.KindSchool, County: "قزوین"})
	if err != nil {
		b.Fatal(err)
	}
	tax := s.mustUser("tax", "رضا کریمی", taahod.RoleTaxOfficer)
	token := s.signIn("tax")
	on := "2025-10-01"
	for u := range 5 {
		unit := s.mustUnit(fmt.Sprintf("واحد شماره %d", u+1), fmt.Sprintf("10102345%02d", u))
		acc := s.mustUser(fmt.Sprintf("acc%d", u), fmt.Sprintf("حسابدار %d", u+1), taahod.RoleAccountant, unit.ID)
		p, err := s.ledger.CreatePledge(ctx, taahod.System, ledger.NewPledge{UnitID: unit.ID, SchoolID: school.ID,
			Amount: json.RawMessage(`"50000000000"`), PledgedOn: &on})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 12 {
			x, err := s.ledger.SubmitExpenditure(ctx, acc, ledger.NewExpenditure{PledgeID: p.ID,
				Amount: json.RawMessage(fmt.Sprintf(`"%d"`, 1250000*(i+1))), SpentOn: &on,
				InvoiceNo: fmt.Sprintf("INV-%d-%03d", u, i), VendorName: "مصالح ساختمانی نور", Category: ledger.Categories[i%len(ledger.Categories)]})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := s.ledger.AddExpenditureDocument(ctx, acc, x.ID, ledger.NewDocument{Name: "invoice.pdf",
				Content: fmt.Appendf(nil, "%%PDF-1.4 invoice %d %d", u, i)}); err != nil {
				b.Fatal(err)
			}
			if i%5 == 0 {
				reason := "مهر فروشنده ندارد"
				if _, err := s.ledger.Review(ctx, tax, x.ID, ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason}); err != nil {
					b.Fatal(err)
				}
				if _, err := s.ledger.Resubmit(ctx, acc, x.ID); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	// Both answers hold the full page of 50.
	if n := strings.Count(s.serve(b, benchPageRequest(token, "/tax-office/queue")).Body.String(), `<a href="/tax-office/expenditures/`); n != 50 {
		b.Fatalf("the page lists %d items, want 50", n)
	}
	if n := strings.Count(s.serve(b, benchAPIRequest(token, "/api/v1/reviews/queue?limit=50")).Body.String(), `"invoice_no"`); n != 50 {
		b.Fatalf("the JSON lists %d items, want 50", n)
	}
	b.Run("page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.serve(b, benchPageRequest(token, "/tax-office/queue"))
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.serve(b, benchAPIRequest(token, "/api/v1/reviews/queue?limit=50"))
		}
	})
}
