package web

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// overdueData is the overdue resolutions by agency.
type overdueData struct {
	List registry.OverdueList
	// Rows counts the rows of the tables: a resolution notified to two
	// agencies is under both, and counts once in List.Resolutions.
	Rows int
	// Year is the filter as asked (the API's year).
	Year string
}

// overdueResolutions renders /secretariat/resolutions/overdue: the
// resolutions past their deadline and still open, grouped by the agency
// they were notified to (the agency with the most first), each with its
// days overdue, a total per agency and the total of distinct resolutions —
// the API's GET /resolutions/overdue, filtered by its year.
func (p *Pages) overdueResolutions(c *gin.Context) {
	u, _ := signedIn(c)
	d := overdueData{Year: strings.TrimSpace(taahod.ASCIIDigits(c.Query("year")))}
	year, ok := positive(d.Year)
	if !ok {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	var err error
	if d.List, err = p.registry.Overdue(c.Request.Context(), registry.SignedIn(u), int(year), 0); err != nil {
		p.storeFailure(c, err)
		return
	}
	for _, a := range d.List.Agencies {
		d.Rows += a.Count
	}
	p.render(c, http.StatusOK, "resolutions_overdue", page{User: &u, CSRF: csrfToken(c), Data: d})
}
