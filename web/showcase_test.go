package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/certificate"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/notify"
	"github.com/taahod/taahod/registry"
)

// showcase is a small province like the demo's (cmd/taahod/demo*.go, which
// tests of this package cannot import): a person of every role, the unit
// accountant's two units and another unit, schools, pledges, expenditures
// in every state of review with a PDF and a photo attached, the 1404
// offset policy, a unit-year assessed and offset, and its certificate. The
// pages of the table (pages_table_test.go) are opened on it, so that each
// shows what it shows in use, not an empty state.
type showcase struct {
	*env
	// ids fills the placeholders of the table's paths: "{expenditure}" is
	// ids["expenditure"].
	ids map[string]string
}

// The showcase's people: each signs in with "password-of-" + username.
var showcaseUsers = []struct {
	username, fullName string
	role               taahod.Role
}{
	{"accountant", "مریم رضایی", taahod.RoleAccountant},
	{"tax", "رضا کریمی", taahod.RoleTaxOfficer},
	{"education", "زهرا احمدی", taahod.RoleEducationOfficer},
	{"secretariat", "علی محمدی", taahod.RoleSecretariat},
	{"auditor", "حسین نوری", taahod.RoleAuditor},
	{"admin", "مدیر سامانه", taahod.RoleAdmin},
}

// usernameOf is the showcase's user of role.
func usernameOf(t testing.TB, role taahod.Role) string {
	for _, u := range showcaseUsers {
		if u.role == role {
			return u.username
		}
	}
	t.Fatalf("the showcase has no user of role %q", role)
	return ""
}

