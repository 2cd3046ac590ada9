package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// The messages a status change's redirect carries: a change dated before
// the current status is recorded in the history but does not become the
// resolution's status (registry.StatusChangeResult.BecameCurrent), and the
// page says so plainly.
func init() {
	for _, m := range []string{"status_recorded", "status_recorded_not_current"} {
		statusMessages[m] = true
	}
}

// resolutionData is a resolution with its history and the status form.
type resolutionData struct {
	R        registry.Resolution
	Statuses []string
	// NotCurrent marks the page a change not become current leads to: the
	// history's entry that is not the status is pointed out.
	NotCurrent bool
}

// resolutionPage renders /secretariat/resolutions/{id}: the resolution,
// its dated status history and the form that records a status change.
func (p *Pages) resolutionPage(c *gin.Context) {
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	f := newForm()
	f.values["on_jalali"] = PersianDigits(taahod.Today(p.now()).Jalali())
	p.renderResolution(c, id, http.StatusOK, "", f)
}

func (p *Pages) renderResolution(c *gin.Context, id int64, status int, alert string, f *form) {
	u, _ := signedIn(c)
	r, err := p.registry.FindResolution(c.Request.Context(), registry.SignedIn(u), id)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := resolutionData{R: r, Statuses: changeableStatuses, NotCurrent: c.Query("m") == "status_recorded_not_current"}
	pg := page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: d}
	if alert == "" && !d.NotCurrent {
		// The change that did not become current is said in a warning of
		// its own (the view's), not as a plain success.
		pg.Status = statusOf(c)
	}
	p.render(c, status, "resolution", pg)
}

// changeResolutionStatus records a status change (the API's fields status,
// on_jalali as people type it, note). A change dated before the current
// status is kept in the history without becoming the status; the page the
// redirect leads to says so. With a fault nothing is recorded and the page
// comes back (422) with what was typed and the fault beside its field.
func (p *Pages) changeResolutionStatus(c *gin.Context) {
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	u, _ := signedIn(c)
	f := newForm()
	for _, name := range []string{"status", "on_jalali", "note"} {
		f.values[name] = c.PostForm(name)
	}
	in := registry.StatusChange{Status: f.Value("status"), Note: optionalText(f, "note")}
	if d, ok := p.readDate(f, "on_jalali", false); ok && !d.IsZero() {
		in.On = d.String()
	}
	var (
		res registry.StatusChangeResult
		err error
	)
	if f.failed() {
		check := in
		check.On = ""
		err = p.formFaults(check.Validate)
	} else {
		res, err = p.registry.ChangeStatus(c.Request.Context(), u, id, in)
	}
	if err != nil {
		if !formFault(err) || taahod.ErrorCode(err) == taahod.ENOTFOUND {
			p.storeFailure(c, err)
			return
		}
		alert := f.take(err)
		if m, has := f.errors["on"]; has {
			if _, typed := f.errors["on_jalali"]; !typed {
				f.errors["on_jalali"] = m
			}
			delete(f.errors, "on")
		}
		p.renderResolution(c, id, formStatus(err), alert, f)
		return
	}
	m := "status_recorded"
	if !res.BecameCurrent {
		m = "status_recorded_not_current"
	}
	c.Redirect(http.StatusSeeOther, "/secretariat/resolutions/"+idText(id)+"?m="+m+"#history")
}
