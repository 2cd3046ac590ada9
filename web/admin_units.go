package web

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// unitFields are the unit form's fields, the API's names.
var unitFields = []string{"name", "national_id", "county", "economic_code", "tax_file_no", "activity", "status"}

// adminUnitStatuses are a unit's statuses; a revival is recorded by the
// secretariat's revival record, so the form offers active and stagnant.
var adminUnitStatuses = []string{registry.UnitActive, registry.UnitStagnant}

// adminUnitStatusNames are the statuses in Persian.
var adminUnitStatusNames = map[string]string{
	registry.UnitActive:   "فعال",
	registry.UnitStagnant: "راکد",
	registry.UnitRevived:  "احیاشده",
}

// adminUnitsData is one page of the units list and its filter.
type adminUnitsData struct {
	Q, County, Status string
	Statuses          []string
	StatusNames       map[string]string
	Units             []registry.Unit
	Next, Previous    string
}

// adminUnits renders /admin/units: the units filtered by the API's q,
// county and status, 50 a page with the API's after-id cursor.
func (p *Pages) adminUnits(c *gin.Context) {
	u, _ := signedIn(c)
	d := adminUnitsData{Q: Text(c.Query("q")), County: Text(c.Query("county")), Status: c.Query("status"),
		Statuses:    []string{registry.UnitActive, registry.UnitStagnant, registry.UnitRevived},
		StatusNames: adminUnitStatusNames}
	after, trail, ok := readPosition(c)
	if !ok || utf8.RuneCountInString(d.Q) > 200 || (d.Status != "" && adminUnitStatusNames[d.Status] == "") {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	units, err := p.registry.ListUnits(c.Request.Context(), u, registry.UnitFilter{Query: d.Q, County: d.County,
		Status: d.Status, AfterID: after, Limit: unitsPageSize + 1})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	more := len(units) > unitsPageSize
	if more {
		units = units[:unitsPageSize]
	}
	d.Previous, d.Next = listLinks("/admin/units", filterQuery(map[string]string{"q": d.Q, "county": d.County, "status": d.Status}), after, trail, more,
		func() int64 { return units[len(units)-1].ID })
	d.Units = units
	p.render(c, http.StatusOK, "admin_units", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}

// adminUnitData is a unit's page, or a new unit's (Unit nil).
type adminUnitData struct {
	Unit        *registry.Unit
	Statuses    []string
	StatusNames map[string]string
}

// newUnitPage renders the form of a new unit.
func (p *Pages) newUnitPage(c *gin.Context) {
	u, _ := signedIn(c)
	f := newForm()
	f.values["status"] = registry.UnitActive
	p.render(c, http.StatusOK, "admin_unit", page{User: &u, CSRF: csrfToken(c), Form: f, Data: adminUnitData{Statuses: adminUnitStatuses, StatusNames: adminUnitStatusNames}})
}

// readUnitForm reads the unit form as typed: text folded (ي→ی), the
// national id in any digits.
func readUnitForm(c *gin.Context) *form {
	f := newForm()
	for _, k := range unitFields {
		f.values[k] = c.PostForm(k)
	}
	return f
}

// codeText is an optional code field (economic_code, tax_file_no) in
// ASCII digits, nil when left empty.
func codeText(f *form, name string) *string {
	s := optionalText(f, name)
	if s != nil {
		*s = taahod.ASCIIDigits(*s)
	}
	return s
}

// createUnit registers a unit (registry.CreateUnit, the API's fields).
func (p *Pages) createUnit(c *gin.Context) {
	u, _ := signedIn(c)
	f := readUnitForm(c)
	in := registry.NewUnit{Name: Text(f.values["name"]), NationalID: strings.TrimSpace(taahod.ASCIIDigits(f.values["national_id"])),
		County: Text(f.values["county"]), EconomicCode: codeText(f, "economic_code"),
		TaxFileNo: codeText(f, "tax_file_no"), Activity: optionalText(f, "activity"),
		Status: strings.TrimSpace(f.values["status"])}
	created, err := p.registry.CreateUnit(c.Request.Context(), u, in)
	if err != nil {
		alert := f.take(err)
		p.render(c, problemStatus(err), "admin_unit", page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f,
			Data: adminUnitData{Statuses: adminUnitStatuses, StatusNames: adminUnitStatusNames}})
		return
	}
	c.Redirect(http.StatusSeeOther, unitAdminPath(created.ID)+"?m=unit_created")
}

func unitAdminPath(id int64) string { return "/admin/units/" + strconv.FormatInt(id, 10) }

// adminUnit renders a unit's page with its edit form.
func (p *Pages) adminUnit(c *gin.Context) {
	u, _ := signedIn(c)
	un, ok := p.unitOr404(c)
	if !ok {
		return
	}
	f := newForm()
	f.values["name"], f.values["national_id"], f.values["county"] = un.Name, un.NationalID, un.County
	f.values["economic_code"], f.values["tax_file_no"], f.values["activity"] = deref(un.EconomicCode), deref(un.TaxFileNo), deref(un.Activity)
	f.values["status"] = un.Status
	p.render(c, http.StatusOK, "admin_unit", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Form: f,
		Data: adminUnitData{Unit: &un, Statuses: statusesOf(un), StatusNames: adminUnitStatusNames}})
}

// statusesOf are the statuses a unit's form offers: a revived unit keeps
// its status in the list, as it stands.
func statusesOf(un registry.Unit) []string {
	if un.Status == registry.UnitRevived {
		return append([]string{registry.UnitRevived}, adminUnitStatuses...)
	}
	return adminUnitStatuses
}

func (p *Pages) unitOr404(c *gin.Context) (registry.Unit, bool) {
	u, _ := signedIn(c)
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return registry.Unit{}, false
	}
	un, err := p.registry.FindUnit(c.Request.Context(), u, id)
	if err != nil {
		p.storeFailure(c, err)
		return registry.Unit{}, false
	}
	return un, true
}

// editUnit stores the unit's fields (registry.UpdateUnit); the status is
// sent only when it changes, so a revived unit can be edited as it is.
func (p *Pages) editUnit(c *gin.Context) {
	u, _ := signedIn(c)
	un, ok := p.unitOr404(c)
	if !ok {
		return
	}
	f := readUnitForm(c)
	set := func(s string) taahod.Optional[string] { return taahod.Optional[string]{Set: true, Value: s} }
	opt := func(s *string) taahod.Optional[string] {
		if s == nil {
			return taahod.Optional[string]{Set: true, Null: true}
		}
		return set(*s)
	}
	patch := registry.UnitPatch{Name: set(Text(f.values["name"])), NationalID: set(strings.TrimSpace(taahod.ASCIIDigits(f.values["national_id"]))),
		County: set(Text(f.values["county"])), EconomicCode: opt(codeText(f, "economic_code")),
		TaxFileNo: opt(codeText(f, "tax_file_no")), Activity: opt(optionalText(f, "activity"))}
	if st := strings.TrimSpace(f.values["status"]); st != un.Status {
		patch.Status = set(st)
	}
	if _, err := p.registry.UpdateUnit(c.Request.Context(), u, un.ID, patch); err != nil {
		alert := f.take(err)
		p.render(c, problemStatus(err), "admin_unit", page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f,
			Data: adminUnitData{Unit: &un, Statuses: statusesOf(un), StatusNames: adminUnitStatusNames}})
		return
	}
	c.Redirect(http.StatusSeeOther, unitAdminPath(un.ID)+"?m=unit_updated")
}
