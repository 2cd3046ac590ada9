package ledger

import (
	"context"
	"encoding/json"

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
	PledgeID        int64           `db:"pledge_id" json:"pledge_id"`
	UnitID          int64           `db:"unit_id" json:"unit_id"`
	UnitName        string          `db:"unit_name" json:"unit_name"`
	SchoolID        int64           `db:"school_id" json:"school_id"`
	SchoolName      string          `db:"school_name" json:"school_name"`
	County          string          `db:"county" json:"county"`
	SchoolStatus    string          `db:"school_status" json:"school_status"`
	ProgressPercent int             `db:"progress_percent" json:"progress_percent"`
	Amount          decimal.Decimal `db:"amount" json:"amount"`
	PledgedOn       taahod.Date     `db:"pledged_on" json:"pledged_on"`
	DueOn           taahod.Date     `db:"due_on" json:"due_on"`
}

// MarshalJSON adds the Solar Hijri twins of the dates.
func (p OverduePledge) MarshalJSON() ([]byte, error) {
	type plain OverduePledge
	return json.Marshal(struct {
		plain
		PledgedOnJalali string `json:"pledged_on_jalali"`
		DueOnJalali     string `json:"due_on_jalali"`
	}{plain(p), p.PledgedOn.Jalali(), p.DueOn.Jalali()})
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

// MarshalJSON writes the overview as GET /schools/overview answers it:
// {total, by_status: [{status, count}], by_county: [{county, count}],
// overdue: [...]}.
func (o SchoolOverview) MarshalJSON() ([]byte, error) {
	type statusCount struct {
		Status string `json:"status"`
		Count  int    `json:"count"`
	}
	type countyCount struct {
		County string `json:"county"`
		Count  int    `json:"count"`
	}
	out := struct {
		Total    int             `json:"total"`
		ByStatus []statusCount   `json:"by_status"`
		ByCounty []countyCount   `json:"by_county"`
		Overdue  []OverduePledge `json:"overdue"`
	}{Total: o.Total, ByStatus: []statusCount{}, ByCounty: []countyCount{}, Overdue: o.Overdue}
	for _, c := range o.ByStatus {
		out.ByStatus = append(out.ByStatus, statusCount{c.Key, c.Count})
	}
	for _, c := range o.ByCounty {
		out.ByCounty = append(out.ByCounty, countyCount{c.Key, c.Count})
	}
	if out.Overdue == nil {
		out.Overdue = []OverduePledge{}
	}
	return json.Marshal(out)
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
		SELECT p.id AS pledge_id, u.id AS unit_id, u.name AS unit_name, s.id AS school_id, s.name AS school_name, s.county,
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
