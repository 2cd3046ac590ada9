package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// The registry's demo data: the source report's figures as real rows, so
// that /api/v1/public/registry?year=1404 shows 28 formal and 6 field
// sessions, 260 resolutions (230 implemented, 30 in follow-up), 228 units
// examined (26 of them in field sessions), 70 inquiries resolved and 10
// referrals; and year=1403 shows 68 formal sessions, 353 resolutions (341
// implemented) and 55 units revived. The figures the source does not give
// (1403's units examined, cases) are left to fall where the rows put them,
// or at zero. schools_pledged comes from the commitments demo. The steps
// (in demoSteps) are loadRegistryDemoUnits, loadRegistryDemo1403 and
// loadRegistryDemo1404.

// registryDemoUnitCount units are added; the first registryDemoStagnant are
// registered stagnant, and 1403 revives the first 55 of them.
const (
	registryDemoUnitCount = 400
	registryDemoStagnant  = 70
	registryDemoRevived   = 55
)

var (
	demoProducts = []string{"فولاد", "کاشی و سرامیک", "لبنیات", "نساجی", "قطعات خودرو", "بسته‌بندی", "پلاستیک", "شیشه",
		"رنگ و رزین", "داروسازی", "صنایع غذایی", "ماشین‌سازی", "کابل و سیم", "آلومینیوم", "کاغذ و مقوا", "ریخته‌گری",
		"نان صنعتی", "کشت و صنعت", "مصالح ساختمانی", "لوازم خانگی"}
	demoBrands = []string{"البرز", "الوند", "سپهر", "آریا", "پارس", "نگین", "کوثر", "ایرانیان", "رازی", "دنا",
		"سیمرغ", "مهر", "پویا", "زاگرس", "آفتاب", "ستاره", "امید", "بهاران", "تابان", "نوین"}
	demoForms    = []string{"شرکت", "صنایع", "مجتمع", "کارخانه"}
	demoCounties = []string{"قزوین", "البرز", "آبیک", "بوئین‌زهرا", "تاکستان", "آوج"}
)

// registryDemoUnit is the i-th demo unit of the registry: a plausible name
// and a valid legal-entity national id.
func registryDemoUnit(i int) registry.NewUnit {
	status := registry.UnitActive
	if i < registryDemoStagnant {
		status = registry.UnitStagnant
	}
	return registry.NewUnit{
		Name:       fmt.Sprintf("%s %s %s", demoForms[i%len(demoForms)], demoProducts[i%len(demoProducts)], demoBrands[(i/len(demoProducts))%len(demoBrands)]),
		NationalID: taahod.MakeLegalEntityID(fmt.Sprintf("1086%06d", 100000+i*37)),
		County:     demoCounties[(i*7)%len(demoCounties)],
		Status:     status,
	}
}

func loadRegistryDemoUnits(ctx context.Context, d *demo) error {
	for i := range registryDemoUnitCount {
		u := registryDemoUnit(i)
		if _, err := d.registry.CreateUnit(ctx, taahod.System, u); err != nil {
			return fmt.Errorf("unit %s: %w", u.Name, err)
		}
	}
	return nil
}

// registryUnitIDs returns the ids of the registry's demo units, in order.
func (d *demo) registryUnitIDs(ctx context.Context) ([]int64, error) {
	ids := make([]int64, registryDemoUnitCount)
	for i := range ids {
		if err := d.db.GetContext(ctx, &ids[i], `SELECT id FROM units WHERE national_id = $1`, registryDemoUnit(i).NationalID); err != nil {
			return nil, fmt.Errorf("demo unit %d: %w", i, err)
		}
	}
	return ids, nil
}

// The executive agencies of the demo, by the categories they answer for.
var demoAgencies = map[string][]string{
	"banking":         {"شورای هماهنگی بانک‌های استان قزوین", "بانک ملی ایران، مدیریت شعب استان قزوین"},
	"tax":             {"اداره کل امور مالیاتی استان قزوین"},
	"social_security": {"اداره کل تأمین اجتماعی استان قزوین"},
	"customs":         {"اداره کل گمرک استان قزوین"},
	"gas":             {"شرکت گاز استان قزوین"},
	"electricity":     {"شرکت توزیع نیروی برق استان قزوین"},
	"water":           {"شرکت آب منطقه‌ای قزوین", "شرکت آب و فاضلاب استان قزوین"},
	"land":            {"اداره کل راه و شهرسازی استان قزوین", "اداره کل منابع طبیعی و آبخیزداری استان قزوین"},
	"permits":         {"سازمان صنعت، معدن و تجارت استان قزوین", "اداره کل حفاظت محیط زیست استان قزوین"},
	"other":           {"شرکت شهرک‌های صنعتی استان قزوین"},
}

