package ledger

import (
	"context"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// SchoolCount is how many schools have one status, or lie in one county.
type SchoolCount struct {
	Key   string `db:"key"`
	Count int    `db:"count"`
}

// OverduePledge is a pledge whose agreed term (its due date) has passed
// while the school it funds is not yet completed.
type OverduePledge struct {
	PledgeID        int64           `db:"pledge_id"`
	UnitName        string          `db:"unit_name"`
	SchoolID        int64           `db:"school_id"`
	SchoolName      string          `db:"school_name"`
	County          string          `db:"county"`
	SchoolStatus    string          `db:"school_status"`
	ProgressPercent int             `db:"progress_percent"`
	Amount          decimal.Decimal `db:"amount"`
	PledgedOn       taahod.Date     `db:"pledged_on"`
	DueOn           taahod.Date     `db:"due_on"`
}

// SchoolOverview is the education department's view of the school
// projects: how many there are by status and by county, and the pledges
// overdue. A pledge is overdue here when its due date has passed, it is
// not cancelled, and its school is neither completed nor handed over —
// the school, not the money, is what the department waits for (a pledge's
// own status "overdue" counts the approved amounts instead).
type SchoolOverview struct {
	Total    int
	ByStatus []SchoolCount
	ByCounty []SchoolCount
	Overdue  []OverduePledge
}

// SchoolOverview reads the overview as the actor may see it: every school,
// and the pledges of the units the actor sees (an accountant's own), the
// longest overdue first.
func (s *Store) SchoolOverview(ctx context.Context, actor taahod.Actor) (SchoolOverview, error) {
	var o SchoolOverview
	if err := s.DB.SelectContext(ctx, &o.ByStatus, `
		SELECT status AS key, count(*) AS count FROM schools GROUP BY status
		 ORDER BY array_position(ARRAY['planned', 'under_construction', 'equipping', 'completed', 'handed_over'], status)`); err != nil {
		return o, database.MapError(err)
	}
	if err := s.DB.SelectContext(ctx, &o.ByCounty, `
		SELECT min(county) AS key, count(*) AS count FROM schools GROUP BY taahod_fold(county) ORDER BY min(county)`); err != nil {
		return o, database.MapError(err)
	}
	for _, c := range o.ByStatus {
		o.Total += c.Count
	}
	if err := s.DB.SelectContext(ctx, &o.Overdue, `
		SELECT p.id AS pledge_id, u.name AS unit_name, s.id AS school_id, s.name AS school_name, s.county,
		       s.status AS school_status, COALESCE(pr.percent, 0) AS progress_percent,
		       p.amount, p.pledged_on, p.due_on
		  FROM pledges p
		  JOIN units u ON u.id = p.unit_id
		  JOIN schools s ON s.id = p.school_id
		  LEFT JOIN LATERAL (
		        SELECT percent FROM school_progress WHERE school_id = s.id ORDER BY id DESC LIMIT 1) pr ON TRUE
		 WHERE p.cancelled_at IS NULL AND p.due_on < $1
		   AND s.status NOT IN ('completed', 'handed_over')
		   AND ($2::bigint[] IS NULL OR p.unit_id = ANY($2))
		 ORDER BY p.due_on, p.id`, s.today(), unitScope(actor)); err != nil {
		return o, database.MapError(err)
	}
	return o, nil
}
