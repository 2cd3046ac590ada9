package web

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
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
	d, err := p.secretariatCounts(ctx)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	p.render(c, http.StatusOK, "secretariat_home", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}

func (p *Pages) secretariatCounts(ctx context.Context) (secretariatHomeData, error) {
	d := secretariatHomeData{Year: taahod.Today(p.now()).FiscalYear()}
	f, err := p.registry.Figures(ctx, d.Year)
	if err != nil {
		return d, err
	}
	d.Sessions = f.Sessions.Total
	d.Open = f.Resolutions.Total - f.Resolutions.Implemented - f.Resolutions.Cancelled
	if d.Overdue, err = p.registry.CountOverdue(ctx); err != nil {
		return d, err
	}
	d.OpenCases, d.Cases, err = p.registry.CountCases(ctx, d.Year)
	return d, err
}
