package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// A session and its resolutions are recorded in one sitting, in one form:
// the session's fields by the API's names (kind, held_on_jalali, county,
// title, chair, attendees, minutes) and one row per resolution, each field
// named resolutions[i][NAME] with NAME the API's (text, category,
// agencies, deadline_jalali, unit_id, confidential), i from 0. Lists
// (attendees, agencies) are typed one name a line. The button add_row
// posts the form back with one more empty row and everything typed kept,
// so that adding rows needs no JavaScript; the hidden field rows says how
// many rows the form has.

// maxResolutionRows bounds the rows of one sitting.
const maxResolutionRows = 50

func init() { statusMessages["session_recorded"] = true }

// resolutionRowFields are a row's fields, by the API's names.
var resolutionRowFields = []string{"text", "category", "agencies", "deadline_jalali", "unit_id", "confidential"}

// resolutionRowField is the form's name of a row's field:
// resolutions[2][text].
func resolutionRowField(i int, name string) string {
	return fmt.Sprintf("resolutions[%d][%s]", i, name)
}

// newSessionData is what the form shows besides the typed values.
type newSessionData struct {
	Rows       []int
	Kinds      []string
	Categories []string
	Units      []registry.Unit
	// Focus is the row whose text takes the focus: the row add_row just
	// added; -1 for none.
	Focus int
}

// newSessionPage renders /secretariat/sessions/new with one empty row.
func (p *Pages) newSessionPage(c *gin.Context) {
	f := newForm()
	f.values["kind"] = registry.KindFormal
	p.renderNewSession(c, http.StatusOK, "", f, 1, -1)
}

func (p *Pages) renderNewSession(c *gin.Context, status int, alert string, f *form, rows, focus int) {
	u, _ := signedIn(c)
	units, err := p.registry.ListUnits(c.Request.Context(), u, registry.UnitFilter{Limit: 1000})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := newSessionData{Kinds: registry.SessionKinds.Values(), Categories: registry.Categories.Values(), Units: units, Focus: focus}
	for i := range rows {
		d.Rows = append(d.Rows, i)
	}
	f.values["rows"] = strconv.Itoa(rows)
	p.render(c, status, "secretariat_session_new", page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: d})
}

// newSession records the session and its filled rows in one transaction
// (registry.CreateSessionWithResolutions), or, for add_row, shows the form
// again with one more row. A row left wholly empty is skipped. With a fault
// nothing is saved and the form comes back (422) with what was typed and
// each fault beside its field.
func (p *Pages) newSession(c *gin.Context) {
	u, _ := signedIn(c)
	f := newForm()
	rows, _ := strconv.Atoi(taahod.ASCIIDigits(strings.TrimSpace(c.PostForm("rows"))))
	rows = max(1, min(rows, maxResolutionRows))
	for _, name := range []string{"kind", "held_on_jalali", "county", "title", "chair", "attendees", "minutes"} {
		f.values[name] = c.PostForm(name)
	}
	for i := range rows {
		for _, name := range resolutionRowFields {
			f.values[resolutionRowField(i, name)] = c.PostForm(resolutionRowField(i, name))
		}
	}
	if c.PostForm("add_row") != "" {
		alert, focus := "", -1
		if rows == maxResolutionRows {
			alert = Message("too_many_resolution_rows")
		} else {
			focus = rows
			rows++
		}
		p.renderNewSession(c, http.StatusOK, alert, f, rows, focus)
		return
	}

	in := registry.NewSession{Kind: Text(f.Value("kind")), Attendees: lines(f.Value("attendees"))}
	if d, ok := p.readDate(f, "held_on_jalali", true); ok && !d.IsZero() {
		in.HeldOn = d.String()
	}
	in.County, in.Title, in.Chair, in.Minutes = optionalText(f, "county"), optionalText(f, "title"),
		optionalText(f, "chair"), optionalText(f, "minutes")
	var (
		resolutions []registry.NewResolution
		rowOf       []int // the form's row of each resolution
	)
	for i := range rows {
		if rowEmpty(f, i) {
			continue
		}
		r := registry.NewResolution{Text: Text(f.Value(resolutionRowField(i, "text"))),
			Category: f.Value(resolutionRowField(i, "category")), Agencies: lines(f.Value(resolutionRowField(i, "agencies"))),
			Confidential: f.Value(resolutionRowField(i, "confidential")) != ""}
		if d, ok := p.readDate(f, resolutionRowField(i, "deadline_jalali"), false); ok && !d.IsZero() {
			r.Deadline = d.String()
		}
		if s := strings.TrimSpace(taahod.ASCIIDigits(f.Value(resolutionRowField(i, "unit_id")))); s != "" {
			if id, ok := positive(s); ok {
				r.UnitID = &id
			} else {
				f.fail(resolutionRowField(i, "unit_id"), "invalid_choice")
			}
		}
		resolutions, rowOf = append(resolutions, r), append(rowOf, i)
	}
	var (
		s   registry.Session
		err error
	)
	if f.failed() {
		// Nothing is recorded; the registry's own checks of the fields
		// still name every other fault at once.
		var all taahod.Problems
		collect := func(err error, name func(string) string) {
			var e *taahod.Error
			if errors.As(err, &e) {
				for _, fe := range e.Fields {
					all.Add(name(fe.Field), fe.Code, fe.Message)
				}
			}
		}
		check := in
		collect(check.Validate(taahod.Today(p.now())), func(n string) string { return n })
		for j, r := range resolutions {
			collect(r.Validate(), func(n string) string { return fmt.Sprintf("resolutions[%d].%s", j, n) })
		}
		err = all.Err()
		if err == nil {
			err = taahod.Errorf(taahod.EINVALID, "the form has faults")
		}
	} else {
		s, _, err = p.registry.CreateSessionWithResolutions(c.Request.Context(), u, in, resolutions)
	}
	if err != nil {
		if !formFault(err) {
			p.storeFailure(c, err)
			return
		}
		alert := takeSessionError(f, err, rowOf)
		p.renderNewSession(c, formStatus(err), alert, f, rows, -1)
		return
	}
	c.Redirect(http.StatusSeeOther, "/secretariat/sessions/"+idText(s.ID)+"?m=session_recorded")
}