func newShowcase(t *testing.T) *showcase {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	s := &showcase{env: e, ids: map[string]string{}}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("showcase: %s: %v", what, err)
		}
	}

	steel := e.mustCreateUnit("شرکت فولاد البرز", "1010234567")
	cement := e.mustCreateUnit("شرکت سیمان قزوین", "1010765432")
	pharma := e.mustCreateUnit("داروسازی شفا", "1010555444")
	actors := map[taahod.Role]taahod.Actor{}
	for _, u := range showcaseUsers {
		var units []int64
		if u.role == taahod.RoleAccountant {
			units = []int64{steel.ID, cement.ID}
		}
		actors[u.role] = e.mustCreateUser(u.username, u.fullName, u.role, units...).Actor()
	}
	other := e.mustCreateUser("pharma", "سارا کاظمی", taahod.RoleAccountant, pharma.ID).Actor()
	acc, tax := actors[taahod.RoleAccountant], actors[taahod.RoleTaxOfficer]
	s.ids["unit"] = fmt.Sprint(steel.ID)
	s.ids["user"] = fmt.Sprint(acc.UserID)
	// The tax administration's endpoint hears of the reviews below (its
	// deliveries wait: no worker runs in the tests).
	desc := "سامانه اداره کل امور مالیاتی"
	hook, _, hookErr := notify.Webhooks{DB: e.db}.Create(context.Background(), actors[taahod.RoleAdmin], notify.NewEndpoint{
		URL: "https://tax.example/taahod-events", EventTypes: []string{notify.ExpenditureReviewed, notify.CertificateIssued}, Description: &desc})
	if hookErr != nil {
		t.Fatalf("showcase: webhook: %v", hookErr)
	}
	s.ids["webhook"] = fmt.Sprint(hook.ID)

	store := ledger.NewStore(e.db)
	var schools []ledger.School
	for _, sc := range []struct{ name, kind, county string }{
		{"دبستان ۱۲ کلاسه شهید رجایی", ledger.KindSchool, "البرز"},
		{"هنرستان فنی‌وحرفه‌ای تاکستان", ledger.KindEducationalCenter, "تاکستان"},
		{"دبیرستان دخترانه فرزانگان آبیک", ledger.KindSchool, "آبیک"},
		{"دبستان ۶ کلاسه آوج", ledger.KindSchool, "آوج"},
	} {
		school, err := store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: sc.name, Kind: sc.kind, County: sc.county})
		must("school", err)
		schools = append(schools, school)
	}
	var pledges []ledger.Pledge
	for _, p := range []struct {
		unit            int64
		school          int
		amount, on, due string
	}{
		{steel.ID, 0, "60000000000", "1403/05/10", "1404/06/31"},
		{steel.ID, 1, "25000000000", "1404/03/01", "1405/12/29"},
		{cement.ID, 2, "35000000000", "1404/02/20", ""},
		{cement.ID, 3, "12000000000", "1404/04/10", "1405/06/31"},
		{pharma.ID, 3, "8000000000", "1404/05/05", ""},
	} {
		in := ledger.NewPledge{UnitID: p.unit, SchoolID: schools[p.school].ID, Amount: json.RawMessage(`"` + p.amount + `"`), PledgedOnJalali: &p.on}
		if p.due != "" {
			in.DueOnJalali = &p.due
		}
		pledge, err := store.CreatePledge(ctx, taahod.System, in)
		must("pledge", err)
		pledges = append(pledges, pledge)
	}
	s.ids["pledge"] = fmt.Sprint(pledges[0].ID)

	// The first school is being built: two progress reports, the second
	// with a photo, so that its page shows a timeline and a gallery.
	edu := actors[taahod.RoleEducationOfficer]
	for _, r := range []struct {
		percent       int
		on, milestone string
		note          string
		photo         bool
	}{
		{15, "1403/09/01", "گودبرداری و فونداسیون", "", false},
		{40, "1404/02/15", "اسکلت بتنی", "سقف طبقه اول بتن‌ریزی شد", true},
	} {
		percent, on := r.percent, r.on
		in := ledger.NewProgress{Milestone: r.milestone, Percent: &percent, ReportedOnJalali: &on}
		if r.note != "" {
			in.Note = &r.note
		}
		var docs []ledger.NewDocument
		if r.photo {
			docs = []ledger.NewDocument{{Name: "اسکلت.png", Content: showcasePhoto(t)}}
		}
		_, err := store.AddProgressWithDocuments(ctx, edu, schools[0].ID, in, docs)
		must("progress", err)
	}
	s.ids["school"] = fmt.Sprint(schools[0].ID)

	spend := func(actor taahod.Actor, pledge int, amount, on, category, invoice, vendor, description string) ledger.Expenditure {
		t.Helper()
		x, err := store.SubmitExpenditure(ctx, actor, ledger.NewExpenditure{PledgeID: pledges[pledge].ID,
			Amount: json.RawMessage(`"` + amount + `"`), SpentOnJalali: &on, InvoiceNo: invoice, VendorName: vendor,
			Category: category, Description: &description})
		must("expenditure "+invoice, err)
		_, _, err = store.AddExpenditureDocument(ctx, actor, x.ID, ledger.NewDocument{
			Name: "فاکتور " + invoice + ".pdf", Content: []byte("%PDF-1.4\n% invoice " + invoice + "\n")})
		must("invoice of "+invoice, err)
		return x
	}
	reason := func(s string) *string { return &s }

	approved := spend(acc, 0, "25000000000", "1404/01/15", ledger.CategoryConstruction, "1404-1187", "شرکت ساختمانی پی‌سازان قزوین", "اجرای فونداسیون و اسکلت بتنی")
	_, err := store.Review(ctx, tax, approved.ID, ledger.ReviewInput{Decision: ledger.DecisionApprove})
	must("approve", err)

	partial := spend(acc, 0, "20000000000", "1404/02/05", ledger.CategoryLand, "ث-۴۴۲", "دفتر اسناد رسمی ۱۲ البرز", "خرید زمین ضلع شمالی")
	_, _, err = store.AddExpenditureDocument(ctx, acc, partial.ID, ledger.NewDocument{Name: "عکس زمین.png", Content: showcasePhoto(t)})
	must("photo", err)
	_, err = store.Review(ctx, tax, partial.ID, ledger.ReviewInput{Decision: ledger.DecisionApprove,
		ApprovedAmount: json.RawMessage(`"16000000000"`), Reason: reason("بخشی از هزینه زمین مربوط به فضای سبز خارج از پروژه است")})
	must("approve in part", err)
	s.ids["expenditure"] = fmt.Sprint(partial.ID)

	rejected := spend(acc, 1, "3200000000", "1404/04/20", ledger.CategoryDesignSupervision, "DS-77", "مهندسین مشاور طرح نو", "نظارت عالیه")
	_, err = store.Review(ctx, tax, rejected.ID, ledger.ReviewInput{Decision: ledger.DecisionReject,
		Reason: reason("قرارداد نظارت پیش از تصویب تعهد منعقد شده و مشمول ماده ۱۷۲ نیست")})
	must("reject", err)
	s.ids["rejected"] = fmt.Sprint(rejected.ID)

	submitted := spend(acc, 2, "12750000000.50", "1404/06/01", ledger.CategoryConstruction, "1404-0931", "شرکت ساختمانی پی‌سازان قزوین", "سفت‌کاری طبقه دوم")
	s.ids["submitted"] = fmt.Sprint(submitted.ID)
	spend(acc, 3, "6000000000", "1404/07/02", ledger.CategoryEquipment, "EQ-3310", "تجهیزات آزمایشگاهی پارس", "تجهیز آزمایشگاه")
	withdrawn := spend(acc, 1, "1250000000", "1404/08/10", ledger.CategoryOther, "O-19", "چاپخانه قزوین", "تابلو و علائم")
	_, err = store.WithdrawExpenditure(ctx, acc, withdrawn.ID, reason("ثبت تکراری"))
	must("withdraw", err)
	theirs := spend(other, 4, "4800000000", "1404/08/20", ledger.CategoryEquipment, "EQ-4120", "تجهیزات آموزشی نوین", "تخته هوشمند")
	s.ids["other_unit_expenditure"] = fmt.Sprint(theirs.ID)

	var policy ledger.PolicyInput
	must("policy", json.Unmarshal([]byte(`{"mode":"credit","rate":"1","cap_amount":null,"carry_forward_years":1,
		"rounding_unit":"1","rounding":"down","eligible_categories":["land","construction","equipment","design_supervision","other"],
		"legal_basis":"ماده ۱۷۲ قانون مالیات‌های مستقیم و ترتیبات استانی کارگروه: هزینه‌کرد ساخت مدرسه به‌عنوان مالیات منظور می‌شود"}`), &policy))
	_, err = store.SetPolicy(ctx, tax, 1404, policy)
	must("policy 1404", err)
	_, err = store.Assess(ctx, tax, steel.ID, 1404, ledger.TaxYearInput{TaxDue: json.RawMessage(`"48000000000"`)})
	must("assess", err)
	_, err = store.RunOffset(ctx, tax, steel.ID, 1404)
	must("offset", err)
	s.ids["year"] = "1404"
	certs, err := certificate.NewStore(e.db, certificate.Issuer{Province: "QZV", PublicURL: "http://taahod.test", Signer: testSigner})
	must("certificates", err)
	cert, err := certs.Issue(ctx, tax, certificate.IssueInput{UnitID: steel.ID, FiscalYear: 1404})
	must("certificate", err)
	s.ids["certificate"] = cert.Serial
	s.registryRecords(t, steel.ID, cement.ID)
	s.seedSessions(t, actors[taahod.RoleSecretariat], steel.ID)
	seedPublicShowcase(t, s, actors[taahod.RoleSecretariat], steel.ID, pharma.ID)
	return s
}

