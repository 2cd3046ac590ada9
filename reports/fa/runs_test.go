package fa

import (
	"strings"
	"testing"
)

// TestRunsRebuildVisual checks that the runs, each shaped and reordered on
// its own and laid from right to left, draw exactly what Visual draws for
// the whole line.
func TestRunsRebuildVisual(t *testing.T) {
	for _, line := range []string{
		"سلام", "Taahod", "«گواهی»", "(ماده ۱۷۲)", "[الف] {ب} <ج>",
		"۱٬۲۳۴٬۵۶۷ ریال", "مبلغ ۱٬۲۳۴٫۵", "تاریخ ۱۴۰۴/۰۹/۰۵ است", "ساعت 10:30",
		"گواهی شماره QZV-1404-000001 صادر شد", "ایمیل info@example.com است.",
		"وزن ۱۲ kg است", "۱۲ kg", "شماره (QZV-1) است", "۱۲، ۳۴", "سال ۱۴۰۴.",
		"منفی -۱۲", "۱۲ ۳۴", "نرخ ۸۸٫۴۶٪ است", "نرخ 25% است", "٪ سود", "بِسم",
		"هزینه‌کرد مدرسه‌سازی به‌عنوان", "مبلغ (ریال): ۱٬۲۳۴٬۵۶۷", "محل صدور: قزوین",
		"لا الله", "\u200fسلام\u200e abc", "ABC: 123 و", "",
	} {
		runs := Runs(line)
		var b strings.Builder
		for i := len(runs) - 1; i >= 0; i-- {
			b.WriteString(Visual(Shape(runs[i].Text)))
		}
		if got, want := b.String(), Visual(Shape(line)); got != want {
			t.Errorf("Runs(%q) = %+v draw %q, Visual draws %q", line, runs, got, want)
		}
		var logical strings.Builder
		for _, r := range runs {
			logical.WriteString(r.Text)
		}
		if got, want := logical.String(), strings.Map(func(r rune) rune {
			if isBidiControl(r) {
				return -1
			}
			return r
		}, line); got != want {
			t.Errorf("Runs(%q) joined = %q, want the line without bidi controls", line, got)
		}
	}
}
