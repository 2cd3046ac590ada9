package web

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// BenchmarkAccountantHome measures the server time of the accountant's
// home with 20 pledges ("page") against the JSON endpoints behind the same
// data ("json": the units, the pledges, the rejected expenditures and
// those missing documents the page reads, one request each), both
// in-process through the same gin engine on the real database
// (bench_setup_test.go). The goal: the page at most 5 ms at the
// median on one core, and at most twice the JSON:
//
//	scripts/dev-db exec test -- go test -run '^$' -bench AccountantHome -cpu 1 -count 6 ./web/
func BenchmarkAccountantHome(b *testing.B) {
	s := newBenchService(b)
	steel, cement := s.mustUnit("شرکت فولاد البرز", "1010234567"), s.mustUnit("شرکت سیمان قزوین", "1010765432")
	acc := s.mustUser("acc", "مریم رضایی", taahod.RoleAccountant, steel.ID, cement.ID)
	tax := s.mustUser("tax", "رضا کریمی", taahod.RoleTaxOfficer)
	pledges := append(s.seedPledges(steel.ID, 12), s.seedPledges(cement.ID, 8)...)
	reason := "فاکتور مهر ندارد"
	for i, p := range pledges {
		x := s.seedExpenditure(acc, p.ID, fmt.Sprintf("INV-%d", i+1))
		if i%7 == 0 { // three of them await the accountant
			if _, err := s.ledger.Review(context.Background(), tax, x.ID, ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason}); err != nil {
				b.Fatal(err)
			}
		}
	}
	token := s.signIn("acc")

	// Both sides show the same 20 pledges, or the comparison means nothing.
	if home := s.serve(b, benchPageRequest(token, "/accountant")).Body.String(); strings.Count(home, "/accountant/expenditures?pledge_id=") != 20 {
		b.Fatalf("the home page does not list 20 pledges:\n%s", home)
	}
	if list := s.serve(b, benchAPIRequest(token, "/api/v1/pledges")).Body.String(); strings.Count(list, `"school_name"`) != 20 {
		b.Fatalf("GET /api/v1/pledges does not list 20 pledges:\n%s", list)
	}

	b.Run("page", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			s.serve(b, benchPageRequest(token, "/accountant"))
		}
	})
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			for _, path := range accountantHomeJSON {
				s.serve(b, benchAPIRequest(token, path))
			}
		}
	})
}

// accountantHomeJSON are the API's reads of what the accountant's home
// shows.
var accountantHomeJSON = []string{"/api/v1/units", "/api/v1/pledges", "/api/v1/expenditures?status=rejected",
	"/api/v1/expenditures?missing_documents=true"}
