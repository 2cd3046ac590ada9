package fa

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"arabic yeh", "علي", "علی"},
		{"alef maksura", "موسى", "موسی"},
		{"arabic kaf", "كتاب", "کتاب"},
		{"arabic-indic digits", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"},
		{"mixed", "يك كتاب ٤٥ صفحه", "یک کتاب ۴۵ صفحه"},
		{"teh marbuta kept", "مدرسة", "مدرسة"},
		{"persian untouched", "هزینه\u200Cکرد ۱۲", "هزینه\u200Cکرد ۱۲"},
		{"ascii digits untouched", "172", "172"},
		{"spaces kept", "  ي  ", "  ی  "},
		{"hamza forms kept", "مسئله ؤ أ إ", "مسئله ؤ أ إ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
