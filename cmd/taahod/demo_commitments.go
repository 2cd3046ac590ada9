package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
)

// The commitments' demo: school projects in Qazvin's counties, the demo
// units' pledges to them in 1403 and 1404, expenditures against the pledges
// in every state of their review, and a few progress reports. Ten distinct
// schools have a pledge dated in 1404, the figure the source reports
// ("units' social commitment to build 10 schools and educational centres"),
// so the registry's schools_pledged for 1404 comes out at 10.

// demoSchools are the demo's school projects, referred to by index below.
var demoSchools = []struct {
	name, kind, county string
	classrooms         int
	cost               string
}{
	{"دبستان ۱۲ کلاسه شهید رجایی", ledger.KindSchool, "البرز", 12, "180000000000"},
	{"هنرستان فنی‌وحرفه‌ای تاکستان", ledger.KindEducationalCenter, "تاکستان", 16, "240000000000"},
	{"دبیرستان دخترانه فرزانگان آبیک", ledger.KindSchool, "آبیک", 9, "95000000000"},
	{"دبستان ۶ کلاسه روستای اسماعیل‌آباد", ledger.KindSchool, "بوئین‌زهرا", 6, "48000000000"},
	{"مدرسه ۹ کلاسه شهید باقری", ledger.KindSchool, "قزوین", 9, "110000000000"},
	{"مرکز آموزشی استعدادهای درخشان قزوین", ledger.KindEducationalCenter, "قزوین", 14, "210000000000"},
	{"دبستان ۶ کلاسه آوج", ledger.KindSchool, "آوج", 6, "52000000000"},
	{"دبیرستان پسرانه محمدیه", ledger.KindSchool, "البرز", 12, "150000000000"},
	{"هنرستان کشاورزی بوئین‌زهرا", ledger.KindEducationalCenter, "بوئین‌زهرا", 10, "130000000000"},
	{"دبستان ۸ کلاسه اقبالیه", ledger.KindSchool, "قزوین", 8, "76000000000"},
	{"مدرسه ۳ کلاسه روستای خاکعلی", ledger.KindSchool, "آبیک", 3, "21000000000"},
	{"دبستان ۱۰ کلاسه شال", ledger.KindSchool, "بوئین‌زهرا", 10, "98000000000"},
}

// demoPledges: unit (index into demoUnits), school (index into
// demoSchools), amount, Solar Hijri dates.
var demoPledges = []struct {
	unit, school    int
	amount, on, due string
}{
	{0, 0, "60000000000", "1403/05/10", "1404/06/31"},
	{1, 10, "15000000000", "1403/09/20", ""},
	{0, 0, "40000000000", "1404/02/15", ""},
	{1, 1, "25000000000", "1404/03/01", ""},
	{3, 2, "35000000000", "1404/02/20", ""},
	{3, 3, "12000000000", "1404/04/10", ""},
	{2, 4, "20000000000", "1404/01/25", ""},
	{4, 5, "8000000000", "1404/05/05", ""},
	{0, 6, "18000000000", "1404/06/12", "1404/08/15"},
	{1, 7, "22000000000", "1404/03/18", ""},
	{4, 8, "9500000000", "1404/07/01", ""},
	{3, 9, "14000000000", "1404/07/20", ""},
	{2, 0, "10000000000", "1404/04/01", ""},
}

