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

// The secretariat's registry records outside sessions: cases (inquiries and
// referrals) and revivals of stagnant units. Sessions and resolutions are
// secretariat_sessions*.go's; imports are import*.go's, the yearly figures
// figures*.go's.

// mountRegistryRecords registers the secretariat's cases, revivals, CSV
// imports and yearly figures under g (/secretariat).
func (p *Pages) mountRegistryRecords(g area) {
	g.read.GET("/cases", p.cases)
	g.write.GET("/cases/new", p.newCasePage)
	g.write.POST("/cases/new", p.newCase)
	g.read.GET("/cases/:id", p.casePage)
	g.write.POST("/cases/:id/outcome", p.caseOutcome)
	g.read.GET("/revivals", p.revivals)
	g.write.POST("/revivals", p.revive)
	p.mountImport(g.write)
	p.mountFigures(g.read)
}

func init() {
	for _, m := range []string{"case_recorded", "case_updated", "unit_revived"} {
		statusMessages[m] = true
	}
}

// recordsPageSize is how many rows one page of the cases and revivals
// tables shows.
const recordsPageSize = 50

// caseView is a case with its words in Persian, for the templates.
type caseView struct{ registry.Case }

// ChannelName is the Persian name of the case's channel.
func (c caseView) ChannelName() string { return registry.Channels.Title(c.Channel) }

// CategoryName is the Persian name of the case's category.
func (c caseView) CategoryName() string { return registry.Categories.Title(c.Category) }

// OutcomeName is the Persian name of the case's outcome.
func (c caseView) OutcomeName() string { return registry.Outcomes.Title(c.Outcome) }

// choiceOption is one option of a select: the API's word and its Persian
// title.
type choiceOption struct{ Value, Title string }

// vocabularyOptions lists a registry vocabulary as options.
func vocabularyOptions(values []string, title func(string) string) []choiceOption {
	out := make([]choiceOption, len(values))
	for i, v := range values {
		out[i] = choiceOption{v, title(v)}
	}
	return out
}

var (
	channelOptions  = vocabularyOptions(registry.Channels.Values(), registry.Channels.Title)
	outcomeOptions  = vocabularyOptions(registry.Outcomes.Values(), registry.Outcomes.Title)
	categoryOptions = vocabularyOptions(registry.Categories.Values(), registry.Categories.Title)
)

// casesData is one page of the cases.
type casesData struct {
	Rows []caseView
	// The filter as asked, with the API's query parameters' names.
	UnitID, Channel, Outcome, Category, Year, Q string
	Units                                       []registry.Unit
	Channels, Outcomes, Categories              []choiceOption
	Next, Previous                              string
}

// cases renders /secretariat/cases: the cases by id, filtered as GET
// /cases filters them, paged with its cursor.
func (p *Pages) cases(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	d := casesData{
		UnitID: strings.TrimSpace(taahod.ASCIIDigits(c.Query("unit_id"))), Channel: strings.TrimSpace(c.Query("channel")),
		Outcome: strings.TrimSpace(c.Query("outcome")), Category: strings.TrimSpace(c.Query("category")),
		Year: strings.TrimSpace(taahod.ASCIIDigits(c.Query("year"))), Q: Text(c.Query("q")),
		Channels: channelOptions, Outcomes: outcomeOptions, Categories: categoryOptions,
	}
	f := registry.CaseFilter{Channel: d.Channel, Outcome: d.Outcome, Category: d.Category, Query: d.Q, Limit: recordsPageSize + 1}
	unit, ok1 := positive(d.UnitID)
	year, ok2 := positive(d.Year)
	after, trail, ok3 := readPosition(c)
	if !ok1 || !ok2 || !ok3 {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	f.UnitID, f.Year, f.AfterID = unit, int(year), after
	var err error
	if d.Units, err = p.registry.ListUnits(ctx, u, registry.UnitFilter{Limit: 500}); err != nil {
		p.storeFailure(c, err)
		return
	}
	rows, err := p.registry.ListCases(ctx, registry.SignedIn(u), f)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	q := url.Values{}
	for k, v := range map[string]string{"unit_id": d.UnitID, "channel": d.Channel, "outcome": d.Outcome,
		"category": d.Category, "year": d.Year, "q": d.Q} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if after > 0 {
		d.Previous = pageLinkOn("/secretariat/cases", q, trail)
	}
	if len(rows) > recordsPageSize {
		rows = rows[:recordsPageSize]
		d.Next = pageLinkOn("/secretariat/cases", q, append(append(trail[:len(trail):len(trail)], after), rows[len(rows)-1].ID))
	}
	for _, r := range rows {
		d.Rows = append(d.Rows, caseView{r})
	}
	p.render(c, http.StatusOK, "secretariat_cases", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d,
		Downloads: downloadsOf(c, "/api/v1/cases", "q", "unit_id", "channel", "outcome", "category", "year")})
}

// caseFields are the fields of the new case form, as POST /cases names
// them (dates in their Jalali form).
var caseFields = []string{"unit_id", "channel", "subject", "category", "opened_on_jalali", "closed_on_jalali", "outcome", "confidential"}

// caseFormData is what the case forms show besides the typed values.
type caseFormData struct {
	Units                          []registry.Unit
	Channels, Outcomes, Categories []choiceOption
	// Case is the case whose page it is (the outcome form).
	Case caseView
}

