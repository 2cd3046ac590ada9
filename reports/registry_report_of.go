package reports

import (
	"strconv"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
	"github.com/taahod/taahod/reports/fa"
)

// RegistryReportOf lays the registry's yearly report out for the PDF: the
// figures with their Persian labels in the contract's order, resolutions by
// status and by category, and the overdue list by agency. on is the report's
// date, printed and fixing the PDF's dates.
func RegistryReportOf(rep registry.YearReport, on taahod.Date) RegistryReport {
	f := rep.Figures
	r := RegistryReport{
		Year:        f.Year,
		GeneratedOn: on,
		OverdueAsOf: rep.Overdue.AsOf,
		Figures: []ReportFigure{
			{"جلسات رسمی", f.Sessions.Formal},
			{"جلسات میدانی در شهرستان‌ها", f.Sessions.Field},
			{"بازدیدهای چهارشنبه‌های صنعت، کشاورزی و گردشگری", f.Sessions.SiteVisit},
			{"مجموع جلسات", f.Sessions.Total},
			{"مصوبات", f.Resolutions.Total},
			{"مصوبات اجرا شده", f.Resolutions.Implemented},
			{"مصوبات در حال پیگیری", f.Resolutions.InFollowUp},
			{"مصوبات اجرا نشده", f.Resolutions.NotImplemented},
			{"مصوبات ابلاغ شده بی‌پاسخ", f.Resolutions.Notified},
			{"مصوبات لغو شده", f.Resolutions.Cancelled},
			{"واحدهای تولیدی بررسی‌شده", f.UnitsExamined},
			{"واحدهای بررسی‌شده در جلسات میدانی", f.UnitsExaminedInFieldSessions},
			{"پرونده‌های حل‌شده با استعلام، بدون طرح در جلسه", f.CasesResolvedWithoutSession},
			{"ارجاع به ستادهای استانی و ملی", f.Referrals},
			{"واحدهای راکد احیا شده", f.RevivedUnits},
			{"مدارس و مراکز آموزشی تعهد شده", f.SchoolsPledged},
		},
		RateNote: "نسبت مصوبات اجرا شده به همه مصوبات سال، بدون احتساب مصوبات لغوشده (" +
			itoa(f.ImplementationRate.Numerator) + " از " + itoa(f.ImplementationRate.Denominator) + ")",
	}
	if f.ImplementationRate.Value != nil {
		r.ImplementationRate = f.ImplementationRate.Value.String()
	}
	status := map[string]int{
		registry.StatusImplemented:    f.Resolutions.Implemented,
		registry.StatusInFollowUp:     f.Resolutions.InFollowUp,
		registry.StatusNotImplemented: f.Resolutions.NotImplemented,
		registry.StatusNotified:       f.Resolutions.Notified,
		registry.StatusCancelled:      f.Resolutions.Cancelled,
	}
	for _, s := range registry.Statuses {
		r.ByStatus = append(r.ByStatus, ReportBar{Label: s.Title, Count: status[s.Value]})
	}
	for _, c := range rep.ByCategory {
		r.ByCategory = append(r.ByCategory, ReportBar{Label: c.Title, Count: c.Statuses.Total})
	}
	for _, a := range rep.Overdue.Agencies {
		oa := OverdueAgency{Agency: a.Agency, Count: a.Count}
		for _, res := range a.Resolutions {
			item := OverdueItem{ID: res.ID, Text: res.Text, Deadline: res.Deadline, DaysOverdue: res.DaysOverdue}
			if res.UnitName != nil && !res.UnitWithheld {
				item.UnitName = *res.UnitName
			}
			oa.Items = append(oa.Items, item)
		}
		r.Overdue = append(r.Overdue, oa)
	}
	return r
}

func itoa(n int) string { return fa.Digits(strconv.Itoa(n)) }
