package taahod

import (
	"slices"
	"strings"
)

// Role is what a signed-in user may do; the contract fixes the names.
type Role string

// The roles of the contract.
const (
	RoleAdmin            Role = "admin"
	RoleSecretariat      Role = "secretariat"
	RoleAccountant       Role = "accountant"
	RoleTaxOfficer       Role = "tax_officer"
	RoleEducationOfficer Role = "education_officer"
	RoleAuditor          Role = "auditor"
)

// Roles lists every role, in the order the CLI prints them.
var Roles = []Role{RoleAdmin, RoleSecretariat, RoleAccountant, RoleTaxOfficer, RoleEducationOfficer, RoleAuditor}

// Valid reports whether r is one of the contract's roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Actor is who makes a request: the signed-in user, or the system for the
// CLI and the demo loader. Domain methods take it to scope and audit.
type Actor struct {
	UserID   int64
	Username string
	// FullName is the user's name as records show it ("" when the user
	// has none; see DisplayName).
	FullName string
	Role     Role
	UnitIDs  []int64 // the units an accountant serves
}

// DisplayName is the name records show for the actor: the full name, or
// the user name when the user has no full name.
func (a Actor) DisplayName() string {
	if strings.TrimSpace(a.FullName) != "" {
		return a.FullName
	}
	return a.Username
}

// System is the actor of the CLI and of the demo loader.
var System = Actor{Username: "system", Role: RoleAdmin}

// Is reports whether the actor has one of roles.
func (a Actor) Is(roles ...Role) bool { return slices.Contains(roles, a.Role) }

// SeesAllUnits reports whether the actor's view is province-wide.
func (a Actor) SeesAllUnits() bool { return a.Role != RoleAccountant }

// CanSeeUnit reports whether the actor may see records of the unit: an
// accountant only their own units, every other role all of them.
func (a Actor) CanSeeUnit(unitID int64) bool {
	return a.SeesAllUnits() || slices.Contains(a.UnitIDs, unitID)
}

// SeesTaxFigures reports whether the actor may see units' tax data (tax due,
// taxable income, statements, certificates' tax figures). Taxpayer secrecy
// keeps them from the education officers and the secretariat. An accountant
// sees only their own units' figures; callers check CanSeeUnit as well.
func (a Actor) SeesTaxFigures() bool {
	return a.Is(RoleAdmin, RoleTaxOfficer, RoleAuditor, RoleAccountant)
}

// UserKey is the actor's user id for a foreign key column (who made a
// record): nil for the system actor, which is no user.
func (a Actor) UserKey() *int64 {
	if a.UserID == 0 {
		return nil
	}
	id := a.UserID
	return &id
}
