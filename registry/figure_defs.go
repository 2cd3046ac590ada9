package registry

import (
	"slices"

	"github.com/taahod/taahod"
)

// source is the kind of record a figure counts.
type source int

const (
	fromSessions      source = iota // sessions s held in the year
	fromResolutions                 // resolutions r adopted in the year
	fromExaminedUnits               // distinct units of the year's resolutions r (cond over r)
	fromCases                       // cases c opened in the year
	fromRevivedUnits                // distinct units with a revival v dated in the year
	fromSchools                     // school projects pledged in the year
)

// figureDef defines one figure of the yearly report. The count and the rows
// behind it are both built from source and cond, so the rows endpoint lists
// exactly what the figure counts.
type figureDef struct {
	name   string
	source source
	// cond narrows the source's rows of the year: SQL over its alias (s, r,
	// c or v), without parameters.
	cond string
	// doc says what the figure counts, for people.
	doc string
}

// figureDefs are the figures, in the order of the report. The conditions are
// fixed text: never built from input.
var figureDefs = []figureDef{
	{"sessions.formal", fromSessions, "s.kind = 'formal'", "formal sessions held in the year"},
	{"sessions.field", fromSessions, "s.kind = 'field'", "field sessions held in the year"},
	{"sessions.site_visit", fromSessions, "s.kind = 'site_visit'", "site visits (Industry, Agriculture and Tourism Wednesdays) in the year"},
	{"sessions.total", fromSessions, "TRUE", "sessions of every kind held in the year"},
	{"resolutions.total", fromResolutions, "TRUE", "resolutions adopted in the year (the session's date, or the adoption date of one outside a session)"},
	{"resolutions.implemented", fromResolutions, "r.status = 'implemented'", "the year's resolutions whose latest status is implemented"},
	{"resolutions.in_follow_up", fromResolutions, "r.status = 'in_follow_up'", "the year's resolutions whose latest status is in_follow_up"},
	{"resolutions.not_implemented", fromResolutions, "r.status = 'not_implemented'", "the year's resolutions whose latest status is not_implemented"},
	{"resolutions.notified", fromResolutions, "r.status = 'notified'", "the year's resolutions with no status change since notification"},
	{"resolutions.cancelled", fromResolutions, "r.status = 'cancelled'", "the year's resolutions whose latest status is cancelled"},
	{"implementation_rate.denominator", fromResolutions, "r.status <> 'cancelled'", "the year's resolutions less the cancelled ones: the implementation rate's denominator"},
	{"units_examined", fromExaminedUnits, "TRUE", "distinct units with at least one resolution in the year"},
	{"units_examined_in_field_sessions", fromExaminedUnits, "r.session_kind = 'field'", "distinct units with at least one resolution of a field session in the year"},
	{"cases_resolved_without_session", fromCases, "c.channel IN ('phone_inquiry', 'written_inquiry') AND c.outcome = 'resolved'", "phone or written inquiries opened in the year with outcome resolved"},
	{"referrals", fromCases, "c.channel IN ('referral_provincial', 'referral_national')", "cases opened in the year that were referred to the provincial or national headquarters"},
	{"revived_units", fromRevivedUnits, "TRUE", "distinct units with a revival dated in the year"},
	{"schools_pledged", fromSchools, "", "distinct school projects with at least one pledge dated in the year"},
}

// figureIndex places each figure's name in figureDefs.
var figureIndex = func() map[string]int {
	at := make(map[string]int, len(figureDefs))
	for i, f := range figureDefs {
		at[f.name] = i
	}
	return at
}()

// FigureNames lists the names GET /reports/registry/rows takes, in the
// order of the report.
func FigureNames() []string {
	names := make([]string, len(figureDefs))
	for i, f := range figureDefs {
		names[i] = f.name
	}
	return names
}

// FigureDoc returns what the named figure counts, and whether it exists.
func FigureDoc(name string) (string, bool) {
	f, ok := lookUpFigure(name)
	return f.doc, ok
}

func lookUpFigure(name string) (figureDef, bool) {
	i := slices.IndexFunc(figureDefs, func(f figureDef) bool { return f.name == name })
	if i < 0 {
		return figureDef{}, false
	}
	return figureDefs[i], true
}

func unknownFigure(name string) error {
	msg := "figure must be one of the report's figures, such as resolutions.implemented"
	if name == "" {
		return taahod.Invalid("figure", "required", msg)
	}
	return taahod.Invalid("figure", "invalid_choice", msg)
}
