package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// resolutionsPageSize is how many resolutions one page of the list shows.
const resolutionsPageSize = 50

// resolutionsData is one page of the resolutions.
type resolutionsData struct {
	Rows []registry.Resolution
	// The filter as asked, by the API's query parameters (year, status,
	// agency, category, overdue, q), to show it again.
	Year, Status, Agency, Category, Overdue, Q string
	Statuses, Categories                       []string
	Next, Previous                             string
}

// resolutions renders /secretariat/resolutions: the resolutions by id,
// filtered as the API filters them (the text search q and the agency's
// name match across ی/ي and ک/ك: the registry compares them folded), paged
// with the API's after-id cursor.
func (p *Pages) resolutions(c *gin.Context) {
	u, _ := signedIn(c)
	d := resolutionsData{
		Year:       strings.TrimSpace(taahod.ASCIIDigits(c.Query("year"))),
		Status:     strings.TrimSpace(c.Query("status")),
		Agency:     Text(c.Query("agency")),
		Category:   strings.TrimSpace(c.Query("category")),
		Overdue:    strings.TrimSpace(c.Query("overdue")),
		Q:          Text(c.Query("q")),
		Statuses:   registry.Statuses.Values(),
		Categories: registry.Categories.Values(),
	}
	f := registry.ResolutionFilter{Status: d.Status, Agency: d.Agency, Category: d.Category, Query: d.Q, Limit: resolutionsPageSize + 1}
	year, ok := positive(d.Year)
	bad := !ok
	f.Year = int(year)
	switch d.Overdue {
	case "":
	case "true", "false":
		o := d.Overdue == "true"
		f.Overdue = &o
	default:
		bad = true
	}
	var trail []int64
	if f.AfterID, trail, ok = readPosition(c); !ok || bad {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	var err error
	if d.Rows, err = p.registry.ListResolutions(c.Request.Context(), registry.SignedIn(u), f); err != nil {
		p.storeFailure(c, err)
		return
	}
	q := url.Values{}
	for k, v := range map[string]string{"year": d.Year, "status": d.Status, "agency": d.Agency, "category": d.Category,
		"overdue": d.Overdue, "q": d.Q} {
		if v != "" {
			q.Set(k, v)
		}
	}
	d.Previous, d.Next = listLinks("/secretariat/resolutions", q, f.AfterID, trail, len(d.Rows) > resolutionsPageSize, func() int64 {
		return d.Rows[resolutionsPageSize-1].ID
	})
	if len(d.Rows) > resolutionsPageSize {
		d.Rows = d.Rows[:resolutionsPageSize]
	}
	p.render(c, http.StatusOK, "resolutions", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d,
		Downloads: downloadsOf(c, "/api/v1/resolutions", "q", "year", "status", "category", "agency", "overdue")})
}
