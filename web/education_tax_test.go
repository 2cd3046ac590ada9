package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// TestEducationAndSecretariatPagesShowNoTaxFigure walks every page of the education
// officer and of the secretariat on the showcase, with a second unit-year
// assessed and offset, and fails if any tax figure of the data appears in
// the HTML, written in any of the ways a page writes numbers: the contract
// shows them a school's pledged, submitted and approved totals, never tax
// due, offsets or what is left to pay.
func TestEducationAndSecretariatPagesShowNoTaxFigure(t *testing.T) {
	s, b := eduShowcase(t)
	ctx := context.Background()
	store := ledger.NewStore(s.db)

	// The cement works' submitted expenditure (12,750,000,000.50) is
	// approved and its 1404 assessed at 7,300,000,000: the offset (the
	// whole tax) is a figure no page of the department may show.
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	x, err := store.Review(ctx, taahod.System, mustID(t, s.ids["submitted"]), ledger.ReviewInput{Decision: ledger.DecisionApprove})
	must(err)
	_, err = store.Assess(ctx, taahod.System, x.UnitID, 1404, ledger.TaxYearInput{TaxDue: json.RawMessage(`"7300000000"`)})
	must(err)
	_, err = store.RunOffset(ctx, taahod.System, x.UnitID, 1404)
	must(err)

	var figures []decimal.Decimal
	for _, unit := range []int64{mustID(t, s.ids["unit"]), x.UnitID} {
		st, err := store.Statement(ctx, taahod.System, unit, 1404)
		must(err)
		figures = append(figures, st.TaxDue, st.RemainingTax)
		if unit == x.UnitID {
			figures = append(figures, st.OffsetAmount)
		}
		// The steel works' offset (41,000,000,000) is exactly what was
		// approved of its spending on its school, a total the contract
		// shows the department; it is left out of the search for that
		// reason alone, and its tax due and remaining tax stay in.
	}
	var needles []string
	for _, d := range figures {
		if d.IsZero() {
			continue
		}
		needles = append(needles, d.String(), Number(d), PersianDigits(d.String()), d.StringFixed(2))
	}
	if len(needles) < 3*4 {
		t.Fatalf("the data has too few tax figures to search for: %v", needles)
	}

	schools, err := store.ListSchools(ctx, taahod.System, ledger.SchoolFilter{Limit: 100})
	must(err)
	paths := []string{"/education", "/education/schools", "/education/schools?status=under_construction"}
	for _, sc := range schools {
		paths = append(paths, "/education/schools/"+itoa(sc.ID))
	}
	for _, p := range everyPage {
		if p.role == taahod.RoleEducationOfficer && p.wantStatus() == http.StatusOK {
			paths = append(paths, s.path(t, p.path))
		}
	}
	secretariat := s.browser()
	secretariat.signIn(usernameOf(t, taahod.RoleSecretariat))
	var secretariatPaths []string
	for _, p := range everyPage {
		if p.role == taahod.RoleSecretariat && p.wantStatus() == http.StatusOK {
			secretariatPaths = append(secretariatPaths, s.path(t, p.path))
		}
	}
	if len(secretariatPaths) < 10 {
		t.Fatalf("only %d secretariat pages to walk", len(secretariatPaths))
	}
	walk := []struct {
		b     *browser
		paths []string
	}{{b, paths}, {secretariat, secretariatPaths}}
	for _, w := range walk {
		for _, path := range w.paths {
			searchTaxFigures(t, w.b, path, needles)
		}
	}
	// A form that comes back with errors is a page too.
	school := "/education/schools/" + s.ids["school"]
	a := b.submitFiles(school, school+"/progress", progressForm("10", "1404/05/10", ""), nil)
	for _, n := range needles {
		if strings.Contains(a.body, n) {
			t.Errorf("the report form with errors shows the tax figure %s", n)
		}
	}
}

// searchTaxFigures fails the test if the page at path, as b sees it, is
// not there or shows one of the needles.
func searchTaxFigures(t *testing.T, b *browser, path string, needles []string) {
	t.Helper()
	a := b.get(path)
	if a.status != http.StatusOK {
		t.Errorf("GET %s: %d", path, a.status)
		return
	}
	for _, n := range needles {
		if strings.Contains(a.body, n) {
			t.Errorf("%s shows the tax figure %s", path, n)
		}
	}
}
