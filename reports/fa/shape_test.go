package fa

import (
	"fmt"
	"strings"
	"testing"
)

// cps builds a string from code points, so golden strings of presentation
// forms can be read against the Unicode charts.
func cps(rs ...rune) string { return string(rs) }

// hex writes s as code points, for failure messages.
func hex(s string) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}

func TestShape(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"lam-alef isolated", "لا", cps(0xFEFB)},
		{"lam-alef final in salam", "سلام", cps(0xFEB3, 0xFEFC, 0xFEE1)},
		{"lam-alef final in kelas", "کلاس", cps(0xFB90, 0xFEFC, 0xFEB1)},
		{"lam-alef madda", "لآ", cps(0xFEF5)},
		{"lam-alef hamza above final", "ملأ", cps(0xFEE3, 0xFEF8)},
		{"lam-alef hamza below", "إلا", cps(0xFE87, 0xFEFB)},
		{"lam with fatha before alef", "لَا", cps(0xFEFB, 0x064E)},
		{"lam before non-alef is a letter", "لب", cps(0xFEDF, 0xFE90)},
		{"zwnj hazinekard", "هزینه\u200Cکرد",
			cps(0xFEEB, 0xFEB0, 0xFBFE, 0xFEE8, 0xFEEA, 0xFB90, 0xFEAE, 0xFEA9)},
		{"zwnj mishavad", "می\u200Cشود", cps(0xFEE3, 0xFBFD, 0xFEB7, 0xFEEE, 0xFEA9)},
		{"zwnj dastgahha", "دستگاه\u200Cهای",
			cps(0xFEA9, 0xFEB3, 0xFE98, 0xFB95, 0xFE8E, 0xFEE9, 0xFEEB, 0xFE8E, 0xFBFC)},
		{"zwnj blocks lam-alef", "ل\u200Cا", cps(0xFEDD, 0xFE8D)},
		{"zwj joins and is dropped", "ب\u200D", cps(0xFE91)},
		{"zwj between", "ب\u200Dا", cps(0xFE91, 0xFE8E)},
		{"tatweel joins both sides", "بـب", cps(0xFE91, 0x0640, 0xFE90)},
		{"harakat keep the join", "بِب", cps(0xFE91, 0x0650, 0xFE90)},
		{"harakat in mohammad", cps(0x0645, 0x064F, 0x062D, 0x064E, 0x0645, 0x0651, 0x064E, 0x062F),
			cps(0xFEE3, 0x064F, 0xFEA4, 0x064E, 0xFEE4, 0x0651, 0x064E, 0xFEAA)},
		{"superscript alef transparent", "بٰب", cps(0xFE91, 0x0670, 0xFE90)},
		{"right-joiner isolated", "د", cps(0xFEA9)},
		{"right-joiner final", "بد", cps(0xFE91, 0xFEAA)},
		{"right-joiner does not join next", "دب", cps(0xFEA9, 0xFE8F)},
		{"right-joiner between", "بدب", cps(0xFE91, 0xFEAA, 0xFE8F)},
		{"right-joiners in a row", "ددد", cps(0xFEA9, 0xFEA9, 0xFEA9)},
		{"jeh isolated", "ژ", cps(0xFB8A)},
		{"jeh final", "بژ", cps(0xFE91, 0xFB8B)},
		{"jeh does not join next", "ژب", cps(0xFB8A, 0xFE8F)},
		{"heh-yeh isolated stays base", "بارۀ", cps(0xFE91, 0xFE8E, 0xFEAD, 0x06C0)},
		{"heh-yeh final", "نامۀ", cps(0xFEE7, 0xFE8E, 0xFEE3, 0xFBA5)},
		{"hamza does not join", "جزء", cps(0xFE9F, 0xFEB0, 0x0621)},
		{"yeh with hamza medial", "مسئله", cps(0xFEE3, 0xFEB4, 0xFE8C, 0xFEE0, 0xFEEA)},
		{"teh marbuta final", "مدرسة", cps(0xFEE3, 0xFEAA, 0xFEAD, 0xFEB3, 0xFE94)},
		{"space breaks the join", "ب ب", cps(0xFE8F, ' ', 0xFE8F)},
		{"digits and latin untouched", "QZV-1404 ۱۲", "QZV-1404 ۱۲"},
		{"digit breaks the join", "ب۱ب", cps(0xFE8F, 0x06F1, 0xFE8F)},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Shape(tt.in); got != tt.want {
				t.Errorf("Shape(%q) = %s, want %s", tt.in, hex(got), hex(tt.want))
			}
		})
	}
}

