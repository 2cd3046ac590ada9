package reports

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

func jalali(t testing.TB, y, m, d int) taahod.Date {
	t.Helper()
	date, err := taahod.FromJalali(y, m, d)
	if err != nil {
		t.Fatal(err)
	}
	return date
}

func amount(t testing.TB, s string) decimal.Decimal {
	t.Helper()
	a, err := taahod.ParseAmountAllowZero(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// sampleCertificate is a realistic certificate of a Qazvin unit for fiscal
// year 1404: eight expenditures summing to the offset of 1234567890.5 Rials.
// It is not yet signed: issuing fills in QRURL, PayloadSHA256 and
// VerificationCode.
func sampleCertificate(t testing.TB) Certificate {
	t.Helper()
	exp := func(y, m, d int, invoice, vendor, school, amt string) CertificateExpenditure {
		return CertificateExpenditure{SpentOn: jalali(t, y, m, d), InvoiceNo: invoice, Vendor: vendor,
			School: school, AmountUsed: amount(t, amt)}
	}
	const (
		school1 = "دبستان شهید رجایی آبیک"
		school2 = "هنرستان کاردانش شهید بهشتی قزوین"
		school3 = "مرکز آموزشی دخترانهٔ فرزانگان البرز"
	)
	return Certificate{
		Province:   "قزوین",
		Serial:     "QZV-1404-000017",
		IssuePlace: "قزوین",
		IssuedOn:   jalali(t, 1404, 9, 5),
		Unit: CertificateUnit{
			Name:         "شرکت صنایع غذایی نوین‌دشت قزوین (سهامی خاص)",
			NationalID:   taahod.MakeLegalEntityID("1086001234"),
			EconomicCode: "411155667788",
			County:       "آبیک",
		},
		FiscalYear:           1404,
		TaxDue:               amount(t, "2500000000"),
		EligibleSpendingUsed: amount(t, "1234567890.5"),
		OffsetAmount:         amount(t, "1234567890.5"),
		LegalBasis:           "ماده ۱۷۲ اصلاحی قانون مالیات‌های مستقیم و بند «ی» تبصرهٔ ۶ قانون بودجهٔ سال ۱۴۰۴ کل کشور",
		PolicyMode:           "credit",
		Expenditures: []CertificateExpenditure{
			exp(1404, 1, 20, "INV-1404-0117", "شرکت مصالح ساختمانی پارس", school1, "310000000"),
			exp(1404, 2, 5, "۲۳۴۵", "بتن آماده قزوین", school1, "245500000"),
			exp(1404, 3, 12, "F-88231", "آهن‌آلات امید", school2, "198765432"),
			exp(1404, 4, 1, "1290", "دفتر فنی مهندسان مشاور طرح‌نو (طراحی و نظارت)", school2, "85000000"),
			exp(1404, 5, 18, "INV-553", "تجهیزات آموزشی دانش‌افزار", school3, "120300000.5"),
			exp(1404, 6, 22, "7781", "شرکت تأسیسات حرارتی البرز", school3, "140000000"),
			exp(1404, 7, 9, "EQ-1404-19", "فروشگاه لوازم‌التحریر و تجهیزات مدرسه مهر", school3, "60000000"),
			exp(1404, 8, 2, "3342", "پیمانکاری ساختمان کوثر", school1, "75002458"),
		},
		Officer:    "مریم احمدی، کارشناس ارشد مالیاتی",
		Supersedes: "QZV-1404-000009",
		PublicURL:  "https://taahod.example",
	}
}

// The sample certificate as the certificate package issues it with the
// test key: its QR URL, facts digest and verification code (its
// TestSampleIssue checks them), so that the layout is tested here without
// signing.
const (
	sampleQRURL       = "HTTPS://TAAHOD.EXAMPLE/Q/AEBVCWSWAV6AAAARAV6AAT6CAECQFX64DQ4RBPEIXCUHWPE5ZMKT5M3DHY24CNL6UY5YZPTJ6AS2RANTY3MF4SUEIHBVOQGX63VUSETOUGH3JLRUJO47AVHXU7JKVQNYF7U4UYZS3SYPYIOH7I6A2CI"
	sampleFactsSHA256 = "10bc88b8a87b3c9d1f79ad68697a4bf375243be8264f5bd32ec50c5bb02c55d0"
	sampleCode        = "TN4A-1RFM-XA"
)

// sampleIssue is what the tests of the layout use of an issued
// certificate: its PDF as issued and what the PDF prints of its signing.
type sampleIssue struct {
	PDF              []byte
	PDFSHA256        string
	QRURL            string
	FactsSHA256      string
	VerificationCode string
}

// issuedSample renders the sample certificate as issued.
func issuedSample(t testing.TB) (Certificate, *sampleIssue) {
	t.Helper()
	c := sampleCertificate(t)
	c.QRURL, c.PayloadSHA256, c.VerificationCode = sampleQRURL, sampleFactsSHA256, sampleCode
	pdf, err := RenderCertificate(c, ModeFinal)
	if err != nil {
		t.Fatal(err)
	}
	return c, &sampleIssue{PDF: pdf, PDFSHA256: fmt.Sprintf("%x", sha256.Sum256(pdf)),
		QRURL: c.QRURL, FactsSHA256: c.PayloadSHA256, VerificationCode: c.VerificationCode}
}

// sampleRegistryReport is the Qazvin working group's 1404 report, with the
// figures of the source article and a few overdue resolutions.
func sampleRegistryReport(t testing.TB) RegistryReport {
	t.Helper()
	return RegistryReport{
		Year:        1404,
		GeneratedOn: jalali(t, 1404, 12, 20),
		Figures: []ReportFigure{
			{"جلسات رسمی", 28},
			{"جلسات میدانی در شهرستان‌ها", 6},
			{"مصوبات", 260},
			{"مصوبات اجراشده", 230},
			{"واحدهای تولیدی بررسی‌شده", 228},
			{"واحدهای بررسی‌شده در جلسات میدانی", 26},
			{"پرونده‌های حل‌شده بدون جلسه (استعلام تلفنی یا کتبی)", 70},
			{"ارجاع به ستاد تسهیل استانی و ملی", 10},
			{"واحدهای راکد احیاشده", 0},
			{"مدارس تعهدشده", 10},
		},
		OverdueAsOf:        jalali(t, 1404, 12, 20),
		ImplementationRate: "0.8846",
		RateNote:           "مصوبات اجراشده (۲۳۰) تقسیم بر همهٔ مصوبات سال به‌جز لغوشده‌ها (۲۶۰)، بدون گرد کردن تا چهار رقم اعشار.",
		ByStatus: []ReportBar{
			{"اجراشده", 230}, {"در حال پیگیری", 30}, {"ابلاغ‌شده", 0}, {"اجرانشده", 0}, {"لغوشده", 0},
		},
		ByCategory: []ReportBar{
			{"بانکی و تسهیلات", 74}, {"مالیاتی", 41}, {"تأمین اجتماعی", 38}, {"گاز و برق", 35},
			{"زمین و مجوزها", 29}, {"گمرکی", 12}, {"سایر", 31},
		},
		Overdue: []OverdueAgency{
			{Agency: "بانک ملی ایران، مدیریت شعب استان قزوین", Count: 3, Items: []OverdueItem{
				{ID: 1412, Text: "تمدید مهلت بازپرداخت تسهیلات سرمایه در گردش واحد به مدت شش ماه و تقسیط جرایم تأخیر بر اساس بخشنامهٔ بانک مرکزی", Deadline: jalali(t, 1404, 8, 30), DaysOverdue: 110, UnitName: "شرکت صنایع غذایی نوین‌دشت قزوین (سهامی خاص)"},
				{ID: 1467, Text: "بررسی درخواست تسهیلات بازسازی خط تولید", Deadline: jalali(t, 1404, 9, 15), DaysOverdue: 95, UnitName: "شرکت کاشی البرز"},
				{ID: 1502, Text: "رفع توقیف حساب‌های واحد پس از تسویهٔ اقساط معوق", Deadline: jalali(t, 1404, 10, 1), DaysOverdue: 79},
			}},
			{Agency: "شرکت توزیع نیروی برق استان قزوین", Count: 1, Items: []OverdueItem{
				{ID: 1390, Text: "افزایش قدرت انشعاب برق واحد به ۲ مگاوات", Deadline: jalali(t, 1404, 7, 20), DaysOverdue: 150, UnitName: "شرکت ریخته‌گری آبیک"},
			}},
		},
	}
}
