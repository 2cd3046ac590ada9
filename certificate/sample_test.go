package certificate

import (
	"crypto/ed25519"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports"
)

// testSigner signs with a fixed key, so tests and the sample are
// reproducible.
func testSigner(t testing.TB) *Signer {
	t.Helper()
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(i * 7)
	}
	s, err := NewSigner(ed25519.NewKeyFromSeed(seed))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

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
func sampleCertificate(t testing.TB) reports.Certificate {
	t.Helper()
	exp := func(y, m, d int, invoice, vendor, school, amt string) reports.CertificateExpenditure {
		return reports.CertificateExpenditure{SpentOn: jalali(t, y, m, d), InvoiceNo: invoice, Vendor: vendor,
			School: school, AmountUsed: amount(t, amt)}
	}
	const (
		school1 = "دبستان شهید رجایی آبیک"
		school2 = "هنرستان کاردانش شهید بهشتی قزوین"
		school3 = "مرکز آموزشی دخترانهٔ فرزانگان البرز"
	)
	return reports.Certificate{
		Province:   "قزوین",
		Serial:     "QZV-1404-000017",
		IssuePlace: "قزوین",
		IssuedOn:   jalali(t, 1404, 9, 5),
		Unit: reports.CertificateUnit{
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
		Expenditures: []reports.CertificateExpenditure{
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

// issuedSample signs and renders the sample certificate.
func issuedSample(t testing.TB) (reports.Certificate, *IssuedCertificate) {
	t.Helper()
	c := sampleCertificate(t)
	out, err := Issue(c, testSigner(t))
	if err != nil {
		t.Fatal(err)
	}
	c.QRURL, c.PayloadSHA256, c.VerificationCode = out.QRURL, out.FactsSHA256, out.VerificationCode
	return c, out
}

// hasField reports whether err is an EINVALID that names field.
func hasField(err error, field string) bool {
	e, ok := err.(*taahod.Error)
	if !ok || e.Code != taahod.EINVALID {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
