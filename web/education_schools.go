package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// schoolsPageSize is how many schools one page of the list shows.
const schoolsPageSize = 50

// educationSchoolsData is one page of the schools.
type educationSchoolsData struct {
	Rows []ledger.School
	// Q, County, Kind and Status are the filter as asked (the API's query
	// parameters), to show it again.
	Q, County, Kind, Status string
	Kinds, Statuses         []string
	// Next and Previous are the links to the following and the preceding
	// page; "" when there is none.
	Next, Previous string
}

// educationSchools renders /education/schools: the schools by id, searched
// and filtered as the API's GET /schools (q words the name, folded across
// ی/ي, ک/ك, ZWNJ and space by the ledger), paged with its after-id cursor.
func (p *Pages) educationSchools(c *gin.Context) {
	u, _ := signedIn(c)
	d := educationSchoolsData{
		Q:        strings.TrimSpace(c.Query("q")),
		County:   strings.TrimSpace(c.Query("county")),
		Kind:     strings.TrimSpace(c.Query("kind")),
		Status:   strings.TrimSpace(c.Query("status")),
		Kinds:    schoolKinds,
		Statuses: schoolStatuses,
	}
	bad := (d.Kind != "" && !slices.Contains(schoolKinds, d.Kind)) ||
		(d.Status != "" && !slices.Contains(schoolStatuses, d.Status))
	after, trail, ok := readPosition(c)
	if bad || !ok {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	f := ledger.SchoolFilter{Query: Text(d.Q), County: Text(d.County), Kind: d.Kind, Status: d.Status,
		AfterID: after, Limit: schoolsPageSize + 1}
	var err error
	if d.Rows, err = p.ledger.ListSchools(c.Request.Context(), u, f); err != nil {
		p.storeFailure(c, err)
		return
	}
	q := filterQuery(map[string]string{"q": d.Q, "county": d.County, "kind": d.Kind, "status": d.Status})
	const path = "/education/schools"
	if after > 0 {
		d.Previous = pageLinkOn(path, q, trail)
	}
	if len(d.Rows) > schoolsPageSize {
		d.Rows = d.Rows[:schoolsPageSize]
		d.Next = pageLinkOn(path, q, append(append(trail[:len(trail):len(trail)], after), d.Rows[len(d.Rows)-1].ID))
	}
	p.render(c, http.StatusOK, "education_schools", page{User: &u, CSRF: csrfToken(c), Data: d,
		Downloads: downloadsOf(c, "/api/v1/schools", "q", "county", "kind", "status")})
}
