package web

import (
	"github.com/taahod/taahod/registry"
)

// publicFigure is one line of the yearly figures as the public site shows
// them: the registry's figure (the name GET /api/v1/public/registry/rows
// takes) and its Persian label, the yearly report's.
type publicFigure struct {
	Name  string
	Label string
	// Part marks a line that breaks down the one before it (indented).
	Part bool
}

// publicFigures are the yearly report's figures in its order
// (reports.RegistryReportOf prints the same labels); the implementation
// rate has a line of its own on the page.
var publicFigures = []publicFigure{
	{"sessions.total", "مجموع جلسات", false},
	{"sessions.formal", "جلسات رسمی", true},
	{"sessions.field", "جلسات میدانی در شهرستان‌ها", true},
	{"sessions.site_visit", "بازدیدهای چهارشنبه‌های صنعت، کشاورزی و گردشگری", true},
	{"resolutions.total", "مصوبات", false},
	{"resolutions.implemented", "مصوبات اجرا شده", true},
	{"resolutions.in_follow_up", "مصوبات در حال پیگیری", true},
	{"resolutions.not_implemented", "مصوبات اجرا نشده", true},
	{"resolutions.notified", "مصوبات ابلاغ شده بی‌پاسخ", true},
	{"resolutions.cancelled", "مصوبات لغو شده", true},
	{"units_examined", "واحدهای تولیدی بررسی‌شده", false},
	{"units_examined_in_field_sessions", "واحدهای بررسی‌شده در جلسات میدانی", true},
	{"cases_resolved_without_session", "پرونده‌های حل‌شده با استعلام، بدون طرح در جلسه", false},
	{"referrals", "ارجاع به ستادهای استانی و ملی", false},
	{"revived_units", "واحدهای راکد احیا شده", false},
	{"schools_pledged", "مدارس و مراکز آموزشی تعهد شده", false},
}

// figureLabel is the Persian label of the registry's figure name, and
// whether the public site lists its rows.
func figureLabel(name string) (string, bool) {
	for _, f := range publicFigures {
		if f.Name == name {
			return f.Label, true
		}
	}
	if name == "implementation_rate.denominator" {
		return "مصوبات سال بی مصوبات لغو شده (مخرج نرخ اجرا)", true
	}
	return "", false
}

// statusFigures pairs each resolution status, in the registry's order,
// with the figure that counts it.
var statusFigures = map[string]string{
	registry.StatusImplemented:    "resolutions.implemented",
	registry.StatusInFollowUp:     "resolutions.in_follow_up",
	registry.StatusNotImplemented: "resolutions.not_implemented",
	registry.StatusNotified:       "resolutions.notified",
	registry.StatusCancelled:      "resolutions.cancelled",
}

// The registry's other enumerations in Persian, from its own vocabularies
// (sessions' and resolutions' are in secretariat_labels.go).

// CaseChannelName is a case's channel in Persian.
func CaseChannelName(s string) string { return registry.Channels.Title(s) }

// CaseOutcomeName is a case's outcome in Persian.
func CaseOutcomeName(s string) string { return registry.Outcomes.Title(s) }