// demoTexts are resolutions the working group adopts, by category.
var demoTexts = map[string][]string{
	"banking": {"بانک عامل مهلت بازپرداخت تسهیلات سرمایه در گردش واحد را شش ماه تمدید کند.",
		"پرونده تسهیلات واحد برای تأمین سرمایه در گردش در شورای هماهنگی بانک‌ها خارج از نوبت بررسی شود.",
		"جریمه‌های دیرکرد تسهیلات واحد بر پایه بخشنامه حمایت از تولید بخشوده شود."},
	"tax": {"اداره کل امور مالیاتی پرونده مالیاتی واحد را در هیئت حل اختلاف خارج از نوبت رسیدگی کند.",
		"بدهی مالیاتی قطعی‌شده واحد در ۲۴ قسط تقسیط شود."},
	"social_security": {"بدهی حق بیمه واحد بدون جریمه تقسیط و مفاصاحساب صادر شود.",
		"بیمه سهم کارفرمای نیروهای جدیدالاستخدام واحد بر پایه قانون حمایت از تولید بخشوده شود."},
	"customs": {"ترخیص مواد اولیه وارداتی واحد با ضمانت‌نامه بانکی انجام شود."},
	"gas":     {"ظرفیت انشعاب گاز واحد برای خط تولید جدید افزایش یابد.", "بدهی گاز واحد در ۱۲ قسط تقسیط شود."},
	"electricity": {"انشعاب برق واحد تا ظرفیت دو مگاوات افزایش یابد.",
		"واحد از فهرست محدودیت‌های برق تابستان در ساعات اوج معاف شود."},
	"water": {"مجوز برداشت آب از چاه واحد تمدید شود.", "انشعاب فاضلاب صنعتی واحد واگذار شود."},
	"land": {"کاربری زمین واحد برای توسعه خط تولید به صنعتی تغییر یابد.",
		"سند تفکیکی زمین واحد در شهرک صنعتی صادر شود."},
	"permits": {"پروانه بهره‌برداری واحد پس از بازدید کارشناسی صادر شود.",
		"استعلام زیست‌محیطی طرح توسعه واحد ظرف یک ماه پاسخ داده شود."},
	"other": {"مشکلات زیرساختی شهرک صنعتی محل استقرار واحد بررسی و برطرف شود."},
}

// demoCategoryWeights spread the resolutions over categories as the source
// lists the obstacles: banking first.
var demoCategoryWeights = []struct {
	category string
	weight   int
}{
	{"banking", 25}, {"tax", 13}, {"social_security", 12}, {"gas", 8}, {"electricity", 10},
	{"water", 6}, {"land", 9}, {"permits", 11}, {"customs", 3}, {"other", 3},
}

func demoCategory(rng *rand.Rand) string {
	n := rng.IntN(100)
	for _, c := range demoCategoryWeights {
		if n < c.weight {
			return c.category
		}
		n -= c.weight
	}
	return "other"
}

// demoYear spreads n days over the fiscal year, from 10 Farvardin (after
// Nowruz) to 20 Esfand, never after today.
func demoYear(year, n int, today taahod.Date) []taahod.Date {
	first, _ := taahod.FromJalali(year, 1, 10)
	last, _ := taahod.FromJalali(year, 12, 20)
	if last.After(today) {
		last = today
	}
	span := daysFrom(first, last)
	days := make([]taahod.Date, n)
	for i := range days {
		days[i] = first.AddDays(span * i / max(n-1, 1))
	}
	return days
}

func daysFrom(a, b taahod.Date) int { return int(b.Time().Sub(a.Time()).Hours() / 24) }

// capToday keeps a demo date from passing today.
func capToday(d, today taahod.Date) taahod.Date {
	if d.After(today) {
		return today
	}
	return d
}

// demoSession records one demo session.
func (d *demo) demoSession(ctx context.Context, kind string, on taahod.Date, county, title string, rng *rand.Rand) (int64, error) {
	var attendees []string
	for _, c := range []string{"banking", "tax", "social_security", "gas", "electricity", "permits"} {
		if rng.IntN(3) > 0 {
			attendees = append(attendees, demoAgencies[c][0])
		}
	}
	chair, minutes := "استاندار قزوین", "مشکلات واحدهای تولیدی با حضور نمایندگان دستگاه‌های اجرایی بررسی و مصوبات جلسه ابلاغ شد."
	if kind == registry.KindField {
		chair = "معاون هماهنگی امور اقتصادی استانداری"
	}
	in := registry.NewSession{Kind: kind, HeldOn: on.String(), Title: &title, Chair: &chair, Attendees: attendees, Minutes: &minutes}
	if county != "" {
		in.County = &county
	}
	s, err := d.registry.CreateSession(ctx, taahod.System, in)
	if err != nil {
		return 0, fmt.Errorf("session %s: %w", title, err)
	}
	return s.ID, nil
}