// readDate reads the Jalali date typed into the field name as people type
// it; a date that cannot be read is a fault beside the field (false).
func (p *Pages) readDate(f *form, name string, required bool) (taahod.Date, bool) {
	s := strings.TrimSpace(f.Value(name))
	if s == "" {
		if required {
			f.fail(name, "required")
			return taahod.Date{}, false
		}
		return taahod.Date{}, true
	}
	d, err := ParseDate(s)
	if err != nil {
		f.fail(name, "invalid_jalali_date")
		return taahod.Date{}, false
	}
	return d, true
}

// rowEmpty reports whether the row i was left wholly empty.
func rowEmpty(f *form, i int) bool {
	for _, name := range resolutionRowFields {
		if strings.TrimSpace(f.Value(resolutionRowField(i, name))) != "" {
			return false
		}
	}
	return true
}

// lines is a list typed one item a line (or separated by «،» or ','),
// each read as Text; empty lines are dropped.
func lines(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '،' || r == ',' }) {
		if t := Text(part); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// registryRowField matches the registry's name of a row's field,
// "resolutions[3].agencies[0]".
var registryRowField = regexp.MustCompile(`^resolutions\[(\d+)\]\.([a-z_]+)`)

// takeSessionError records err's faults beside the form's fields: the
// registry names the session's fields as the API does (held_on, attendees[2])
// and a resolution's as resolutions[j].field, j counting the rows sent
// (rowOf maps it to the form's row); dates were typed in their _jalali
// fields.
func takeSessionError(f *form, err error, rowOf []int) string {
	var e *taahod.Error
	if errors.As(err, &e) {
		for _, fe := range e.Fields {
			name := fe.Field
			if m := registryRowField.FindStringSubmatch(name); m != nil {
				j, _ := strconv.Atoi(m[1])
				field := m[2]
				switch field {
				case "deadline", "adopted_on":
					field = "deadline_jalali"
				}
				if j < len(rowOf) {
					name = resolutionRowField(rowOf[j], field)
				}
			} else {
				name, _, _ = strings.Cut(name, "[")
				if name == "held_on" {
					name = "held_on_jalali"
				}
			}
			f.fail(name, fe.Code)
		}
	}
	return ErrorMessage(err)
}

// resolutionRowOf is a row's field for the form's templates: Name is the
// form's name of the field, Label the element id its error is tied to
// ("r2-text").
func resolutionRowOf(f *form, i int, name string) formField {
	return formField{Form: f, Name: resolutionRowField(i, name), Label: fmt.Sprintf("r%d-%s", i, name)}
}
