package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// revivalsData is one page of the revivals and the form that records one.
type revivalsData struct {
	Rows []registry.Revival
	// UnitID and Year are the filter (GET /revivals' unit_id and year).
	UnitID, Year string
	Units        []registry.Unit
	// Stagnant are the units the form may revive: only a stagnant unit
	// can be.
	Stagnant       []registry.Unit
	Next, Previous string
}

// revivals renders /secretariat/revivals.
func (p *Pages) revivals(c *gin.Context) {
	f := newForm()
	p.renderRevivals(c, http.StatusOK, "", f)
}

func (p *Pages) renderRevivals(c *gin.Context, status int, alert string, f *form) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	d := revivalsData{UnitID: strings.TrimSpace(taahod.ASCIIDigits(c.Query("unit_id"))),
		Year: strings.TrimSpace(taahod.ASCIIDigits(c.Query("year")))}
	unit, ok1 := positive(d.UnitID)
	year, ok2 := positive(d.Year)
	after, trail, ok3 := readPosition(c)
	if !ok1 || !ok2 || !ok3 {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	var err error
	if d.Units, err = p.registry.ListUnits(ctx, u, registry.UnitFilter{Limit: 500}); err != nil {
		p.storeFailure(c, err)
		return
	}
	if d.Stagnant, err = p.registry.ListUnits(ctx, u, registry.UnitFilter{Status: registry.UnitStagnant, Limit: 500}); err != nil {
		p.storeFailure(c, err)
		return
	}
	rows, err := p.registry.ListRevivals(ctx, registry.RevivalFilter{UnitID: unit, Year: int(year), AfterID: after, Limit: recordsPageSize + 1})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	more := len(rows) > recordsPageSize
	if more {
		rows = rows[:recordsPageSize]
	}
	d.Previous, d.Next = listLinks("/secretariat/revivals", filterQuery(map[string]string{"unit_id": d.UnitID, "year": d.Year}), after, trail, more,
		func() int64 { return rows[len(rows)-1].ID })
	d.Rows = rows
	pg := page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: d}
	if alert == "" {
		pg.Status = statusOf(c)
	}
	p.render(c, status, "secretariat_revivals", pg)
}

// revive records the revival of a stagnant unit (registry.ReviveUnit, as
// POST /units/{id}/revival): a unit that is not stagnant is 409 beside the
// unit, a bad date 422 beside the date, nothing saved.
func (p *Pages) revive(c *gin.Context) {
	u, _ := signedIn(c)
	f := newForm()
	for _, name := range []string{"unit_id", "revived_on_jalali", "note"} {
		f.values[name] = c.PostForm(name)
	}
	unitID, err := strconv.ParseInt(strings.TrimSpace(taahod.ASCIIDigits(f.Value("unit_id"))), 10, 64)
	if err != nil || unitID <= 0 {
		if strings.TrimSpace(f.Value("unit_id")) == "" {
			f.fail("unit_id", "required")
		} else {
			f.fail("unit_id", "invalid_choice")
		}
	}
	in := registry.NewRevival{Note: optionalText(f, "note")}
	if d := jalaliDate(f, "revived_on_jalali"); d != nil {
		in.RevivedOnJalali = *d
	}
	if f.failed() {
		check := in
		if err := check.Validate(taahod.Today(p.now())); err != nil {
			f.take(err)
			jalaliField(f, "revived_on")
		}
		p.renderRevivals(c, http.StatusUnprocessableEntity, Message(taahod.EINVALID), f)
		return
	}
	if _, err := p.registry.ReviveUnit(c.Request.Context(), u, unitID, in); err != nil {
		switch {
		case taahod.ErrorCode(err) == taahod.ENOTFOUND:
			f.fail("unit_id", "invalid_choice")
			p.renderRevivals(c, http.StatusUnprocessableEntity, Message(taahod.EINVALID), f)
		case taahod.ErrorCode(err) == registry.EUNITNOTSTAGNANT:
			f.fail("unit_id", registry.EUNITNOTSTAGNANT)
			p.renderRevivals(c, http.StatusConflict, Message(registry.EUNITNOTSTAGNANT), f)
		case formFault(err):
			alert := f.take(err)
			jalaliField(f, "revived_on")
			p.renderRevivals(c, formStatus(err), alert, f)
		default:
			p.storeFailure(c, err)
		}
		return
	}
	c.Redirect(http.StatusSeeOther, "/secretariat/revivals?m=unit_revived")
}
