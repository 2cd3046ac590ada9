package web

import "github.com/taahod/taahod"

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