// TestShapePositions checks every position of the dual-joining letters,
// Persian ones included, against their forms in the Unicode charts.
func TestShapePositions(t *testing.T) {
	tests := []struct {
		letter             string
		iso, fin, ini, med rune
	}{
		{"ب", 0xFE8F, 0xFE90, 0xFE91, 0xFE92},
		{"پ", 0xFB56, 0xFB57, 0xFB58, 0xFB59},
		{"چ", 0xFB7A, 0xFB7B, 0xFB7C, 0xFB7D},
		{"ک", 0xFB8E, 0xFB8F, 0xFB90, 0xFB91},
		{"گ", 0xFB92, 0xFB93, 0xFB94, 0xFB95},
		{"ی", 0xFBFC, 0xFBFD, 0xFBFE, 0xFBFF},
		{"ع", 0xFEC9, 0xFECA, 0xFECB, 0xFECC},
		{"ه", 0xFEE9, 0xFEEA, 0xFEEB, 0xFEEC},
	}
	for _, tt := range tests {
		l := tt.letter
		cases := map[string]string{
			"isolated":             cps(tt.iso),
			"initial and final":    cps(tt.ini, tt.fin),
			"medial":               cps(tt.ini, tt.med, tt.fin),
			"before right-joiner":  cps(tt.ini, 0xFEAA),
			"after right-joiner":   cps(0xFEA9, tt.iso),
			"initial before space": cps(tt.ini, tt.fin, ' ', tt.iso),
		}
		inputs := map[string]string{
			"isolated":             l,
			"initial and final":    l + l,
			"medial":               l + l + l,
			"before right-joiner":  l + "د",
			"after right-joiner":   "د" + l,
			"initial before space": l + l + " " + l,
		}
		for name, want := range cases {
			t.Run(l+"/"+name, func(t *testing.T) {
				if got := Shape(inputs[name]); got != want {
					t.Errorf("Shape(%q) = %s, want %s", inputs[name], hex(got), hex(want))
				}
			})
		}
	}
}

// TestShapeEmitsRepertoire shapes every sequence of up to three runes from
// Persian text and checks that the result stays within Repertoire, which
// the font test checks against Vazirmatn.
func TestShapeEmitsRepertoire(t *testing.T) {
	rep := make(map[rune]bool)
	for _, r := range Repertoire() {
		rep[r] = true
	}
	alphabet := []rune("ءآأؤإئابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیۀة ـ\u064E\u0650\u0651\u0654\u200C\u200D")
	for _, a := range alphabet {
		for _, b := range alphabet {
			for _, c := range alphabet {
				in := string([]rune{a, b, c})
				for _, r := range Visual(Shape(in)) {
					if !rep[r] {
						t.Fatalf("Visual(Shape(%q)) emits %04X, not in Repertoire", in, r)
					}
				}
			}
		}
	}
}

func FuzzShape(f *testing.F) {
	for _, s := range []string{"سلام", "هزینه\u200Cکرد", "لَا", "ب\u200Dـۀ", "QZV-1404", "\u0651\u200C"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Shape(s)
		if strings.ContainsRune(out, zwnj) || strings.ContainsRune(out, zwj) {
			t.Errorf("Shape(%q) = %s keeps a ZWNJ or ZWJ", s, hex(out))
		}
		if n, m := len([]rune(out)), len([]rune(s)); n > m {
			t.Errorf("Shape(%q) has %d runes, more than the input's %d", s, n, m)
		}
		for _, r := range out {
			if _, ok := letterForms[r]; ok && r != 0x06C0 {
				t.Errorf("Shape(%q) = %s leaves letter %04X unshaped", s, hex(out), r)
			}
		}
	})
}
