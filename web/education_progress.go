package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/ledger"
)

// The statuses the report form ends with (post/redirect/get).
var educationStatuses = []string{"progress_recorded", "progress_recorded_completed", "progress_recorded_handed_over"}

func init() {
	for _, m := range educationStatuses {
		statusMessages[m] = true
	}
}

// progressFields are the report form's fields, named as the API's
// POST /schools/{id}/progress names them (the date in its Jalali twin).
var progressFields = []string{"kind", "milestone", "percent", "reported_on_jalali", "note"}

// addProgressReport records a progress report with its photos, all or
// nothing (ledger.AddProgressWithDocuments): a refused photo, or a report
// the timeline's rules refuse, keeps nothing, and the school's page comes
// back with what was typed and each fault beside its field.
func (p *Pages) addProgressReport(c *gin.Context) {
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	u, _ := signedIn(c)
	f := newForm()
	for _, name := range progressFields {
		f.values[name] = c.PostForm(name)
	}
	in := newProgressInput(f)
	docs, names := readDocuments(c, f)
	var (
		r   ledger.Progress
		err error
	)
	if f.failed() {
		// Nothing is recorded; the ledger's own check of the fields
		// still names every other fault at once.
		check := in
		err = p.formFaults(check.Validate)
	} else {
		r, err = p.ledger.AddProgressWithDocuments(c.Request.Context(), u, id, in, docs)
	}
	if err != nil {
		if !formFault(err) || taahod.ErrorCode(err) == taahod.ENOTFOUND {
			p.storeFailure(c, err)
			return
		}
		alert := p.takeProgressError(c, u, id, f, in, err)
		p.renderSchool(c, formStatus(err), id, page{Alert: alert, Form: f}, names)
		return
	}
	m := "progress_recorded"
	switch r.SchoolStatus {
	case ledger.SchoolCompleted:
		m = "progress_recorded_completed"
	case ledger.SchoolHandedOver:
		m = "progress_recorded_handed_over"
	}
	c.Redirect(http.StatusSeeOther, "/education/schools/"+strconv.FormatInt(id, 10)+"?m="+m+"#timeline")
}

// newProgressInput is the report the form holds. Faults the page finds
// itself (a percent that is no number, a date it cannot read) are
// recorded in f; the ledger names the rest.
func newProgressInput(f *form) ledger.NewProgress {
	in := ledger.NewProgress{
		Kind:             f.Value("kind"),
		Milestone:        Text(f.Value("milestone")),
		ReportedOnJalali: jalaliDate(f, "reported_on_jalali"),
		Note:             optionalText(f, "note"),
	}
	if v := strings.TrimSpace(taahod.ASCIIDigits(strings.TrimSuffix(strings.TrimSpace(f.Value("percent")), "٪"))); v != "" {
		if n, err := strconv.Atoi(strings.TrimSuffix(v, "%")); err == nil {
			in.Percent = &n
		} else {
			f.fail("percent", "percent_not_number")
		}
	}
	if in.ReportedOnJalali == nil && strings.TrimSpace(f.Value("reported_on_jalali")) == "" {
		f.fail("reported_on_jalali", "required")
	}
	return in
}

// takeProgressError records the ledger's err against the form's fields
// and returns the page's alert. The ledger names the date reported_on
// whichever way it came, and a timeline's conflicts (a hand-over of a
// school not completed, a report after the hand-over) name no field: the
// page puts each beside the field it concerns and words it for the person.
func (p *Pages) takeProgressError(c *gin.Context, u taahod.Actor, id int64, f *form, in ledger.NewProgress, err error) string {
	alert := f.take(err)
	if m, ok := f.errors["reported_on"]; ok {
		if _, has := f.errors["reported_on_jalali"]; !has {
			f.errors["reported_on_jalali"] = m
		}
		delete(f.errors, "reported_on")
	}
	if hasFieldCode(err, "before_last_report") {
		// Say which date the report must not precede.
		if reports, rerr := p.ledger.SchoolProgress(c.Request.Context(), id); rerr == nil && len(reports) > 0 {
			f.errors["reported_on_jalali"] = Message("before_last_report") + " آخرین گزارش: " + DateText(reports[len(reports)-1].ReportedOn) + "."
		}
	}
	if _, ok := f.errors["note"]; ok && f.Value("note") == "" && in.Percent != nil {
		// The only note the ledger asks for is the reason of a percent
		// lower than the last report's.
		f.errors["note"] = Message("percent_down_needs_note")
	}
	if taahod.ErrorCode(err) == taahod.ECONFLICT {
		sc, ferr := p.ledger.FindSchool(c.Request.Context(), u, id)
		if ferr == nil && sc.Status == ledger.SchoolHandedOver {
			alert = Message("timeline_closed")
		} else {
			alert = Message("handover_needs_completed")
			f.errors["kind"] = alert
		}
	}
	return alert
}

// hasFieldCode reports whether err names code against any field.
func hasFieldCode(err error, code string) bool {
	var e *taahod.Error
	if errors.As(err, &e) {
		for _, fe := range e.Fields {
			if fe.Code == code {
				return true
			}
		}
	}
	return false
}
