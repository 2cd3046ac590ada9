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
	e := newBenchEnv(b)
	ctx := context.Background()
	school, err := e.ledger.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: "دبستان شهید رجایی", Kind: ledger.KindSchool, County: "قزوین"})
	if err != nil {
		b.Fatal(err)
	}
	tax, token := e.signIn("tax", taahod.RoleTaxOfficer)
	on := "2025-10-01"
	for u := range 5 {
		unit := e.unit(fmt.Sprintf("واحد شماره %d", u+1), fmt.Sprintf("10102345%02d", u))
		acc, _ := e.signIn(fmt.Sprintf("acc%d", u), taahod.RoleAccountant, unit.ID)
		p, err := e.ledger.CreatePledge(ctx, taahod.System, ledger.NewPledge{UnitID: unit.ID, SchoolID: school.ID,
			Amount: json.RawMessage(`"50000000000"`), PledgedOn: &on})
		if err != nil {
			b.Fatal(err)
		}
		for i := range 12 {
			x, err := e.ledger.SubmitExpenditure(ctx, acc, ledger.NewExpenditure{PledgeID: p.ID,
				Amount: json.RawMessage(fmt.Sprintf(`"%d"`, 1250000*(i+1))), SpentOn: &on,
				InvoiceNo: fmt.Sprintf("INV-%d-%03d", u, i), VendorName: "مصالح ساختمانی نور", Category: ledger.Categories[i%len(ledger.Categories)]})
			if err != nil {
				b.Fatal(err)
			}
			if _, _, err := e.ledger.AddExpenditureDocument(ctx, acc, x.ID, ledger.NewDocument{Name: "invoice.pdf",
				Content: fmt.Appendf(nil, "%%PDF-1.4 invoice %d %d", u, i)}); err != nil {
				b.Fatal(err)
			}
			if i%5 == 0 {
				reason := "مهر فروشنده ندارد"
				if _, err := e.ledger.Review(ctx, tax, x.ID, ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason}); err != nil {
					b.Fatal(err)
				}
				if _, err := e.ledger.Resubmit(ctx, acc, x.ID); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	// Both answers hold the full page of 50.
	if n := strings.Count(e.serve(b, e.page("/tax-office/queue", token)).Body.String(), `<a href="/tax-office/expenditures/`); n != 50 {
		b.Fatalf("the page lists %d items, want 50", n)
	}
	e.compare(b,
		func() *http.Request { return e.page("/tax-office/queue", token) },
		func() *http.Request { return e.json("/api/v1/reviews/queue?limit=50", token) })
}
