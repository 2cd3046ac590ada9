package export

import "github.com/taahod/taahod"

// dayTexts remembers the texts of the days a file has shown. A long list
// has few distinct days (a year has 365; 100,000 expenditures are spent on
// a few hundred), and making a day's Jalali and ISO text (a calendar
// conversion and two fmt.Sprintf) is most of what a date cell costs.
type dayTexts map[taahod.Date]dayText

// dayText is a day's Solar Hijri text and its ISO date.
type dayText struct{ jalali, iso string }

// maxDayTexts bounds what dayTexts keeps: a list of more distinct days
// makes the texts of the others each time.
const maxDayTexts = 4096

// of is d's texts.
func (m dayTexts) of(d taahod.Date) dayText {
	if t, ok := m[d]; ok {
		return t
	}
	t := dayText{jalali: d.Jalali(), iso: d.String()}
	if len(m) < maxDayTexts {
		m[d] = t
	}
	return t
}
