package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/taahod/taahod"
)

// homePaths is each role's home page: signing in leads there.
var homePaths = map[taahod.Role]string{
	taahod.RoleAdmin:            "/admin",
	taahod.RoleSecretariat:      "/secretariat",
	taahod.RoleAccountant:       "/accountant",
	taahod.RoleTaxOfficer:       "/tax-office",
	taahod.RoleEducationOfficer: "/education",
	taahod.RoleAuditor:          "/auditor",
}

// homeOf is the home page of role.
func homeOf(r taahod.Role) string {
	if p, ok := homePaths[r]; ok {
		return p
	}
	return "/signin"
}

// homeData is what a home page shows for the roles whose pages are still
// to be built (the accountant's home is accountant_home.go).
type homeData struct {
	Role taahod.Role
	// Coming lists, for the roles whose pages are still to be built, what
	// they will find here.
	Coming []string
}

// coming says, per role, what its pages will hold (the next issue builds
// them).
var coming = map[taahod.Role][]string{
	taahod.RoleEducationOfficer: {
		"مدرسه‌ها و طرح‌های آموزش و پرورش",
		"پیگیری تعهدهای واحدها",
	},
	taahod.RoleSecretariat: {
		"واحدها، جلسه‌ها و مصوبه‌های کارگروه",
		"پرونده‌ها و دستگاه‌های اجرایی",
		"گزارش سالانه کارگروه",
	},
	taahod.RoleAuditor: {
		"دفتر رویدادهای سامانه",
		"گزارش‌ها و گواهی‌ها برای بررسی",
	},
	taahod.RoleAdmin: {
		"کاربران: افزودن، غیرفعال‌کردن و بازنشانی گذرواژه",
		"دفتر رویدادهای سامانه",
	},
}

// home renders role's home page; another role's home is not found, as the
// API answers what lies outside a caller's scope.
func (p *Pages) home(role taahod.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		u, _ := signedIn(c)
		if u.Role != role {
			p.failure(c, http.StatusNotFound, Message(taahod.ENOTFOUND))
			return
		}
		d := homeData{Role: role, Coming: coming[role]}
		p.render(c, http.StatusOK, "home", page{User: &u, CSRF: csrfToken(c), Status: statusOf(c), Data: d})
	}
}
