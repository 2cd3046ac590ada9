package fa

import (
	"sort"
	"strings"
	"testing"
)

func TestVisual(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"persian word reversed", "سلام", "مالس"},
		{"two words", "سلام دنیا", "ایند مالس"},
		{"latin alone stays", "Taahod", "Taahod"},
		{"guillemets mirrored", "«گواهی»", "«یهاوگ»"},
		{"parentheses mirrored around a number", "(ماده ۱۷۲)", "(۱۷۲ هدام)"},
		{"brackets and braces", "[الف] {ب} <ج>", "<ج> {ب} [فلا]"},
		{"amount", "۱٬۲۳۴٬۵۶۷ ریال", "لایر ۱٬۲۳۴٬۵۶۷"},
		{"amount with fraction", "مبلغ ۱٬۲۳۴٫۵", "۱٬۲۳۴٫۵ غلبم"},
		{"jalali date alone", "۱۴۰۴/۰۹/۰۵", "۱۴۰۴/۰۹/۰۵"},
		{"jalali date in text", "تاریخ ۱۴۰۴/۰۹/۰۵ است", "تسا ۱۴۰۴/۰۹/۰۵ خیرات"},
		{"ascii digits and time", "ساعت 10:30", "10:30 تعاس"},
		{"serial in sentence",
			"گواهی شماره QZV-1404-000001 صادر شد",
			"دش رداص QZV-1404-000001 هرامش یهاوگ"},
		{"email and final full stop", "ایمیل info@example.com است.", ".تسا info@example.com لیمیا"},
		{"latin then number", "وزن ۱۲ kg است", "تسا kg ۱۲ نزو"},
		{"number then latin", "۱۲ kg", "kg ۱۲"},
		{"latin in parentheses", "شماره (QZV-1) است", "تسا (QZV-1) هرامش"},
		{"separator not between digits is neutral", "۱۲، ۳۴", "۳۴ ،۱۲"},
		{"trailing separator is neutral", "سال ۱۴۰۴.", ".۱۴۰۴ لاس"},
		{"minus sign reads first", "منفی -۱۲", "۱۲- یفنم"},
		{"two numbers with a space", "۱۲ ۳۴", "۳۴ ۱۲"},
		{"percent follows its number", "نرخ ۸۸٫۴۶٪ است", "تسا ۸۸٫۴۶٪ خرن"},
		{"ascii percent follows its number", "نرخ 25% است", "تسا 25% خرن"},
		{"a lone percent sign is neutral", "٪ سود", "دوس ٪"},
		{"marks stay before their base in RTL", "بِسم", "مس\u0650ب"},
		{"marks stay after their base in LTR", "cafe\u0301", "cafe\u0301"},
		{"bidi controls removed",
			"\u200Fسلام\u200E \u202Bب\u202C\u2067ج\u2069\u061C", "جب مالس"},
		{"empty", "", ""},
		{"only controls", "\u200E\u200F", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Visual(tt.in); got != tt.want {
				t.Errorf("Visual(%q) = %q (%s), want %q (%s)", tt.in, got, hex(got), tt.want, hex(tt.want))
			}
		})
	}
}

// TestShapeVisual checks whole lines as they are drawn: shaped, then
// reordered.
func TestShapeVisual(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"salam", "سلام", cps(0xFEE1, 0xFEFC, 0xFEB3)},
		{"kelas", "کلاس", cps(0xFEB1, 0xFEFC, 0xFB90)},
		{"la", "لا", cps(0xFEFB)},
		{"zwnj word", "می\u200Cشود", cps(0xFEA9, 0xFEEE, 0xFEB7, 0xFBFD, 0xFEE3)},
		{"dastgahha", "دستگاه\u200Cهای",
			cps(0xFBFC, 0xFE8E, 0xFEEB, 0xFEE9, 0xFE8E, 0xFB95, 0xFE98, 0xFEB3, 0xFEA9)},
		{"harakat before their letter", "بِب", cps(0xFE90, 0x0650, 0xFE91)},
		{"amount in rials", "۱٬۲۳۴٬۵۶۷ ریال",
			cps(0xFEDD, 0xFE8E, 0xFBFE, 0xFEAD, ' ') + "۱٬۲۳۴٬۵۶۷"},
		{"jalali date", "۱۴۰۴/۰۹/۰۵", "۱۴۰۴/۰۹/۰۵"},
		{"guillemets", "«ما»", cps('«', 0xFE8E, 0xFEE3, '»')},
		{"parentheses", "(ما)", cps('(', 0xFE8E, 0xFEE3, ')')},
		{"serial", "گواهی شماره QZV-1404-000001 صادر شد",
			cps(0xFEAA, 0xFEB7, ' ', 0xFEAD, 0xFEA9, 0xFE8E, 0xFEBB, ' ') +
				"QZV-1404-000001" +
				cps(' ', 0xFEE9, 0xFEAD, 0xFE8E, 0xFEE4, 0xFEB7, ' ', 0xFBFD, 0xFEEB, 0xFE8D, 0xFEEE, 0xFB94)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Visual(Shape(tt.in)); got != tt.want {
				t.Errorf("Visual(Shape(%q)) = %s, want %s", tt.in, hex(got), hex(tt.want))
			}
		})
	}
}

// canonicalRunes returns the runes of s that Visual keeps, sorted, with
// each mirrored pair folded to one of its members.
func canonicalRunes(s string) []rune {
	var rs []rune
	for _, r := range s {
		if isBidiControl(r) {
			continue
		}
		if m, ok := mirrors[r]; ok && m < r {
			r = m
		}
		rs = append(rs, r)
	}
	sort.Slice(rs, func(i, j int) bool { return rs[i] < rs[j] })
	return rs
}

func FuzzVisual(f *testing.F) {
	for _, s := range []string{
		"گواهی شماره QZV-1404-000001 صادر شد", "«۱٬۲۳۴» (ریال)", "\u200Fab\u202Eج",
		"بِسم cafe\u0301 ۱۲-۳", "\u0650", "-۱.", "a 1 ب 2 c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Visual(s)
		if got, want := string(canonicalRunes(out)), string(canonicalRunes(s)); got != want {
			t.Errorf("Visual(%q) = %q changes the runes", s, out)
		}
		if strings.IndexFunc(out, isBidiControl) >= 0 {
			t.Errorf("Visual(%q) = %q keeps a bidi control", s, out)
		}
		// A line without right-to-left letters or numbers in RTL position
		// that is all Latin letters keeps its order.
		if strings.IndexFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z') }) < 0 && out != s {
			t.Errorf("Visual(%q) = %q reorders Latin text", s, out)
		}
	})
}
