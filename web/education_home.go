package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod/ledger"
)

// educationHome renders /education: the overview of the school projects —
// how many by status and by county, each count a link to its schools — and
// the pledges whose agreed term has passed with the school not completed.
func (p *Pages) educationHome(c *gin.Context) {
	u, _ := signedIn(c)
	o, err := p.ledger.SchoolOverview(c.Request.Context(), u)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	// Every status is listed, a status without schools as zero, so that
	// the table reads the same from one day to the next.
	counts := map[string]int{}
	for _, s := range o.ByStatus {
		counts[s.Key] = s.Count
	}
	d := educationHomeData{Overview: o}
	for _, s := range schoolStatuses {
		d.ByStatus = append(d.ByStatus, ledger.SchoolCount{Key: s, Count: counts[s]})
	}
	p.render(c, http.StatusOK, "education_home", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}

// educationHomeData is the overview as the page shows it.
type educationHomeData struct {
	// ByStatus lists every status, in a school's order of life.
	ByStatus []ledger.SchoolCount
	Overview ledger.SchoolOverview
}
