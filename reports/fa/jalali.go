package fa

import "fmt"

// monthNames are the months of the Solar Hijri calendar, from فروردین.
var monthNames = [...]string{
	"فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
	"مهر", "آبان", "آذر", "دی", "بهمن", "اسفند",
}

// MonthName returns the Persian name of month m (1 = فروردین … 12 = اسفند)
// of the Solar Hijri calendar, or "" if m is out of range.
func MonthName(m int) string {
	if m < 1 || m > len(monthNames) {
		return ""
	}
	return monthNames[m-1]
}

// JalaliDate formats a Solar Hijri date in Persian digits as year/month/day
// with two-digit month and day: JalaliDate(1404, 9, 5) is "۱۴۰۴/۰۹/۰۵". It
// only formats; converting from the Gregorian calendar is done elsewhere.
func JalaliDate(y, m, d int) string {
	return Digits(fmt.Sprintf("%04d/%02d/%02d", y, m, d))
}

// LongDate formats a Solar Hijri date as day, month name and year in Persian
// digits: LongDate(1404, 9, 5) is "۵ آذر ۱۴۰۴". An out-of-range month
// yields its number instead of a name, so the mistake stays visible.
func LongDate(y, m, d int) string {
	name := MonthName(m)
	if name == "" {
		name = Digits(fmt.Sprint(m))
	}
	return Digits(fmt.Sprint(d)) + " " + name + " " + Digits(fmt.Sprint(y))
}