func (p *Pages) newCasePage(c *gin.Context) {
	f := newForm()
	f.values["category"] = "other"
	p.renderCaseForm(c, http.StatusOK, "", f)
}

func (p *Pages) renderCaseForm(c *gin.Context, status int, alert string, f *form) {
	u, _ := signedIn(c)
	units, err := p.registry.ListUnits(c.Request.Context(), u, registry.UnitFilter{Limit: 500})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := caseFormData{Units: units, Channels: channelOptions, Outcomes: outcomeOptions, Categories: categoryOptions}
	p.render(c, status, "secretariat_case_new", page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: d})
}

// newCase records a case (registry.CreateCase, as POST /cases): the form
// comes back with what was typed and each fault beside its field, nothing
// saved.
func (p *Pages) newCase(c *gin.Context) {
	u, _ := signedIn(c)
	f := newForm()
	for _, name := range caseFields {
		f.values[name] = c.PostForm(name)
	}
	in := registry.NewCase{Channel: f.Value("channel"), Subject: Text(f.Value("subject")), Category: f.Value("category"),
		Outcome: f.Value("outcome"), Confidential: f.Value("confidential") == "true"}
	if id := strings.TrimSpace(taahod.ASCIIDigits(f.Value("unit_id"))); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			f.fail("unit_id", "invalid_choice")
		} else {
			in.UnitID = &n
		}
	}
	if d := jalaliDate(f, "opened_on_jalali"); d != nil {
		in.OpenedOnJalali = *d
	}
	if d := jalaliDate(f, "closed_on_jalali"); d != nil {
		in.ClosedOnJalali = *d
	}
	var (
		out registry.Case
		err error
	)
	if f.failed() {
		check := in
		err = p.formFaults(check.Validate)
	} else {
		out, err = p.registry.CreateCase(c.Request.Context(), u, in)
	}
	if err != nil {
		if !formFault(err) {
			p.storeFailure(c, err)
			return
		}
		alert := takeCaseError(f, err)
		p.renderCaseForm(c, formStatus(err), alert, f)
		return
	}
	c.Redirect(http.StatusSeeOther, casePath(out.ID)+"?m=case_recorded")
}

// takeCaseError records the registry's err against the form's fields and
// returns the page's alert. The registry names the dates opened_on and
// closed_on whichever way they came; the form's fields are the Jalali ones.
func takeCaseError(f *form, err error) string {
	alert := f.take(err)
	jalaliField(f, "opened_on")
	jalaliField(f, "closed_on")
	return alert
}

// jalaliField moves a fault the domain names on the field name onto the
// form's name_jalali, beside which it is shown.
func jalaliField(f *form, name string) {
	if m, ok := f.errors[name]; ok {
		if _, has := f.errors[name+"_jalali"]; !has {
			f.errors[name+"_jalali"] = m
		}
		delete(f.errors, name)
	}
}

func casePath(id int64) string { return "/secretariat/cases/" + strconv.FormatInt(id, 10) }

// casePage renders /secretariat/cases/:id: the case, and the form that
// records its outcome.
func (p *Pages) casePage(c *gin.Context) {
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	p.renderCase(c, http.StatusOK, id, "", nil)
}

func (p *Pages) renderCase(c *gin.Context, status int, id int64, alert string, f *form) {
	u, _ := signedIn(c)
	cs, err := p.registry.FindCase(c.Request.Context(), registry.SignedIn(u), id)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	if f == nil {
		f = newForm()
		f.values["outcome"] = cs.Outcome
		if cs.ClosedOnJalali != nil {
			f.values["closed_on_jalali"] = *cs.ClosedOnJalali
		}
	}
	d := caseFormData{Case: caseView{cs}, Outcomes: outcomeOptions}
	pg := page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: d}
	if alert == "" {
		pg.Status = statusOf(c)
	}
	p.render(c, status, "secretariat_case", pg)
}

// caseOutcome records a case's outcome and closing day (registry.UpdateCase,
// as PATCH /cases/{id} with outcome and closed_on).
func (p *Pages) caseOutcome(c *gin.Context) {
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	u, _ := signedIn(c)
	f := newForm()
	f.values["outcome"] = c.PostForm("outcome")
	f.values["closed_on_jalali"] = c.PostForm("closed_on_jalali")
	patch := registry.CasePatch{Outcome: taahod.Optional[string]{Set: true, Value: f.Value("outcome")}}
	closed := jalaliDate(f, "closed_on_jalali")
	patch.ClosedOnJalali = taahod.Optional[string]{Set: true, Null: closed == nil}
	patch.ClosedOn = taahod.Optional[string]{Set: true, Null: true}
	if closed != nil {
		patch.ClosedOnJalali.Value = *closed
	}
	if f.failed() {
		p.renderCase(c, http.StatusUnprocessableEntity, id, Message(taahod.EINVALID), f)
		return
	}
	if _, err := p.registry.UpdateCase(c.Request.Context(), u, id, patch); err != nil {
		if !formFault(err) || taahod.ErrorCode(err) == taahod.ENOTFOUND {
			p.storeFailure(c, err)
			return
		}
		alert := takeCaseError(f, err)
		p.renderCase(c, formStatus(err), id, alert, f)
		return
	}
	c.Redirect(http.StatusSeeOther, casePath(id)+"?m=case_updated")
}
