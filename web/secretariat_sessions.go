package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// mountSessions registers the secretariat's sessions, resolutions, their
// status changes and the overdue resolutions.
func (p *Pages) mountSessions(g area) {
	g.read.GET("/sessions", p.sessions)
	g.write.GET("/sessions/new", p.newSessionPage)
	g.write.POST("/sessions/new", p.newSession)
	g.read.GET("/sessions/:id", p.sessionPage)
	g.read.GET("/resolutions", p.resolutions)
	g.read.GET("/resolutions/overdue", p.overdueResolutions)
	g.read.GET("/resolutions/:id", p.resolutionPage)
	g.write.POST("/resolutions/:id/status", p.changeResolutionStatus)
}

// sessionsPageSize is how many sessions one page of the list shows.
const sessionsPageSize = 50

// sessionsData is one page of the sessions.
type sessionsData struct {
	Rows []registry.Session
	// Kind, County and Year are the filter as asked (the API's query
	// parameters kind, county, year), to show it again.
	Kind, County, Year string
	Kinds              []string
	Next, Previous     string
}

// sessions renders /secretariat/sessions: the sessions by id, filtered as
// the API filters them, paged with the API's after-id cursor.
func (p *Pages) sessions(c *gin.Context) {
	u, _ := signedIn(c)
	d := sessionsData{
		Kind:   strings.TrimSpace(c.Query("kind")),
		County: Text(c.Query("county")),
		Year:   strings.TrimSpace(taahod.ASCIIDigits(c.Query("year"))),
		Kinds:  registry.SessionKinds.Values(),
	}
	f := registry.SessionFilter{Kind: d.Kind, County: d.County, Limit: sessionsPageSize + 1}
	bad := d.Kind != "" && !registry.SessionKinds.Has(d.Kind)
	year, ok := positive(d.Year)
	bad = bad || !ok
	f.Year = int(year)
	var trail []int64
	if f.AfterID, trail, ok = readPosition(c); !ok || bad {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	var err error
	if d.Rows, err = p.registry.ListSessions(c.Request.Context(), registry.SignedIn(u), f); err != nil {
		p.storeFailure(c, err)
		return
	}
	q := filterQuery(map[string]string{"kind": d.Kind, "county": d.County, "year": d.Year})
	d.Previous, d.Next = listLinks("/secretariat/sessions", q, f.AfterID, trail, len(d.Rows) > sessionsPageSize, func() int64 {
		return d.Rows[sessionsPageSize-1].ID
	})
	if len(d.Rows) > sessionsPageSize {
		d.Rows = d.Rows[:sessionsPageSize]
	}
	p.render(c, http.StatusOK, "secretariat_sessions", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}

// filterQuery is a list's filters as its links carry them: the ones set.
func filterQuery(filters map[string]string) url.Values {
	q := url.Values{}
	for k, v := range filters {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// listLinks are the «قبلی» and «بعدی» links of a list at path after the
// cursor after (trail the cursors before it): more says a row lies beyond
// this page, last is the id of this page's last row.
func listLinks(path string, filter url.Values, after int64, trail []int64, more bool, last func() int64) (previous, next string) {
	if after > 0 {
		previous = pageLinkOn(path, filter, trail)
	}
	if more {
		next = pageLinkOn(path, filter, append(append(trail[:len(trail):len(trail)], after), last()))
	}
	return previous, next
}

// sessionData is a session with its resolutions.
type sessionData struct {
	S           registry.Session
	Resolutions []registry.Resolution
}

// sessionPage renders /secretariat/sessions/{id}: the session's fields and
// its resolutions (all of them: a session adopts tens, not thousands).
func (p *Pages) sessionPage(c *gin.Context) {
	u, _ := signedIn(c)
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	v := registry.SignedIn(u)
	s, err := p.registry.FindSession(c.Request.Context(), v, id)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := sessionData{S: s}
	if d.Resolutions, err = p.registry.ListResolutions(c.Request.Context(), v, registry.ResolutionFilter{SessionID: id, Limit: 1000}); err != nil {
		p.storeFailure(c, err)
		return
	}
	p.render(c, http.StatusOK, "secretariat_session", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}

// idText is an id as a path writes it.
func idText(id int64) string { return strconv.FormatInt(id, 10) }
