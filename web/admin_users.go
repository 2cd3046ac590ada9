package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/auth"
	"github.com/taahod/taahod/registry"
)

// usersPageSize is how many users one page of /admin/users lists.
const usersPageSize = 50

// roles are the roles in the order the forms offer them.
var roles = []taahod.Role{taahod.RoleAccountant, taahod.RoleTaxOfficer, taahod.RoleEducationOfficer,
	taahod.RoleSecretariat, taahod.RoleAuditor, taahod.RoleAdmin}

// adminUsersData is one page of the users list and its filter.
type adminUsersData struct {
	Role, Disabled, Q string
	Roles             []taahod.Role
	Users             []auth.User
	// UnitNames names the units of the accountants listed.
	UnitNames      map[int64]string
	Next, Previous string
}

// adminUsers renders /admin/users: the users filtered by the API's role,
// disabled and q, 50 a page with the API's after-id cursor.
func (p *Pages) adminUsers(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	d := adminUsersData{Role: c.Query("role"), Disabled: c.Query("disabled"), Q: Text(c.Query("q")), Roles: roles}
	after, trail, ok := readPosition(c)
	disabled, okDisabled := readAdminBool(d.Disabled)
	if !ok || !okDisabled || (d.Role != "" && !taahod.Role(d.Role).Valid()) || utf8.RuneCountInString(d.Q) > 100 {
		p.failure(c, http.StatusBadRequest, Message(taahod.EINVALID))
		return
	}
	users, err := p.auth.ListUsers(ctx, auth.UserFilter{Role: taahod.Role(d.Role), Disabled: disabled, Q: d.Q,
		AfterID: after, Limit: usersPageSize + 1})
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	more := len(users) > usersPageSize
	if more {
		users = users[:usersPageSize]
	}
	d.Previous, d.Next = listLinks("/admin/users", filterQuery(map[string]string{"role": d.Role, "disabled": d.Disabled, "q": d.Q}), after, trail, more,
		func() int64 { return users[len(users)-1].ID })
	d.Users = users
	if d.UnitNames, err = p.unitNames(ctx, u); err != nil {
		p.storeFailure(c, err)
		return
	}
	p.render(c, http.StatusOK, "admin_users", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
}

// maxUnitChoices bounds the units a user form offers: a province's
// pledging units are some hundreds.
const maxUnitChoices = 5000

// allUnits are the units an accountant may be given, by id.
func (p *Pages) allUnits(ctx context.Context, u taahod.Actor) ([]registry.Unit, error) {
	var out []registry.Unit
	var after int64
	for len(out) < maxUnitChoices {
		page, err := p.registry.ListUnits(ctx, u, registry.UnitFilter{AfterID: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	return out, nil
}

// unitNames names every unit by id.
func (p *Pages) unitNames(ctx context.Context, u taahod.Actor) (map[int64]string, error) {
	units, err := p.allUnits(ctx, u)
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(units))
	for _, un := range units {
		names[un.ID] = un.Name
	}
	return names, nil
}

// userFormData is the form of a new user or of a user's change.
type userFormData struct {
	Roles []taahod.Role
	Units []registry.Unit
	// Chosen are the units selected in the form.
	Chosen map[int64]bool
}

func (p *Pages) userFormData(ctx context.Context, u taahod.Actor, chosen []int64) (userFormData, error) {
	units, err := p.allUnits(ctx, u)
	d := userFormData{Roles: roles, Units: units, Chosen: map[int64]bool{}}
	for _, id := range chosen {
		d.Chosen[id] = true
	}
	return d, err
}

// newUserPage renders the form of a new user.
func (p *Pages) newUserPage(c *gin.Context) {
	u, _ := signedIn(c)
	d, err := p.userFormData(c.Request.Context(), u, nil)
	if err != nil {
		p.storeFailure(c, err)
		return
	}
	p.render(c, http.StatusOK, "admin_user_new", page{User: &u, CSRF: csrfToken(c), Form: newForm(), Data: d})
}

// readUnits reads the form's units (ids); a value that is no id is an
// error beside the field.
func readUnits(c *gin.Context, f *form) []int64 {
	var ids []int64
	for _, s := range c.PostFormArray("units") {
		id, err := strconv.ParseInt(strings.TrimSpace(taahod.ASCIIDigits(s)), 10, 64)
		if err != nil || id <= 0 {
			f.fail("units", "invalid_id")
			continue
		}
		ids = append(ids, id)
	}
	return ids
}

// createUser adds a user with a one-time password (the API's fields
// username, full_name, role, units) and shows the password once.
func (p *Pages) createUser(c *gin.Context) {
	u, _ := signedIn(c)
	ctx := c.Request.Context()
	f := newForm()
	for _, k := range []string{"username", "full_name", "role", "email"} {
		f.values[k] = c.PostForm(k)
	}
	units := readUnits(c, f)
	again := func(status int, alert string) {
		d, err := p.userFormData(ctx, u, units)
		if err != nil {
			p.storeFailure(c, err)
			return
		}
		p.render(c, status, "admin_user_new", page{User: &u, CSRF: csrfToken(c), Alert: alert, Form: f, Data: d})
	}
	if f.failed() {
		again(http.StatusUnprocessableEntity, Message(taahod.EINVALID))
		return
	}
	created, password, err := p.auth.CreateUserWithOneTimePassword(ctx, u, auth.NewUser{
		Username: strings.TrimSpace(f.values["username"]), FullName: Text(f.values["full_name"]),
		Role: taahod.Role(f.values["role"]), UnitIDs: units, Email: Text(f.values["email"]),
	})
	if err != nil {
		alert := f.take(err)
		again(problemStatus(err), alert)
		return
	}
	p.handOver(c, created.ID, password, "user_created")
}