// demoResolution is one planned resolution of a demo year.
type demoResolution struct {
	session int64
	on      taahod.Date
	unit    int64 // 0: a general resolution
	status  string
}

// importDemoResolutions records the planned resolutions with one import,
// each with a text, agencies and deadline of its category and its status
// dated some days after adoption.
func (d *demo) importDemoResolutions(ctx context.Context, plan []demoResolution, source string, rng *rand.Rand, today taahod.Date) ([]int64, error) {
	rows := make([]registry.ResolutionRow, len(plan))
	for i, p := range plan {
		category := demoCategory(rng)
		texts, agencies := demoTexts[category], demoAgencies[category]
		notified := []string{agencies[rng.IntN(len(agencies))]}
		if category != "permits" && rng.IntN(3) == 0 {
			notified = append(notified, demoAgencies["permits"][0])
		}
		session := p.session
		row := registry.ResolutionRow{
			NewResolution: registry.NewResolution{
				SessionID: &session, Text: texts[rng.IntN(len(texts))], Category: category, Agencies: notified,
				Deadline:     p.on.AddDays([]int{30, 45, 60, 90}[rng.IntN(4)]).String(),
				Confidential: rng.IntN(25) == 0,
			},
			Status: p.status,
		}
		if p.unit != 0 {
			unit := p.unit
			row.UnitID = &unit
		}
		switch p.status {
		case registry.StatusImplemented:
			row.StatusOn = capToday(p.on.AddDays(7+rng.IntN(50)), today)
		case registry.StatusInFollowUp:
			row.StatusOn = capToday(p.on.AddDays(15+rng.IntN(30)), today)
			note := "دستگاه اجرایی هنوز اقدام نکرده است؛ پیگیری ادامه دارد."
			row.StatusNote = &note
		}
		rows[i] = row
	}
	res, err := d.registry.ImportResolutions(ctx, taahod.System, rows, source)
	if err != nil {
		return nil, fmt.Errorf("resolutions: %w", err)
	}
	return res.IDs, nil
}

// loadRegistryDemo1403: 68 formal sessions, 353 resolutions of which 341
// implemented (the other 12 in follow-up), and 55 stagnant units revived.
func loadRegistryDemo1403(ctx context.Context, d *demo) error {
	rng := rand.New(rand.NewPCG(1403, 68))
	today := taahod.Today(d.db.Now())
	units, err := d.registryUnitIDs(ctx)
	if err != nil {
		return err
	}
	days := demoYear(1403, 68, today)
	sessions := make([]int64, len(days))
	for i, on := range days {
		if sessions[i], err = d.demoSession(ctx, registry.KindFormal, on, "", fmt.Sprintf("جلسه %d کارگروه تسهیل و رفع موانع تولید استان (۱۴۰۳)", i+1), rng); err != nil {
			return err
		}
	}
	// 353 resolutions over the 68 sessions (five or six each); 5 general.
	plan := make([]demoResolution, 353)
	for i := range plan {
		s := i * len(sessions) / len(plan)
		plan[i] = demoResolution{session: sessions[s], on: days[s], status: registry.StatusImplemented}
		if i%70 != 3 {
			plan[i].unit = units[(i*13)%310]
		}
	}
	for _, i := range rng.Perm(len(plan))[:12] {
		plan[i].status = registry.StatusInFollowUp
	}
	if _, err := d.importDemoResolutions(ctx, plan, "demo 1403", rng, today); err != nil {
		return err
	}
	for i, on := range demoYear(1403, registryDemoRevived, today) {
		note := "واحد با تأمین سرمایه در گردش و رفع موانع بانکی به چرخه تولید بازگشت."
		if _, err := d.registry.ReviveUnit(ctx, taahod.System, units[i], registry.NewRevival{RevivedOn: on.AddDays(3).String(), Note: &note}); err != nil {
			return fmt.Errorf("revive demo unit %d: %w", i, err)
		}
	}
	return nil
}

