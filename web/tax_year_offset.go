package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
	"github.com/taahod/taahod/registry"
)

// offsetData is the preview of a unit-year's offset run: the figures the
// run would produce, and the confirm form that carries their fingerprint.
type offsetData struct {
	Unit    registry.Unit
	Year    int
	Path    string
	Preview ledger.OffsetPreview
}

// offsetPreview renders what running the unit-year's offset now would do,
// computed by the run's own code with nothing posted (ledger.PreviewOffset),
// and the button that runs exactly that.
func (p *Pages) offsetPreview(c *gin.Context) {
	p.renderOffsetPreview(c, http.StatusOK, "")
}

func (p *Pages) renderOffsetPreview(c *gin.Context, status int, alert string) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	unit, year, ok := pathUnitYear(c)
	if !ok {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	d := offsetData{Year: year, Path: taxYearPath(unit, year)}
	var err error
	if d.Unit, err = p.registry.FindUnit(ctx, u, unit); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Preview, err = p.ledger.PreviewOffset(ctx, u, unit, year); err != nil {
		p.taxFailure(c, err)
		return
	}
	p.render(c, status, "offset_preview", page{User: &u, CSRF: csrfToken(c), Alert: alert, Data: d})
}

// runOffset runs the offset the person saw: the form carries the preview's
// fingerprint, and a run whose figures would differ (the books changed in
// between) is refused, nothing posted, with the new preview to look at.
func (p *Pages) runOffset(c *gin.Context) {
	u, _ := signedIn(c)
	unit, year, ok := pathUnitYear(c)
	if !ok {
		p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
		return
	}
	_, err := p.ledger.RunPreviewedOffset(c.Request.Context(), u, unit, year, c.PostForm("fingerprint"))
	switch code := taahod.ErrorCode(err); code {
	case "":
		c.Redirect(http.StatusSeeOther, taxYearPath(unit, year)+"?m=offset_run")
	case ledger.ESTALEPREVIEW:
		p.renderOffsetPreview(c, http.StatusConflict, Message(code))
	default:
		p.taxFailure(c, err)
	}
}
