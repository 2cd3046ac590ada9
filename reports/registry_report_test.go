package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestRegistryReportPDF(t *testing.T) {
	r := sampleRegistryReport(t)
	pdf, err := RenderRegistryReport(r)
	if err != nil {
		t.Fatal(err)
	}
	if *sampleOut != "" {
		if err := os.WriteFile(filepath.Join(*sampleOut, "sample-registry-report.pdf"), pdf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text := pdfText(t, pdf, 0, 0)
	want := []string{
		"گزارش سالانهٔ کارگروه تسهیل و رفع موانع تولید — سال ۱۴۰۴",
		"۲۰ اسفند ۱۴۰۴",
		// The percent sign follows the number, right of it, as the bidi
		// algorithm places a terminator after European digits.
		"نرخ اجرای مصوبات", "۸۸٫۴۶٪", r.RateNote,
		"مصوبات به تفکیک وضعیت", "مصوبات به تفکیک موضوع",
		"بانک ملی ایران، مدیریت شعب استان قزوین", "۳ مصوبهٔ معوق",
		// A long resolution wraps within its cell.
		"تمدید مهلت بازپرداخت تسهیلات سرمایه در گردش", "بر اساس بخشنامهٔ بانک مرکزی",
		"۱۴۰۴/۰۸/۳۰", "۱۴۱۲",
		"شرکت توزیع نیروی برق استان قزوین", "افزایش قدرت انشعاب برق واحد به ۲ مگاوات",
	}
	for _, f := range r.Figures {
		want = append(want, f.Label+" "+toPersianDigits(strconv.Itoa(f.Value)))
	}
	for _, b := range append(r.ByStatus, r.ByCategory...) {
		want = append(want, b.Label)
	}
	for _, w := range want {
		if !strings.Contains(text, readable(w)) {
			t.Errorf("pdftotext lacks %q", w)
		}
	}
	if fonts := pdfFonts(t, pdf); len(fonts) != 1 || !fonts[0].embedded || !fonts[0].subset {
		t.Errorf("fonts %+v, want one embedded subset", fonts)
	}
	again, err := RenderRegistryReport(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pdf, again) {
		t.Error("two renderings of the same report differ")
	}
}

// TestRegistryReportOverdueDays: each overdue resolution shows its days
// overdue, and each agency's table ends with a total row: the number of
// resolutions and their days overdue added up.
func TestRegistryReportOverdueDays(t *testing.T) {
	pdf, err := RenderRegistryReport(sampleRegistryReport(t))
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf, 0, 0)
	for _, w := range []string{
		"روز تأخیر", "روزهای تأخیر تا ۲۰ اسفند ۱۴۰۴ شمرده شده است",
		"۱۱۰", "۹۵", "۷۹", // the bank's three resolutions
		"جمع ۳ مصوبه", "۲۸۴", // 110 + 95 + 79
		"جمع ۱ مصوبه",
	} {
		if !strings.Contains(text, readable(w)) {
			t.Errorf("pdftotext lacks %q", w)
		}
	}
}

func TestRegistryReportEmpty(t *testing.T) {
	r := RegistryReport{Year: 1405, GeneratedOn: jalali(t, 1405, 1, 15)}
	pdf, err := RenderRegistryReport(r)
	if err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, pdf, 0, 0)
	for _, w := range []string{"سال ۱۴۰۵", "مصوبهٔ معوقی ثبت نشده است.", "موردی ثبت نشده است."} {
		if !strings.Contains(text, readable(w)) {
			t.Errorf("pdftotext lacks %q", w)
		}
	}
}

func TestRenderRegistryReportRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*RegistryReport)
		field string
	}{
		{"Gregorian year", func(r *RegistryReport) { r.Year = 2025 }, "year"},
		{"rate over one", func(r *RegistryReport) { r.ImplementationRate = "1.2" }, "implementation_rate"},
		{"rate not a number", func(r *RegistryReport) { r.ImplementationRate = "88%" }, "implementation_rate"},
		{"negative count", func(r *RegistryReport) { r.ByCategory[0].Count = -1 }, "bars"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := sampleRegistryReport(t)
			tt.edit(&r)
			if _, err := RenderRegistryReport(r); !hasField(err, tt.field) {
				t.Errorf("err = %v, want EINVALID naming %s", err, tt.field)
			}
		})
	}
}

func TestBarLength(t *testing.T) {
	const span = 10_000 // hundredths of a millimetre
	tests := []struct {
		count, most int
		want        float64
	}{
		{230, 230, 100},
		{0, 230, 0},
		{30, 230, 13.04}, // 300000/230 = 1304.3, truncated to whole hundredths
		{1, 3, 33.33},
		{0, 0, 0},
	}
	for _, tt := range tests {
		if got := barLength(span, tt.count, tt.most); got != tt.want {
			t.Errorf("barLength(%d of %d) = %v, want %v", tt.count, tt.most, got, tt.want)
		}
	}
}
