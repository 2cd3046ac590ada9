package web

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
)

func TestNumberAndAmount(t *testing.T) {
	cases := []struct{ in, number string }{
		{"0", "۰"},
		{"5", "۵"},
		{"999", "۹۹۹"},
		{"1000", "۱٬۰۰۰"},
		{"1250000000", "۱٬۲۵۰٬۰۰۰٬۰۰۰"},
		{"1500.5", "۱٬۵۰۰٫۵"},
		{"1500.50", "۱٬۵۰۰٫۵"},
		{"12.05", "۱۲٫۰۵"},
		{"123456789012345678.99", "۱۲۳٬۴۵۶٬۷۸۹٬۰۱۲٬۳۴۵٬۶۷۸٫۹۹"},
		{"-20000", "−۲۰٬۰۰۰"},
	}
	for _, c := range cases {
		d := decimal.RequireFromString(c.in)
		if got := Number(d); got != c.number {
			t.Errorf("Number(%s) = %q, want %q", c.in, got, c.number)
		}
		if got := Amount(d); got != c.number+" ریال" {
			t.Errorf("Amount(%s) = %q", c.in, got)
		}
	}
	// Exact beyond a float's 53 bits.
	if got := Number(decimal.RequireFromString("9007199254740993")); got != "۹٬۰۰۷٬۱۹۹٬۲۵۴٬۷۴۰٬۹۹۳" {
		t.Errorf("not exact: %q", got)
	}
}

func TestDates(t *testing.T) {
	d, err := taahod.ParseJalali("1405/09/15")
	if err != nil {
		t.Fatal(err)
	}
	if got := DateText(d); got != "۱۵ آذر ۱۴۰۵" {
		t.Errorf("DateText = %q", got)
	}
	if got := DateTable(d); got != "۱۴۰۵/۰۹/۱۵" {
		t.Errorf("DateTable = %q", got)
	}
	first, _ := taahod.ParseJalali("1404/01/01")
	last, _ := taahod.ParseJalali("1403/12/30")
	if DateText(first) != "۱ فروردین ۱۴۰۴" || DateText(last) != "۳۰ اسفند ۱۴۰۳" {
		t.Errorf("month ends: %q %q", DateText(first), DateText(last))
	}
	if DateText(taahod.Date{}) != "" || DateTable(taahod.Date{}) != "" || TimeTable(time.Time{}) != "" {
		t.Errorf("the zero date is not blank")
	}
	// 2026-12-06 10:30 UTC is 14:00 in Tehran, 1405/09/15.
	if got := TimeTable(time.Date(2026, 12, 6, 10, 30, 0, 0, time.UTC)); got != "۱۴۰۵/۰۹/۱۵ ۱۴:۰۰" {
		t.Errorf("TimeTable = %q", got)
	}
}

func TestPersianDigitsAndIsolate(t *testing.T) {
	if got := PersianDigits("QZV-1404-000001 سال 1404"); got != "QZV-۱۴۰۴-۰۰۰۰۰۱ سال ۱۴۰۴" {
		t.Errorf("PersianDigits = %q", got)
	}
	if got := string(Isolate("INV-<12>")); got != "<bdi>INV-&lt;12&gt;</bdi>" {
		t.Errorf("Isolate = %q", got)
	}
	if RoleName(taahod.RoleAccountant) != "حسابدار واحد" || RoleName("robot") != "robot" {
		t.Errorf("RoleName")
	}
}

// TestPercentAndFileName: one way to write a rate, one to write a file's
// name.
func TestPercentAndFileName(t *testing.T) {
	for in, want := range map[string]string{"0.8846153846": "۸۸٫۴۶٪", "1": "۱۰۰٫۰۰٪", "0": "۰٫۰۰٪", "0.33335": "۳۳٫۳۴٪"} {
		if got := Percent(decimal.RequireFromString(in)); got != want {
			t.Errorf("Percent(%s) = %q, want %q", in, got, want)
		}
	}
	if got := string(FileName("اسکلت <1>.png")); got != "<bdi dir=\"ltr\">اسکلت &lt;\u200e1&gt;.png</bdi>" {
		t.Errorf("FileName = %q", got)
	}
}
