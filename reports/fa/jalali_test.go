package fa

import "testing"

func TestJalaliDate(t *testing.T) {
	tests := []struct {
		y, m, d int
		short   string
		long    string
	}{
		{1404, 9, 5, "۱۴۰۴/۰۹/۰۵", "۵ آذر ۱۴۰۴"},
		{1403, 1, 1, "۱۴۰۳/۰۱/۰۱", "۱ فروردین ۱۴۰۳"},
		{1403, 12, 30, "۱۴۰۳/۱۲/۳۰", "۳۰ اسفند ۱۴۰۳"},
		{1404, 13, 1, "۱۴۰۴/۱۳/۰۱", "۱ ۱۳ ۱۴۰۴"},
	}
	for _, tt := range tests {
		if got := JalaliDate(tt.y, tt.m, tt.d); got != tt.short {
			t.Errorf("JalaliDate(%d, %d, %d) = %q, want %q", tt.y, tt.m, tt.d, got, tt.short)
		}
		if got := LongDate(tt.y, tt.m, tt.d); got != tt.long {
			t.Errorf("LongDate(%d, %d, %d) = %q, want %q", tt.y, tt.m, tt.d, got, tt.long)
		}
	}
}

func TestMonthName(t *testing.T) {
	want := []string{"", "فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
		"مهر", "آبان", "آذر", "دی", "بهمن", "اسفند", ""}
	for m, w := range want {
		if got := MonthName(m); got != w {
			t.Errorf("MonthName(%d) = %q, want %q", m, got, w)
		}
	}
	if got := MonthName(-1); got != "" {
		t.Errorf("MonthName(-1) = %q, want empty", got)
	}
}