// registryRecords adds the secretariat's records outside sessions: cases
// of 1404 (one confidential), a stagnant unit and a revived one; ids
// "case" (a referral of 1404).
func (s *showcase) registryRecords(t testing.TB, steel, cement int64) {
	t.Helper()
	ctx := context.Background()
	reg := registry.NewStore(s.db)
	sec := taahod.Actor{Username: "secretariat", Role: taahod.RoleSecretariat}
	for i, c := range []registry.NewCase{
		{UnitID: &steel, Channel: registry.ChannelReferralProvincial, Subject: "تأخیر در صدور پروانه بهره‌برداری", Category: "permits", OpenedOnJalali: "1404/03/12"},
		{UnitID: &cement, Channel: registry.ChannelPhone, Subject: "قطعی مکرر گاز در فصل سرما", Category: "gas", OpenedOnJalali: "1404/09/02", Outcome: registry.OutcomeResolved, ClosedOnJalali: "1404/09/10"},
		{UnitID: &steel, Channel: registry.ChannelReferralNational, Subject: "بدهی معوق به تأمین اجتماعی", Category: "social_security", OpenedOnJalali: "1404/10/05", Confidential: true},
	} {
		out, err := reg.CreateCase(ctx, sec, c)
		if err != nil {
			t.Fatalf("showcase: case %d: %v", i, err)
		}
		if i == 0 {
			s.ids["case"] = fmt.Sprint(out.ID)
		}
	}
	for _, u := range []struct{ name, id string }{{"کارخانه نساجی البرز", "1010333222"}, {"صنایع غذایی الوند", "1010444111"}} {
		unit, err := reg.CreateUnit(ctx, taahod.System, registry.NewUnit{Name: u.name, NationalID: taahod.MakeLegalEntityID(u.id),
			County: "قزوین", Status: registry.UnitStagnant})
		if err != nil {
			t.Fatalf("showcase: stagnant unit: %v", err)
		}
		if u.id == "1010444111" {
			note := "بازگشت به تولید با تسهیلات رفع موانع"
			if _, err := reg.ReviveUnit(ctx, sec, unit.ID, registry.NewRevival{RevivedOnJalali: "1404/08/15", Note: &note}); err != nil {
				t.Fatalf("showcase: revival: %v", err)
			}
		}
	}
}

// path fills the placeholders of a table's path from the showcase.
func (s *showcase) path(t testing.TB, p string) string {
	t.Helper()
	for name, v := range s.ids {
		p = strings.ReplaceAll(p, "{"+name+"}", v)
	}
	if strings.ContainsAny(p, "{}") {
		t.Fatalf("path %q names something the showcase lacks (showcase_test.go fills %v)", p, s.ids)
	}
	return p
}

// showcasePhoto is a small real PNG (a sky over a plot of land), so that a
// thumbnail shows a picture.
func showcasePhoto(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 200))
	for y := range 200 {
		for x := range 320 {
			c := color.RGBA{0x9c, 0xc9, 0xe8, 0xff}
			if y > 120 {
				c = color.RGBA{0xb0, 0x8d, 0x57, 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
