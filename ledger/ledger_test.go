package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

func TestMain(m *testing.M) {
	auth.BcryptCost = 4
	dbtest.Main(m)
}

var theNow = time.Date(2025, 11, 26, 10, 0, 0, 0, time.UTC)

// fixture is a store over a fresh database with one unit, its accountant,
// a tax officer, a school and a pledge.
type fixture struct {
	t          *testing.T
	db         *database.DB
	store      *ledger.Store
	accountant taahod.Actor
	tax        taahod.Actor
	unit       registry.Unit
	school     ledger.School
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := dbtest.New(t)
	db.Now = func() time.Time { return theNow }
	ctx := context.Background()
	unit, err := registry.NewStore(db).CreateUnit(ctx, taahod.System, registry.NewUnit{
		Name: "فولاد", NationalID: taahod.MakeLegalEntityID("1010234567"), County: "قزوین"})
	if err != nil {
		t.Fatal(err)
	}
	users := auth.NewStore(db)
	acc, err := users.CreateUser(ctx, taahod.System, auth.NewUser{Username: "acc", Password: "password-of-acc", Role: taahod.RoleAccountant, UnitIDs: []int64{unit.ID}})
	if err != nil {
		t.Fatal(err)
	}
	tax, err := users.CreateUser(ctx, taahod.System, auth.NewUser{Username: "tax", Password: "password-of-tax", Role: taahod.RoleTaxOfficer})
	if err != nil {
		t.Fatal(err)
	}
	store := ledger.NewStore(db)
	school, err := store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: "دبستان", Kind: ledger.KindSchool, County: "قزوین"})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, db: db, store: store, accountant: acc.Actor(), tax: tax.Actor(), unit: unit, school: school}
}

func (f *fixture) pledge(amount string) ledger.Pledge {
	f.t.Helper()
	on := "2025-05-01"
	p, err := f.store.CreatePledge(context.Background(), taahod.System, ledger.NewPledge{
		UnitID: f.unit.ID, SchoolID: f.school.ID, Amount: json.RawMessage(`"` + amount + `"`), PledgedOn: &on})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

// evidence attaches a scan to an expenditure, as an approval needs.
// checkSubmittedTotal fails the test unless the pledge's running submitted
// total is want and verify re-derives every pledge's total as stored.
func (f *fixture) checkSubmittedTotal(pledgeID int64, want string) {
	f.t.Helper()
	ctx := context.Background()
	got, err := f.store.FindPledge(ctx, f.tax, pledgeID)
	if err != nil || got.SubmittedTotal.String() != want {
		f.t.Fatalf("submitted_total %s, want %s (%v)", got.SubmittedTotal, want, err)
	}
	if _, findings, err := ledger.VerifySubmittedTotals(ctx, f.db); err != nil || len(findings) != 0 {
		f.t.Fatalf("verify: %v %v", findings, err)
	}
}

func (f *fixture) evidence(id int64) {
	f.t.Helper()
	if _, _, err := f.store.AddExpenditureDocument(context.Background(), f.accountant, id, ledger.NewDocument{
		Name: "scan.pdf", Content: []byte(fmt.Sprintf("%%PDF-1.4 scan of %d", id))}); err != nil {
		f.t.Fatal(err)
	}
}

func newExpenditure(pledge int64, amount, invoice string) ledger.NewExpenditure {
	on := "2025-10-01"
	return ledger.NewExpenditure{PledgeID: pledge, Amount: json.RawMessage(`"` + amount + `"`), SpentOn: &on,
		InvoiceNo: invoice, VendorName: "فروشنده", Category: ledger.CategoryConstruction}
}

// TestConcurrentSubmissionsFlagExactly submits many expenditures to one
// pledge at once: the running total must end at their sum, and exactly
// those submitted after the total reached the pledge must be flagged.
func TestConcurrentSubmissionsFlagExactly(t *testing.T) {
	f := newFixture(t)
	p := f.pledge("1000")
	const n = 24
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		flagged int
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := f.store.SubmitExpenditure(context.Background(), f.accountant, newExpenditure(p.ID, "100", fmt.Sprintf("C-%d", i)))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if e.ExceedsPledge {
				flagged++
			}
		}()
	}
	wg.Wait()
	if flagged != n-10 {
		t.Fatalf("%d flagged, want %d", flagged, n-10)
	}
	got, err := f.store.FindPledge(context.Background(), f.tax, p.ID)
	if err != nil || got.SubmittedTotal.String() != "2400" || got.Status != ledger.PledgeInProgress {
		t.Fatalf("pledge %+v %v", got, err)
	}
	if _, findings, err := ledger.VerifySubmittedTotals(context.Background(), f.db); err != nil || len(findings) != 0 {
		t.Fatalf("totals: %v %v", findings, err)
	}
	if _, findings, err := database.VerifyAudit(context.Background(), f.db); err != nil || len(findings) != 0 {
		t.Fatalf("audit chain: %v %v", findings, err)
	}
}