// demoExpenditures: the accountant who submits, the pledge (index into
// demoPledges), what was spent, and the tax office's decision: "" leaves it
// submitted; "approve", "partial:AMOUNT", "reject", "withdraw", or
// "resubmit:AMOUNT" (rejected, corrected to AMOUNT and resubmitted: back in
// the queue with its first round of review).
var demoExpenditures = []struct {
	accountant, pledge      int // accountant: index into demoUsers
	amount, on, category    string
	invoice, vendor, vendID string
	description, decision   string
}{
	{2, 0, "25000000000", "1403/08/15", ledger.CategoryConstruction, "1403-1187", "شرکت ساختمانی پی‌سازان قزوین", taahod.MakeLegalEntityID("1086543210"), "اجرای فونداسیون و اسکلت بتنی", "approve"},
	{2, 0, "20000000000", "1403/11/05", ledger.CategoryLand, "ث-۴۴۲", "دفتر اسناد رسمی ۱۲ البرز", "", "خرید زمین ضلع شمالی", "partial:16000000000"},
	{2, 0, "8500000000", "1404/02/01", ledger.CategoryEquipment, "EQ-2291", "تجهیزات آموزشی نوین", "", "میز و نیمکت ۱۲ کلاس", "approve"},
	{2, 1, "15000000000", "1403/12/10", ledger.CategoryConstruction, "1403-2210", "پیمانکاری البرز سازه", "", "ساخت کامل سه کلاس", "approve"},
	{2, 2, "3200000000", "1404/04/20", ledger.CategoryDesignSupervision, "DS-77", "مهندسین مشاور طرح نو", "", "نظارت عالیه", "reject"},
	{2, 2, "12750000000.50", "1404/06/01", ledger.CategoryConstruction, "1404-0931", "شرکت ساختمانی پی‌سازان قزوین", taahod.MakeLegalEntityID("1086543210"), "سفت‌کاری طبقه دوم", ""},
	{2, 3, "9000000000", "1404/05/10", ledger.CategoryConstruction, "T-5510", "مصالح ساختمانی تاکستان", "", "آجر، سیمان و میلگرد", ""},
	{3, 4, "30000000000", "1404/03/15", ledger.CategoryLand, "L-1404-12", "اداره کل راه و شهرسازی", "", "تملک زمین", "approve"},
	{3, 4, "6000000000", "1404/07/02", ledger.CategoryEquipment, "EQ-3310", "تجهیزات آزمایشگاهی پارس", "", "تجهیز آزمایشگاه", ""},
	{2, 9, "1250000000", "1404/08/10", ledger.CategoryOther, "O-19", "چاپخانه قزوین", "", "تابلو و علائم", "withdraw"},
	{2, 2, "4800000000", "1404/08/20", ledger.CategoryEquipment, "EQ-4120", "تجهیزات آموزشی نوین", "", "تخته هوشمند ۹ کلاس", "resubmit:4500000000"},
}

// demoProgress: school (index), kind, milestone, percent, date, note.
var demoProgress = []struct {
	school          int
	kind, milestone string
	percent         int
	on, note        string
}{
	{10, ledger.ProgressReport, "پی‌کنی و فونداسیون", 35, "1403/10/01", ""},
	{10, ledger.ProgressReport, "پایان ساخت", 100, "1404/01/28", ""},
	{10, ledger.ProgressHandover, "تحویل به آموزش و پرورش", 100, "1404/02/10", "تحویل با حضور فرماندار آبیک"},
	{0, ledger.ProgressReport, "اسکلت بتنی", 45, "1404/01/20", ""},
	{0, ledger.ProgressInspection, "بازدید ناظر", 40, "1404/03/05", "بازبینی پس از اصلاح دیوار جنوبی"},
	{0, ledger.ProgressReport, "سفت‌کاری", 70, "1404/07/15", ""},
	{2, ledger.ProgressReport, "خاک‌برداری", 15, "1404/05/01", ""},
	{4, ledger.ProgressReport, "فونداسیون", 30, "1404/06/20", ""},
}

func loadDemoSchools(ctx context.Context, d *demo) error {
	store := ledger.NewStore(d.db)
	for _, s := range demoSchools {
		n := s.classrooms
		_, err := store.CreateSchool(ctx, taahod.System, ledger.NewSchool{Name: s.name, Kind: s.kind, County: s.county,
			Classrooms: &n, EstimatedCost: json.RawMessage(`"` + s.cost + `"`)})
		if err != nil {
			return fmt.Errorf("school %s: %w", s.name, err)
		}
	}
	return nil
}

