package web

import "testing"

func TestVerifySummaryInPersian(t *testing.T) {
	for in, want := range map[string]string{
		"9 entries": "۹ رویداد",
		"3 transactions, 12 postings, 4 accounts": "۳ تراکنش، ۱۲ ردیف سند، ۴ حساب",
		"0 reviewed expenditures":                 "۰ هزینه بررسی‌شده",
		"2 widgets":                               "",
		"":                                        "",
	} {
		if got := summaryText(in); got != want {
			t.Errorf("summaryText(%q) = %q, want %q", in, got, want)
		}
	}
}