// TestSubmittedTotalsFollowEveryChange checks the running total against its
// derivation after each kind of change, and that verify sees a total changed
// behind the application's back.
func TestSubmittedTotalsFollowEveryChange(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pledge("1000")
	check := func(want string) { t.Helper(); f.checkSubmittedTotal(p.ID, want) }
	a, _ := f.store.SubmitExpenditure(ctx, f.accountant, newExpenditure(p.ID, "300", "T-1"))
	b, _ := f.store.SubmitExpenditure(ctx, f.accountant, newExpenditure(p.ID, "200", "T-2"))
	c, _ := f.store.SubmitExpenditure(ctx, f.accountant, newExpenditure(p.ID, "100", "T-3"))
	check("600")
	amount := taahod.Optional[json.RawMessage]{Set: true, Value: json.RawMessage(`"350.5"`)}
	if _, err := f.store.UpdateExpenditure(ctx, f.accountant, a.ID, ledger.ExpenditurePatch{Amount: amount}); err != nil {
		t.Fatal(err)
	}
	check("650.5")
	if _, err := f.store.WithdrawExpenditure(ctx, f.accountant, b.ID, nil); err != nil {
		t.Fatal(err)
	}
	check("450.5")
	reason := "نامعتبر"
	if _, err := f.store.Review(ctx, f.tax, c.ID, ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason}); err != nil {
		t.Fatal(err)
	}
	check("350.5")
	f.evidence(a.ID)
	if _, err := f.store.Review(ctx, f.tax, a.ID, ledger.ReviewInput{Decision: ledger.DecisionApprove, ApprovedAmount: json.RawMessage(`"100"`), Reason: &reason}); err != nil {
		t.Fatal(err)
	}
	check("350.5")

	if _, err := f.db.Exec(`UPDATE pledges SET submitted_total = 1 WHERE id = $1`, p.ID); err != nil {
		t.Fatal(err)
	}
	_, findings, err := ledger.VerifySubmittedTotals(ctx, f.db)
	if err != nil || len(findings) != 1 || findings[0].Subject != fmt.Sprintf("pledge %d", p.ID) {
		t.Fatalf("tampered total: %v %v", findings, err)
	}
}

// TestReviewRacesWithUpload runs a review and an upload of evidence at the
// same time, many times: either the upload lands before the review, or it is
// refused because the expenditure is reviewed; never both a review and a
// later document. Every other round the expenditure has no document before
// the race, so the approval also races the first evidence: it either sees
// the document or is refused with evidence_required, and never approves an
// expenditure without one.
func TestReviewRacesWithUpload(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pledge("100000")
	for i := range 15 {
		e, err := f.store.SubmitExpenditure(ctx, f.accountant, newExpenditure(p.ID, "10", fmt.Sprintf("R-%d", i)))
		if err != nil {
			t.Fatal(err)
		}
		first := i%2 == 0
		if !first {
			f.evidence(e.ID)
		}
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, err := f.store.Review(ctx, f.tax, e.ID, ledger.ReviewInput{Decision: ledger.DecisionApprove})
			if err != nil && !(first && taahod.ErrorCode(err) == ledger.EEVIDENCEREQUIRED) {
				t.Error(err)
			}
		}()
		go func() {
			defer wg.Done()
			_, _, err := f.store.AddExpenditureDocument(ctx, f.accountant, e.ID, ledger.NewDocument{Name: "a.pdf", Content: []byte("%PDF-1.4 " + fmt.Sprint(i))})
			if err != nil && taahod.ErrorCode(err) != taahod.ECONFLICT {
				t.Error(err)
			}
		}()
		wg.Wait()
		var late int
		if err := f.db.Get(&late, `SELECT count(*) FROM expenditure_documents d JOIN expenditures e ON e.id = d.expenditure_id
			WHERE e.id = $1 AND d.created_at > e.reviewed_at`, e.ID); err != nil || late != 0 {
			t.Fatalf("document after review: %d %v", late, err)
		}
		var bare int
		if err := f.db.Get(&bare, `SELECT count(*) FROM expenditures e WHERE e.id = $1 AND e.status = 'approved'
			AND NOT EXISTS (SELECT 1 FROM expenditure_documents d WHERE d.expenditure_id = e.id)`, e.ID); err != nil || bare != 0 {
			t.Fatalf("approved without evidence: %d %v", bare, err)
		}
	}
}

func TestNormaliseText(t *testing.T) {
	for in, want := range map[string]string{
		"شركت كاشي":            "شرکت کاشی",
		"  نان‌آوران   قزوین ": "نان آوران قزوین",
		"INV-۰۰۱":              "inv-001",
		"inv-٠٠١":              "inv-001",
		"مـــصالح":             "مصالح",
		"مُصالِح":              "مصالح",
		"A\u200bB":             "a b",
		"":                     "",
	} {
		if got := ledger.NormaliseText(in); got != want {
			t.Errorf("NormaliseText(%q) = %q, want %q", in, got, want)
		}
	}
	nid := "10102345678"
	if ledger.VendorKey("x", &nid) != "nid:10102345678" || ledger.VendorKey("شركت", nil) != "name:شرکت" {
		t.Error("VendorKey")
	}
}

func TestDetectContentType(t *testing.T) {
	for name, tc := range map[string]struct {
		content []byte
		want    string
	}{
		"pdf":         {[]byte("%PDF-1.7\n..."), ledger.TypePDF},
		"png":         {[]byte("\x89PNG\r\n\x1a\n...."), ledger.TypePNG},
		"jpeg":        {[]byte("\xff\xd8\xff\xe1...."), ledger.TypeJPEG},
		"pdf late":    {[]byte(" %PDF-1.7"), ""},
		"png damaged": {[]byte("\x89PNG\r\n\x1a"), ""},
		"text":        {[]byte("hello"), ""},
		"empty":       {nil, ""},
		"svg":         {[]byte("<svg xmlns='http://www.w3.org/2000/svg'/>"), ""},
	} {
		if got := ledger.DetectContentType(tc.content); got != tc.want {
			t.Errorf("%s: %q, want %q", name, got, tc.want)
		}
	}
}