// loadRegistryDemo1404: 28 formal sessions and 6 field sessions (one in each
// county); 260 resolutions, 230 implemented and 30 in follow-up (three of
// them implemented first and then reopened), concerning 228 units, 26 of
// them in the field sessions; 70 inquiries resolved without a session and 10
// referrals to the provincial and national headquarters.
func loadRegistryDemo1404(ctx context.Context, d *demo) error {
	rng := rand.New(rand.NewPCG(1404, 28))
	today := taahod.Today(d.db.Now())
	units, err := d.registryUnitIDs(ctx)
	if err != nil {
		return err
	}
	formalDays, fieldDays := demoYear(1404, 28, today), demoYear(1404, 6, today)
	formal := make([]int64, len(formalDays))
	for i, on := range formalDays {
		if formal[i], err = d.demoSession(ctx, registry.KindFormal, on, "", fmt.Sprintf("جلسه %d کارگروه تسهیل و رفع موانع تولید استان (۱۴۰۴)", i+1), rng); err != nil {
			return err
		}
	}
	field := make([]int64, len(fieldDays))
	for i, on := range fieldDays {
		county := demoCounties[(i+1)%len(demoCounties)]
		if field[i], err = d.demoSession(ctx, registry.KindField, on.AddDays(5), county, "جلسه میدانی کارگروه در شهرستان "+county, rng); err != nil {
			return err
		}
		fieldDays[i] = on.AddDays(5)
	}

	// The year's 228 units: 100 to 327 of the demo units. The field
	// sessions examine the first 26 (30 resolutions, four units twice); the
	// formal sessions the other 202 (222 resolutions, 20 units twice) and
	// adopt 8 general resolutions.
	year := units[100:328]
	var plan []demoResolution
	for i := range 30 {
		s := i * len(field) / 30
		plan = append(plan, demoResolution{session: field[s], on: fieldDays[s], unit: year[i%26]})
	}
	formalUnits := slices.Clone(year[26:])
	formalUnits = append(formalUnits, year[26:46]...)
	for range 8 {
		formalUnits = append(formalUnits, 0)
	}
	rng.Shuffle(len(formalUnits), func(i, j int) { formalUnits[i], formalUnits[j] = formalUnits[j], formalUnits[i] })
	for i, u := range formalUnits {
		s := i * len(formal) / len(formalUnits)
		plan = append(plan, demoResolution{session: formal[s], on: formalDays[s], unit: u})
	}
	followUp := rng.Perm(len(plan))[:30]
	for i := range plan {
		plan[i].status = registry.StatusImplemented
	}
	for _, i := range followUp[3:] {
		plan[i].status = registry.StatusInFollowUp
	}
	ids, err := d.importDemoResolutions(ctx, plan, "demo 1404", rng, today)
	if err != nil {
		return err
	}
	// Three were implemented and then reopened: the history keeps both.
	for _, i := range followUp[:3] {
		note := "اجرای مصوبه ناقص گزارش شد؛ پرونده دوباره در دست پیگیری است."
		on := capToday(plan[i].on.AddDays(80), today)
		if _, err := d.registry.ChangeStatus(ctx, taahod.System, ids[i], registry.StatusChange{Status: registry.StatusInFollowUp, On: on.String(), Note: &note}); err != nil {
			return fmt.Errorf("reopen resolution %d: %w", ids[i], err)
		}
	}

	var cases []registry.CaseRow
	subjects := map[string][]string{
		"banking": {"تأخیر بانک در پرداخت تسهیلات مصوب", "درخواست امهال اقساط"},
		"tax":     {"اعتراض به برگ تشخیص مالیات", "درخواست تقسیط بدهی مالیاتی"},
		"gas":     {"قطع گاز در فصل سرما", "افزایش ظرفیت انشعاب گاز"},
		"permits": {"تأخیر در صدور پروانه بهره‌برداری", "استعلام زیست‌محیطی"},
		"customs": {"رفع تعهد ارزی صادرات", "ترخیص ماشین‌آلات خط تولید"},
	}
	categories := []string{"banking", "tax", "gas", "permits", "customs"}
	caseDays := demoYear(1404, 80, today)
	for i := range 80 {
		c := registry.CaseRow{NewCase: registry.NewCase{Channel: registry.ChannelPhone, Outcome: registry.OutcomeResolved}}
		switch {
		case i%8 == 7 && i < 56:
			c.Channel, c.Outcome = registry.ChannelReferralProvincial, registry.OutcomeReferred
		case i%8 == 7:
			c.Channel, c.Outcome = registry.ChannelReferralNational, registry.OutcomeReferred
		case i%2 == 0:
			c.Channel = registry.ChannelWritten
		}
		category := categories[rng.IntN(len(categories))]
		unit := units[(i*11)%len(units)]
		c.UnitID, c.Category = &unit, category
		c.Subject = subjects[category][rng.IntN(len(subjects[category]))]
		c.OpenedOn = caseDays[i].String()
		if c.Outcome == registry.OutcomeResolved {
			c.ClosedOn = capToday(caseDays[i].AddDays(2+rng.IntN(20)), today).String()
		}
		cases = append(cases, c)
	}
	if _, err := d.registry.ImportCases(ctx, taahod.System, cases, "demo 1404"); err != nil {
		return fmt.Errorf("cases: %w", err)
	}
	return nil
}
