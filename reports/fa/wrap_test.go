package fa

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// runeWidth is a fake measure: one unit per rune.
func runeWidth(s string) float64 { return float64(utf8.RuneCountInString(s)) }

func TestWrap(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width float64
		want  []string
	}{
		{"fits", "سلام دنیا", 20, []string{"سلام دنیا"}},
		{"breaks at spaces", "یک دو سه چهار پنج", 7, []string{"یک دو", "سه چهار", "پنج"}},
		{"exact width", "یک دو", 5, []string{"یک دو"}},
		{"long word alone", "من هزینه\u200Cکردها را دیدم", 6, []string{"من", "هزینه\u200Cکردها", "را", "دیدم"}},
		{"paragraphs", "الف ب\nپ\r\n\nت", 10, []string{"الف ب", "پ", "", "ت"}},
		{"spaces collapse", "  الف \t  ب  ", 10, []string{"الف ب"}},
		{"empty", "", 10, []string{""}},
		{"serial kept whole", "گواهی QZV-1404-000001 صادر شد", 16, []string{"گواهی", "QZV-1404-000001", "صادر شد"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Wrap(tt.text, tt.width, runeWidth)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("Wrap(%q, %v) = %q, want %q", tt.text, tt.width, got, tt.want)
			}
		})
	}
}

// TestWrapMeasuresShapedText checks that Wrap measures the shaped line: a
// ZWNJ disappears in shaping, so it does not count.
func TestWrapMeasuresShapedText(t *testing.T) {
	got := Wrap("می\u200Cشود آن", 9, runeWidth)
	if len(got) != 1 {
		t.Errorf("Wrap measured unshaped text: %q", got)
	}
}

// fields splits at the runes Wrap breaks lines at.
func fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '\t' })
}

// checkWrap checks that no line of a wrap is wider than width unless it
// holds a single word, and that the lines hold the words of text in order.
func checkWrap(t *testing.T, text string, width float64, lines []string) {
	t.Helper()
	var words, wrapped []string
	for _, p := range strings.Split(text, "\n") {
		words = append(words, fields(strings.TrimSuffix(p, "\r"))...)
	}
	for _, l := range lines {
		lw := fields(l)
		if len(lw) > 1 && runeWidth(Shape(l)) > width {
			t.Errorf("line %q is wider than %v", l, width)
		}
		wrapped = append(wrapped, lw...)
	}
	if strings.Join(wrapped, " ") != strings.Join(words, " ") {
		t.Errorf("Wrap(%q, %v) = %q loses or reorders words", text, width, lines)
	}
}

// TestShapeIsLocalToWords checks what Wrap relies on to shape each word
// once: a space breaks every join, so shaping two words with a space between
// them is shaping each on its own.
func TestShapeIsLocalToWords(t *testing.T) {
	words := fields("لا الله لأ می‌شود ِبِ ‍ب ب‍ ـ ۀ هٔ QZV-1404 «گواهی» (ب) آ بـ")
	for _, a := range words {
		for _, b := range words {
			if got, want := Shape(a+" "+b), Shape(a)+" "+Shape(b); got != want {
				t.Errorf("Shape(%q) = %q, want %q", a+" "+b, got, want)
			}
		}
	}
}

func TestWrapProperties(t *testing.T) {
	text := "کارگروه تسهیل و رفع موانع تولید استان قزوین در سال ۱۴۰۳ با برگزاری ۶۸ جلسه رسمی ۳۵۳ مصوبه داشت که ۳۴۱ مصوبه اجرایی شد؛\n" +
		"هزینه‌کرد واحدها برای ساخت مدارس به عنوان مالیات ماده ۱۷۲ پذیرفته می‌شود. شماره گواهی QZV-1404-000001"
	for width := 1.0; width <= 60; width++ {
		checkWrap(t, text, width, Wrap(text, width, runeWidth))
	}
}

func FuzzWrap(f *testing.F) {
	f.Add("سلام دنیا\nگواهی QZV-1", 5.0)
	f.Add("  a  b\r\n\t", 0.0)
	f.Add("لا الله‍ ـب", 3.0)
	f.Fuzz(func(t *testing.T, text string, width float64) {
		checkWrap(t, text, width, Wrap(text, width, runeWidth))
		// Wrap shapes word by word; that must equal shaping the line.
		words := fields(strings.ReplaceAll(text, "\n", " "))
		shaped := make([]string, len(words))
		for i, w := range words {
			shaped[i] = Shape(w)
		}
		if got, want := strings.Join(shaped, " "), Shape(strings.Join(words, " ")); got != want {
			t.Errorf("shaping %q word by word gives %q, the line %q", words, got, want)
		}
	})
}

func TestLines(t *testing.T) {
	got := Lines("يك دو سه\nكتاب", 5, runeWidth)
	want := []string{
		Visual(Shape("یک دو")),
		Visual(Shape("سه")),
		Visual(Shape("کتاب")),
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Lines = %q, want %q", got, want)
	}
	// The first line, as drawn left to right: دو, space, یک.
	if want := cps(0xFEED, 0xFEA9, ' ', 0xFB8F, 0xFBFE); got[0] != want {
		t.Errorf("Lines[0] = %s, want %s", hex(got[0]), hex(want))
	}
}
