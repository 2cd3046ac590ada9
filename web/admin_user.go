package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
)

// adminUserData is a user's page: their fields and the forms that change
// them.
type adminUserData struct {
	Target auth.User
	// Self is the administrator's own account (it cannot be disabled).
	Self bool
	// TargetUnits names the units the user serves now.
	TargetUnits []string
	userFormData
}

// adminUser renders a user's page: their role, units and state, the form
// that changes name, role and units, disable/enable and reset password.
func (p *Pages) adminUser(c *gin.Context) {
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return
	}
	target, err := p.auth.GetUser(c.Request.Context(), id)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	f := newForm()
	f.values["full_name"], f.values["role"] = deref(target.FullName), string(target.Role)
	f.values["email"] = deref(target.Email)
	p.renderUser(c, http.StatusOK, target, f, target.UnitIDs, statusOf(c), "")
}

// renderUser renders the user's page with the change form f and the units
// chosen in it.
func (p *Pages) renderUser(c *gin.Context, status int, target auth.User, f *form, chosen []int64, ok, alert string) {
	u, _ := signedIn(c)
	fd, err := p.userFormData(c.Request.Context(), u, chosen)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	d := adminUserData{Target: target, Self: target.ID == u.UserID, userFormData: fd}
	names := map[int64]string{}
	for _, un := range fd.Units {
		names[un.ID] = un.Name
	}
	for _, id := range target.UnitIDs {
		d.TargetUnits = append(d.TargetUnits, names[id])
	}
	p.render(c, status, "admin_user", page{User: &u, CSRF: csrfToken(c), Status: ok, Alert: alert, Form: f, Data: d})
}

// userOr404 reads the path's user, or answers the 404 page.
func (p *Pages) userOr404(c *gin.Context) (auth.User, bool) {
	id, ok := p.pathIDOr404(c, "id")
	if !ok {
		return auth.User{}, false
	}
	target, err := p.auth.GetUser(c.Request.Context(), id)
	if err != nil {
		p.storeFailure(c, err)
		return auth.User{}, false
	}
	return target, true
}

// changeUser changes a user's full_name, role and units (the API's PATCH
// fields): leaving accountant lets the units go unless some are chosen.
func (p *Pages) changeUser(c *gin.Context) {
	u, _ := signedIn(c)
	target, ok := p.userOr404(c)
	if !ok {
		return
	}
	f := newForm()
	f.values["full_name"], f.values["role"] = c.PostForm("full_name"), c.PostForm("role")
	f.values["email"] = c.PostForm("email")
	units := readUnits(c, f)
	if f.failed() {
		p.renderUser(c, http.StatusUnprocessableEntity, target, f, units, "", Message(taahod.EINVALID))
		return
	}
	role := taahod.Role(f.values["role"])
	ch := auth.UserChange{FullName: taahod.Optional[string]{Set: true, Value: Text(f.values["full_name"])}, Role: &role,
		Email: taahod.Optional[string]{Set: true, Value: Text(f.values["email"])}}
	if role == taahod.RoleAccountant || len(units) > 0 {
		ch.Units = &units
	}
	if _, err := p.auth.UpdateUser(c.Request.Context(), u, target.ID, ch); err != nil {
		alert := f.take(err)
		p.renderUser(c, problemStatus(err), target, f, units, "", alert)
		return
	}
	c.Redirect(http.StatusSeeOther, userPath(target.ID)+"?m=user_updated")
}

// setUserDisabled disables (disabled=true) or enables (false) a user; a
// disabled user's sessions end at once (auth.Store.UpdateUser).
func (p *Pages) setUserDisabled(c *gin.Context) {
	u, _ := signedIn(c)
	target, ok := p.userOr404(c)
	if !ok {
		return
	}
	disabled, ok := readAdminBool(c.PostForm("disabled"))
	if !ok || disabled == nil {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	if _, err := p.auth.UpdateUser(c.Request.Context(), u, target.ID, auth.UserChange{Disabled: disabled}); err != nil {
		f := newForm()
		f.values["full_name"], f.values["role"] = deref(target.FullName), string(target.Role)
		alert := f.take(err)
		p.renderUser(c, problemStatus(err), target, f, target.UnitIDs, "", alert)
		return
	}
	m := "user_enabled"
	if *disabled {
		m = "user_disabled"
	}
	c.Redirect(http.StatusSeeOther, userPath(target.ID)+"?m="+m)
}

// resetUserPassword gives the user a new one-time password, ends their
// sessions, and shows the password once.
func (p *Pages) resetUserPassword(c *gin.Context) {
	u, _ := signedIn(c)
	target, ok := p.userOr404(c)
	if !ok {
		return
	}
	_, password, err := p.auth.ResetPassword(c.Request.Context(), u, target.ID)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	p.handOver(c, target.ID, password, "password_reset")
}
