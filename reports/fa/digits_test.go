package fa

import "testing"

func TestDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0123456789", "۰۱۲۳۴۵۶۷۸۹"},
		{"ماده 172", "ماده ۱۷۲"},
		{"QZV-1404", "QZV-۱۴۰۴"},
		{"٤٥", "٤٥"}, // Arabic-Indic digits are Normalize's business
		{"", ""},
	}
	for _, tt := range tests {
		if got := Digits(tt.in); got != tt.want {
			t.Errorf("Digits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestASCIIDigits(t *testing.T) {
	tests := []struct{ in, want string }{
		{"۰۱۲۳۴۵۶۷۸۹", "0123456789"},
		{"٠١٢٣٤٥٦٧٨٩", "0123456789"},
		{"۱٬۲۳۴٫۵ ریال", "1٬234٫5 ریال"},
		{"abc 12", "abc 12"},
	}
	for _, tt := range tests {
		if got := ASCIIDigits(tt.in); got != tt.want {
			t.Errorf("ASCIIDigits(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestGroupAmount(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0", "۰"},
		{"7", "۷"},
		{"999", "۹۹۹"},
		{"1000", "۱٬۰۰۰"},
		{"1234567", "۱٬۲۳۴٬۵۶۷"},
		{"1234567890.5", "۱٬۲۳۴٬۵۶۷٬۸۹۰٫۵"},
		{"100000.25", "۱۰۰٬۰۰۰٫۲۵"},
		{"0.5", "۰٫۵"},
		{"1234.50", "۱٬۲۳۴٫۵۰"},
		{"-1234.5", "-۱٬۲۳۴٫۵"},
		{"-12", "-۱۲"},
		{"۱۲۳۴۵", "۱۲٬۳۴۵"},
		{"٤٥٦٧", "۴٬۵۶۷"},
		{"1000000000000000000", "۱٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰٬۰۰۰"},
		// Not canonical: digits made Persian, nothing grouped.
		{"12a34", "۱۲a۳۴"},
		{"1.2.3", "۱.۲.۳"},
		{"", ""},
		{"-", "-"},
		{".5", ".۵"},
		{"1,234", "۱,۲۳۴"},
	}
	for _, tt := range tests {
		if got := GroupAmount(tt.in); got != tt.want {
			t.Errorf("GroupAmount(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
