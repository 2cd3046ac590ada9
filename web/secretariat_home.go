package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// secretariatHomeData is the secretariat's home: the counts of the current
// fiscal year that say where the work stands, and a way to every area.
type secretariatHomeData struct {
	Year int
	// Sessions are the year's sessions of every kind.
	Sessions int
	// Open are the year's resolutions neither implemented nor cancelled;
	// Overdue those of any year past their deadline and still open.
	Open, Overdue int
	// OpenCases are the cases of any year still open; Cases those opened
	// in the year.
	OpenCases, Cases int
}

// secretariatHome renders /secretariat.
func (p *Pages) secretariatHome(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	d, err := p.secretariatCounts(ctx, u)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	p.render(c, http.StatusOK, "secretariat_home", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}

func (p *Pages) secretariatCounts(ctx context.Context, u taahod.Actor) (secretariatHomeData, error) {
	d := secretariatHomeData{Year: taahod.Today(p.now()).FiscalYear()}
	f, err := p.registry.Figures(ctx, d.Year)
	if err != nil {
		return d, err
	}
	d.Sessions = f.Sessions.Total
	d.Open = f.Resolutions.Total - f.Resolutions.Implemented - f.Resolutions.Cancelled
	od, err := p.registry.Overdue(ctx, registry.SignedIn(u), 0, 0)
	if err != nil {
		return d, err
	}
	d.Overdue = od.Resolutions
	d.OpenCases, d.Cases, err = p.registry.CountCases(ctx, d.Year)
	return d, err
}
