package registry

import (
	"github.com/lib/pq"
	"github.com/taahod/taahod"
)

// Viewer is whose eyes a read of the registry is for: a signed-in actor, or
// the public (the published figures and their rows).
//
// Every signed-in role reads the registry. What a record marked confidential
// hides is the unit it concerns: the public never sees it, and an accountant
// sees it only for their own units. Minutes of sessions and national ids of
// units are for signed-in readers only.
type Viewer struct {
	actor  taahod.Actor
	public bool
}

// SignedIn is the view of a signed-in actor.
func SignedIn(a taahod.Actor) Viewer { return Viewer{actor: a} }

// Public is the view of anyone, without sign-in.
func Public() Viewer { return Viewer{public: true} }

// seesUnitOf reports whether the viewer may learn which unit a record
// concerns.
func (v Viewer) seesUnitOf(unitID int64, confidential bool) bool {
	if !confidential {
		return true
	}
	return !v.public && v.actor.CanSeeUnit(unitID)
}

// seesInternals reports whether the viewer sees what is never published:
// minutes, national ids, who recorded what.
func (v Viewer) seesInternals() bool { return !v.public }

// confidentialFilter returns a SQL condition, over a row of alias with
// unit_id and confidential columns, that keeps only the rows whose unit the
// viewer may see. Filters by unit add it: a confidential record found by its
// unit would reveal that unit. arg binds a parameter and returns its
// placeholder.
func (v Viewer) confidentialFilter(alias string, arg func(any) string) string {
	switch {
	case v.public:
		return "NOT " + alias + ".confidential"
	case v.actor.SeesAllUnits():
		return "TRUE"
	}
	return "(NOT " + alias + ".confidential OR " + alias + ".unit_id = ANY(" + arg(pq.Array(v.actor.UnitIDs)) + "))"
}
