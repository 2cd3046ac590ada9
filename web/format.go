package web

import (
	"html/template"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/reports/fa"
)

// The template functions: Persian digits, amounts and Jalali dates as the
// pages show them. Dates come from the root package's Jalali conversion
// (taahod.Date.JalaliYMD); there is no second calendar here.

// funcs returns the functions every template may call.
func funcs(st *staticFiles) template.FuncMap {
	return template.FuncMap{
		"static":       st.url,
		"fa":           PersianDigits,
		"amount":       Amount,
		"number":       Number,
		"dateText":     DateText,
		"dateTable":    DateTable,
		"timeTable":    TimeTable,
		"bdi":          Isolate,
		"fileName":     FileName,
		"roleName":     RoleName,
		"message":      Message,
		"homeOf":       homeOf,
		"displayOf":    func(a *taahod.Actor) string { return a.DisplayName() },
		"fieldError":   func(f *form, name string) string { return f.Error(name) },
		"value":        func(f *form, name string) string { return f.Value(name) },
		"expStatus":    ExpenditureStatusName,
		"pledgeStatus": PledgeStatusName,
		"category":     CategoryName,
		"decision":     DecisionName,
		"deref":        deref,
		"isImage":      isImage,
		"fieldOf":      fieldOf,
		// The tax office's (tax_labels.go).
		"certStatus":     CertificateStatusName,
		"policyMode":     PolicyModeName,
		"roundingName":   RoundingName,
		"optionalAmount": OptionalAmount,
		// The secretariat's sessions and resolutions (secretariat_labels.go).
		"sessionKind": SessionKindName,
		"resStatus":   ResolutionStatusName,
		"resCategory": ResolutionCategoryName,
		"rowField":    resolutionRowField,
		"rowOf":       resolutionRowOf,
		"inc":         func(i int) int { return i + 1 },
		// The education department's (education_labels.go).
		"schoolStatus": SchoolStatusName,
		"schoolKind":   SchoolKindName,
		"progressKind": ProgressKindName,
		"wholeNumber":  WholeNumber,
		// The public site's (public_labels.go).
		"count":       Count,
		"caseChannel": CaseChannelName,
		"caseOutcome": CaseOutcomeName,
	}
}

// PersianDigits writes the ASCII digits of s as Persian ones (۰–۹) and
// leaves the rest: the pages write digits as the PDFs do (fa.Digits).
func PersianDigits(s string) string { return fa.Digits(s) }

// Number writes d exactly in Persian digits, its whole part grouped by
// thousands with «٬» and its fraction after «٫» ("۱٬۲۵۰٬۰۰۰٫۵"). It reads
// the canonical text of taahod.FormatAmount, never a float.
func Number(d decimal.Decimal) string {
	s := fa.GroupAmount(taahod.FormatAmount(d))
	// A minus sign, not the PDFs' hyphen: a screen reader says it.
	if rest, neg := strings.CutPrefix(s, "-"); neg {
		return "−" + rest
	}
	return s
}

// Count writes a whole number as the pages show counts: Persian digits
// grouped by thousands («۱٬۲۵۰»).
func Count(n int) string { return Number(decimal.NewFromInt(int64(n))) }

// Percent writes a rate (0.8846…) as the pages and the yearly report show
// it: a percentage with two decimals, the Persian decimal separator and
// sign («۸۸٫۴۶٪»).
func Percent(rate decimal.Decimal) string {
	return strings.Replace(PersianDigits(rate.Mul(decimal.NewFromInt(100)).StringFixed(2)), ".", "٫", 1) + "٪"
}

// Amount writes an amount of Rials as the pages show it: Number followed
// by «ریال» ("۱٬۲۵۰٬۰۰۰ ریال").
func Amount(d decimal.Decimal) string { return Number(d) + " ریال" }

// monthNames are the Solar Hijri months, Farvardin first.
var monthNames = [...]string{"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
	"مهر", "آبان", "آذر", "دی", "بهمن", "اسفند"}

// DateText writes a date as running text says it: «۱۵ آذر ۱۴۰۵». The zero
// Date is "".
func DateText(d taahod.Date) string {
	if d.IsZero() {
		return ""
	}
	y, m, day := d.JalaliYMD()
	return PersianDigits(strconv.Itoa(day)) + " " + monthNames[m-1] + " " + PersianDigits(strconv.Itoa(y))
}

// DateTable writes a date as a table column shows it: ۱۴۰۵/۰۹/۱۵. The zero
// Date is "".
func DateTable(d taahod.Date) string {
	if d.IsZero() {
		return ""
	}
	return PersianDigits(d.Jalali())
}

// TimeTable writes an instant in Tehran time as ۱۴۰۵/۰۹/۱۵ ۱۴:۳۰.
func TimeTable(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	local := t.In(taahod.Tehran())
	return PersianDigits(taahod.DateOf(local).Jalali() + " " + local.Format("15:04"))
}

// Isolate wraps a Latin identifier (a serial, an invoice number, a national
// id) in <bdi>, so that it reads left to right, whole, inside Persian text.
func Isolate(s string) template.HTML {
	return template.HTML("<bdi>" + template.HTMLEscapeString(s) + "</bdi>")
}

// FileName writes a document's name to read left to right whole, as file
// names are written, even when it mixes Persian words and Latin digits
// («فاکتور 1404-0931.pdf»): a left-to-right isolate with a left-to-right
// mark before each run of digits, so that digits after a Persian word keep
// their order and stay with the extension after them.
func FileName(name string) template.HTML {
	var b strings.Builder
	digit := false
	for _, r := range name {
		d := unicode.IsDigit(r)
		if d && !digit {
			b.WriteRune('\u200e')
		}
		digit = d
		b.WriteString(template.HTMLEscapeString(string(r)))
	}
	return template.HTML(`<bdi dir="ltr">` + b.String() + `</bdi>`)
}

// roleNames are the roles as people in the province call them.
var roleNames = map[taahod.Role]string{
	taahod.RoleAdmin:            "مدیر سامانه",
	taahod.RoleSecretariat:      "دبیرخانه کارگروه",
	taahod.RoleAccountant:       "حسابدار واحد",
	taahod.RoleTaxOfficer:       "کارشناس اداره کل امور مالیاتی",
	taahod.RoleEducationOfficer: "کارشناس آموزش و پرورش",
	taahod.RoleAuditor:          "حسابرس",
}

// RoleName is the role's Persian name.
func RoleName(r taahod.Role) string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return string(r)
}
