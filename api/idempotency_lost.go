package api

import (
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// recordPaths maps the target type of an audit entry to the path of the
// record it names, for the answer of a request whose work committed but whose
// response was lost. A type without a page of its own (an import) has none.
var recordPaths = map[string]string{
	"unit":          "/api/v1/units/",
	"pledge":        "/api/v1/pledges/",
	"expenditure":   "/api/v1/expenditures/",
	"school":        "/api/v1/schools/",
	"session":       "/api/v1/sessions/",
	"case":          "/api/v1/cases/",
	"resolution":    "/api/v1/resolutions/",
	"certificate":   "/api/v1/certificates/",
	"user":          "/api/v1/users/",
	"offset_policy": "/api/v1/policies/",
}

// recordPath is the path of the record an audit entry names, or "".
func recordPath(targetType, targetID string) string {
	if targetID == "" {
		return ""
	}
	if targetType == "tax_year" { // "unit/year", as ledger's taxYearTarget
		unit, year, ok := strings.Cut(targetID, "/")
		if !ok {
			return ""
		}
		return "/api/v1/units/" + url.PathEscape(unit) + "/tax-years/" + url.PathEscape(year)
	}
	if base, ok := recordPaths[targetType]; ok {
		return base + url.PathEscape(targetID)
	}
	return ""
}

// answerLost tells a retry that the key's work was done once but its answer
// never stored (the server died between the commit and the store): 409
// idempotency_response_lost, naming the record written and, when it has a
// path, giving it in Location, so that the client learns what was written
// without doing it twice.
func (s *Server) answerLost(c *gin.Context, targetType, targetID string) {
	what := "the change"
	if targetType != "" {
		what = strings.ReplaceAll(targetType, "_", " ") + " " + targetID
	}
	where := "; do not send it again"
	if path := recordPath(targetType, targetID); path != "" {
		c.Header("Location", path)
		where = "; the record is at " + path
	}
	c.Header(replayedHeader, "true")
	s.problem(c, taahod.Errorf(taahod.EIDEMPOTENCYLOST,
		"the request with this Idempotency-Key was carried out (%s) but its answer was lost%s", what, where))
}