func loadDemoPledges(ctx context.Context, d *demo) error {
	store := ledger.NewStore(d.db)
	for _, p := range demoPledges {
		unit, err := d.unitID(ctx, p.unit)
		if err != nil {
			return err
		}
		school, err := d.schoolID(ctx, p.school)
		if err != nil {
			return err
		}
		in := ledger.NewPledge{UnitID: unit, SchoolID: school, Amount: json.RawMessage(`"` + p.amount + `"`), PledgedOnJalali: &p.on}
		if p.due != "" {
			due := p.due
			in.DueOnJalali = &due
		}
		if _, err := store.CreatePledge(ctx, taahod.System, in); err != nil {
			return fmt.Errorf("pledge of %s to %s: %w", demoUnits[p.unit].Name, demoSchools[p.school].name, err)
		}
	}
	return nil
}

func loadDemoExpenditures(ctx context.Context, d *demo) error {
	store := ledger.NewStore(d.db)
	tax, err := d.actor(ctx, "tax")
	if err != nil {
		return err
	}
	for i, x := range demoExpenditures {
		acc, err := d.actor(ctx, demoUsers[x.accountant].username)
		if err != nil {
			return err
		}
		pledge, err := d.pledgeID(ctx, x.pledge)
		if err != nil {
			return err
		}
		on, desc := x.on, x.description
		in := ledger.NewExpenditure{PledgeID: pledge, Amount: json.RawMessage(`"` + x.amount + `"`), SpentOnJalali: &on,
			InvoiceNo: x.invoice, VendorName: x.vendor, Category: x.category, Description: &desc}
		if x.vendID != "" {
			id := x.vendID
			in.VendorNationalID = &id
		}
		e, err := store.SubmitExpenditure(ctx, acc, in)
		if err != nil {
			return fmt.Errorf("expenditure %s: %w", x.invoice, err)
		}
		if _, _, err := store.AddExpenditureDocument(ctx, acc, e.ID, ledger.NewDocument{
			Name: "فاکتور " + x.invoice + ".pdf", Content: demoInvoicePDF(i, x.invoice, x.amount)}); err != nil {
			return fmt.Errorf("invoice of %s: %w", x.invoice, err)
		}
		if err := decideDemo(ctx, store, acc, tax, e.ID, x.decision); err != nil {
			return fmt.Errorf("review of %s: %w", x.invoice, err)
		}
	}
	return nil
}

func decideDemo(ctx context.Context, store *ledger.Store, acc, tax taahod.Actor, id int64, decision string) error {
	var err error
	switch {
	case decision == "":
	case decision == "approve":
		_, err = store.Review(ctx, tax, id, ledger.ReviewInput{Decision: ledger.DecisionApprove})
	case decision == "reject":
		reason := "قرارداد نظارت پیش از تصویب تعهد منعقد شده و مشمول ماده ۱۷۲ نیست"
		_, err = store.Review(ctx, tax, id, ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason})
	case decision == "withdraw":
		reason := "ثبت تکراری"
		_, err = store.WithdrawExpenditure(ctx, acc, id, &reason)
	case strings.HasPrefix(decision, "resubmit:"):
		reason := "مبلغ فاکتور با پیش‌فاکتور پیوست همخوانی ندارد"
		if _, err = store.Review(ctx, tax, id, ledger.ReviewInput{Decision: ledger.DecisionReject, Reason: &reason}); err != nil {
			return err
		}
		amount := taahod.Optional[json.RawMessage]{Set: true, Value: json.RawMessage(`"` + strings.TrimPrefix(decision, "resubmit:") + `"`)}
		if _, err = store.UpdateExpenditure(ctx, acc, id, ledger.ExpenditurePatch{Amount: amount}); err != nil {
			return err
		}
		_, err = store.Resubmit(ctx, acc, id)
	case len(decision) > len("partial:") && decision[:len("partial:")] == "partial:":
		reason := "بخشی از هزینه زمین مربوط به فضای سبز خارج از پروژه است"
		_, err = store.Review(ctx, tax, id, ledger.ReviewInput{Decision: ledger.DecisionApprove,
			ApprovedAmount: json.RawMessage(`"` + decision[len("partial:"):] + `"`), Reason: &reason})
	default:
		err = fmt.Errorf("unknown decision %q", decision)
	}
	return err
}

