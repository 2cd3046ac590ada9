package ledger_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/internal/dbtest"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// booksNow is late enough that spending in 1401–1405 is in the past.
var booksNow = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

// books is a database with units, each with an accountant and a pledge
// large enough for any spending, a school, and a tax officer: what the
// offset tests build on, through the real stores.
type books struct {
	t       testing.TB
	db      *database.DB
	store   *ledger.Store
	tax     taahod.Actor
	units   []int64
	pledges map[int64]int64 // unit → pledge
	accts   map[int64]taahod.Actor
	invoice int
}

func newBooks(t testing.TB, units int) *books {
	t.Helper()
	db := dbtest.New(t)
	db.Now = func() time.Time { return booksNow }
	ctx := context.Background()
	b := &books{t: t, db: db, store: ledger.NewStore(db), pledges: map[int64]int64{}, accts: map[int64]taahod.Actor{}}
	users := auth.NewStore(db)
	tax, err := users.CreateUser(ctx, taahod.System, auth.NewUser{Username: "tax", Password: "password-of-tax", Role: taahod.RoleTaxOfficer})
	if err != nil {
		t.Fatal(err)
	}
	b.tax = tax.Actor()
	school, err := b.store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: "دبستان شهید رجایی", Kind: ledger.KindSchool, County: "آبیک"})
	if err != nil {
		t.Fatal(err)
	}
	on := "2022-03-21" // 1401/01/01
	for i := range units {
		u, err := registry.NewStore(db).CreateUnit(ctx, taahod.System, registry.NewUnit{
			Name: fmt.Sprintf("واحد %d", i+1), NationalID: taahod.MakeLegalEntityID(fmt.Sprintf("10%08d", 1234500+i)), County: "قزوین"})
		if err != nil {
			t.Fatal(err)
		}
		acc, err := users.CreateUser(ctx, taahod.System, auth.NewUser{Username: fmt.Sprintf("acc%d", i), Password: "password-of-acc",
			Role: taahod.RoleAccountant, UnitIDs: []int64{u.ID}})
		if err != nil {
			t.Fatal(err)
		}
		p, err := b.store.CreatePledge(ctx, taahod.System, ledger.NewPledge{UnitID: u.ID, SchoolID: school.ID,
			Amount: json.RawMessage(`"900000000000000000"`), PledgedOn: &on})
		if err != nil {
			t.Fatal(err)
		}
		b.units = append(b.units, u.ID)
		b.pledges[u.ID] = p.ID
		b.accts[u.ID] = acc.Actor()
	}
	return b
}

// spend submits an expenditure of the unit dated on (ISO), with its
// invoice's scan as evidence (an approval needs one), and returns its id.
func (b *books) spend(unit int64, on, amount, category string) int64 {
	b.t.Helper()
	b.invoice++
	ctx := context.Background()
	invoice := fmt.Sprintf("INV-%d", b.invoice)
	e, err := b.store.SubmitExpenditure(ctx, b.accts[unit], ledger.NewExpenditure{
		PledgeID: b.pledges[unit], Amount: json.RawMessage(`"` + amount + `"`), SpentOn: &on,
		InvoiceNo: invoice, VendorName: "مصالح پارس", Category: category})
	if err != nil {
		b.t.Fatalf("spend %s on %s: %v", amount, on, err)
	}
	if _, _, err := b.store.AddExpenditureDocument(ctx, b.accts[unit], e.ID, ledger.NewDocument{
		Name: invoice + ".pdf", Content: []byte("%PDF-1.4 " + invoice)}); err != nil {
		b.t.Fatalf("evidence of %s: %v", invoice, err)
	}
	return e.ID
}

// approve approves an expenditure, in full when amount is "".
func (b *books) approve(id int64, amount string) {
	b.t.Helper()
	in := ledger.ReviewInput{Decision: ledger.DecisionApprove}
	if amount != "" {
		reason := "بخشی از فاکتور پذیرفته نشد"
		in.ApprovedAmount, in.Reason = json.RawMessage(`"`+amount+`"`), &reason
	}
	if _, err := b.store.Review(context.Background(), b.tax, id, in); err != nil {
		b.t.Fatalf("approve %d: %v", id, err)
	}
}

// spendApproved submits and approves in full.
func (b *books) spendApproved(unit int64, on, amount string) int64 {
	b.t.Helper()
	id := b.spend(unit, on, amount, ledger.CategoryConstruction)
	b.approve(id, "")
	return id
}

func (b *books) policy(year int, body string) {
	b.t.Helper()
	var in ledger.PolicyInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.store.SetPolicy(context.Background(), b.tax, year, in); err != nil {
		b.t.Fatalf("policy %d: %v", year, err)
	}
}

func (b *books) assess(unit int64, year int, due, income string) error {
	in := ledger.TaxYearInput{TaxDue: json.RawMessage(`"` + due + `"`)}
	if income != "" {
		in.TaxableIncome = json.RawMessage(`"` + income + `"`)
	}
	_, err := b.store.Assess(context.Background(), b.tax, unit, year, in)
	return err
}

func (b *books) mustAssess(unit int64, year int, due, income string) {
	b.t.Helper()
	if err := b.assess(unit, year, due, income); err != nil {
		b.t.Fatalf("assess %d/%d: %v", unit, year, err)
	}
}

func (b *books) run(unit int64, year int) ledger.Statement {
	b.t.Helper()
	st, err := b.store.RunOffset(context.Background(), b.tax, unit, year)
	if err != nil {
		b.t.Fatalf("run %d/%d: %v", unit, year, err)
	}
	return st
}

func (b *books) statement(unit int64, year int) ledger.Statement {
	b.t.Helper()
	st, err := b.store.Statement(context.Background(), b.tax, unit, year)
	if err != nil {
		b.t.Fatalf("statement %d/%d: %v", unit, year, err)
	}
	return st
}

// transactions counts the ledger's transactions.
func (b *books) transactions() int {
	b.t.Helper()
	var n int
	if err := b.db.Get(&n, `SELECT count(*) FROM ledger_transactions`); err != nil {
		b.t.Fatal(err)
	}
	return n
}

// mustVerify fails the test when the books do not verify.
func (b *books) mustVerify() {
	b.t.Helper()
	_, findings, err := ledger.Verify(context.Background(), b.db)
	if err != nil {
		b.t.Fatal(err)
	}
	for _, f := range findings {
		b.t.Errorf("verify: %s", f)
	}
}

func eq(a decimal.Decimal, s string) bool { return a.Equal(decimal.RequireFromString(s)) }

// allocations renders a statement's allocations as "id:amount" in order.
func allocations(st ledger.Statement) string {
	out := ""
	for _, a := range st.Allocations {
		out += fmt.Sprintf("%d:%s ", a.ExpenditureID, a.Amount)
	}
	return out
}

const (
	deduction172 = `{"mode":"deduction","rate":"1","tax_rate":"0.25","legal_basis":"ماده ۱۷۲ قانون مالیات‌های مستقیم"}`
	creditFull   = `{"mode":"credit","rate":"1","legal_basis":"ترتیبات استانی"}`
)