func loadDemoProgress(ctx context.Context, d *demo) error {
	store := ledger.NewStore(d.db)
	edu, err := d.actor(ctx, "education")
	if err != nil {
		return err
	}
	for _, r := range demoProgress {
		school, err := d.schoolID(ctx, r.school)
		if err != nil {
			return err
		}
		percent, on := r.percent, r.on
		in := ledger.NewProgress{Kind: r.kind, Milestone: r.milestone, Percent: &percent, ReportedOnJalali: &on}
		if r.note != "" {
			note := r.note
			in.Note = &note
		}
		if _, err := store.AddProgress(ctx, edu, school, in); err != nil {
			return fmt.Errorf("progress of %s: %w", demoSchools[r.school].name, err)
		}
	}
	return nil
}

// actor returns the demo user as the actor of the demo's requests.
func (d *demo) actor(ctx context.Context, username string) (taahod.Actor, error) {
	var row struct {
		ID       int64         `db:"id"`
		Role     taahod.Role   `db:"role"`
		FullName string        `db:"full_name"`
		Units    pq.Int64Array `db:"units"`
	}
	err := d.db.GetContext(ctx, &row, `
		SELECT id, role, coalesce(full_name, '') AS full_name,
		       ARRAY(SELECT unit_id FROM user_units WHERE user_id = users.id ORDER BY unit_id) AS units
		  FROM users WHERE username = $1`, username)
	if err != nil {
		return taahod.Actor{}, database.NotFound(err, "demo user", username)
	}
	return taahod.Actor{UserID: row.ID, Username: username, FullName: row.FullName, Role: row.Role, UnitIDs: row.Units}, nil
}

// schoolID returns the id of demoSchools[i].
func (d *demo) schoolID(ctx context.Context, i int) (int64, error) {
	var id int64
	err := d.db.GetContext(ctx, &id, `SELECT id FROM schools WHERE name = $1 ORDER BY id LIMIT 1`, demoSchools[i].name)
	return id, database.NotFound(err, "demo school", demoSchools[i].name)
}

// pledgeID returns the id of demoPledges[i]: the pledges are the demo's
// first, in order.
func (d *demo) pledgeID(ctx context.Context, i int) (int64, error) {
	var id int64
	err := d.db.GetContext(ctx, &id, `SELECT id FROM pledges ORDER BY id OFFSET $1 LIMIT 1`, i)
	return id, database.NotFound(err, "demo pledge", i)
}

// demoInvoicePDF is a one-page PDF standing for a scanned invoice.
func demoInvoicePDF(i int, invoice, amount string) []byte {
	text := fmt.Sprintf("Invoice %d: %s  Amount (Rials): %s", i+1, asciiOnly(invoice), amount)
	stream := fmt.Sprintf("BT /F1 12 Tf 40 760 Td (%s) Tj ET", text)
	objects := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(stream), stream),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
	}
	out := []byte("%PDF-1.4\n")
	offsets := make([]int, len(objects))
	for n, o := range objects {
		offsets[n] = len(out)
		out = fmt.Appendf(out, "%d 0 obj\n%s\nendobj\n", n+1, o)
	}
	xref := len(out)
	out = fmt.Appendf(out, "xref\n0 %d\n0000000000 65535 f \n", len(objects)+1)
	for _, off := range offsets {
		out = fmt.Appendf(out, "%010d 00000 n \n", off)
	}
	return fmt.Appendf(out, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objects)+1, xref)
}

func asciiOnly(s string) string {
	b := []byte{}
	for _, r := range s {
		if r < 0x80 && r != '(' && r != ')' && r != '\\' {
			b = append(b, byte(r))
		} else {
			b = append(b, '?')
		}
	}
	return string(b)
}
