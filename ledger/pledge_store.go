package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// pledgeSelect reads pledges with their totals and derived status; $1 is
// today's date in Tehran. Callers filter on its columns from outside:
// SELECT * FROM (pledgeSelect) p WHERE ...
var pledgeSelect = `
	SELECT p.id, p.unit_id, u.name AS unit_name, p.school_id, s.name AS school_name, p.amount,
	       p.pledged_on, p.due_on, p.resolution_id, p.submitted_total,
	       COALESCE(a.approved, 0) AS approved_total,
	       GREATEST(p.amount - COALESCE(a.approved, 0), 0) AS remaining,
	       CASE WHEN p.cancelled_at IS NOT NULL THEN 'cancelled'
	            WHEN COALESCE(a.approved, 0) >= p.amount THEN 'fulfilled'
	            WHEN p.due_on < $1::date THEN 'overdue'
	            WHEN p.submitted_total > 0 THEN 'in_progress'
	            ELSE 'pending' END AS status,
	       p.cancelled_at, ` + userRefSQL("p.cancelled_by") + ` AS cancelled_by, p.cancel_reason, p.created_at
	  FROM pledges p
	  JOIN units u ON u.id = p.unit_id
	  JOIN schools s ON s.id = p.school_id
	  LEFT JOIN LATERAL (SELECT sum(approved_amount) AS approved FROM expenditures WHERE pledge_id = p.id) a ON TRUE`

// CreatePledge records a unit's pledge to a school. It returns EINVALID for
// bad fields; ENOTFOUND (naming the field) for an unknown unit or school,
// or a unit outside an accountant's own; and ECONFLICT for a school already
// handed over.
func (s *Store) CreatePledge(ctx context.Context, actor taahod.Actor, in NewPledge) (Pledge, error) {
	if err := in.Validate(s.today()); err != nil {
		return Pledge{}, err
	}
	if !actor.CanSeeUnit(in.UnitID) {
		return Pledge{}, unknownRef("unit_id", "unit", in.UnitID)
	}
	var id int64
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var refs struct {
			Unit       bool    `db:"unit"`
			School     *string `db:"school"`
			Resolution bool    `db:"resolution"`
		}
		// FOR SHARE on the school keeps a hand-over from slipping in
		// between this check and the insert.
		if err := tx.GetContext(ctx, &refs, `
			SELECT EXISTS (SELECT 1 FROM units WHERE id = $1) AS unit,
			       (SELECT status FROM schools WHERE id = $2 FOR SHARE) AS school,
			       $3::bigint IS NULL OR EXISTS (SELECT 1 FROM resolutions WHERE id = $3::bigint) AS resolution`,
			in.UnitID, in.SchoolID, in.ResolutionID); err != nil {
			return err
		}
		switch {
		case !refs.Unit:
			return unknownRef("unit_id", "unit", in.UnitID)
		case refs.School == nil:
			return unknownRef("school_id", "school", in.SchoolID)
		case !refs.Resolution:
			return unknownRef("resolution_id", "resolution", *in.ResolutionID)
		case *refs.School == SchoolHandedOver:
			return taahod.Errorf(taahod.ECONFLICT, "school %d has been handed over; it takes no new pledges", in.SchoolID)
		}
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO pledges (unit_id, school_id, amount, pledged_on, due_on, resolution_id, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			in.UnitID, in.SchoolID, in.amount, in.pledgedOn, in.dueOn, in.ResolutionID, nullID(actor.UserID), tx.Now); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "pledge.create", "pledge", id, map[string]any{
			"unit_id": in.UnitID, "school_id": in.SchoolID, "amount": in.amount, "pledged_on": in.pledgedOn,
			"due_on": in.dueOn, "resolution_id": in.ResolutionID,
		})
		return nil
	})
	if err != nil {
		return Pledge{}, err
	}
	return s.FindPledge(ctx, actor, id)
}

// unknownRef is the answer to a body that names a record that does not
// exist or that the actor may not see: 404, with the field named.
func unknownRef(field, what string, id int64) error {
	return &taahod.Error{Code: taahod.ENOTFOUND, Message: fmt.Sprintf("%s %d not found", what, id),
		Fields: []taahod.FieldError{{Field: field, Code: "not_found", Message: "no such " + what}}}
}

// FindPledge returns a pledge with its totals and status. It returns
// ENOTFOUND if there is none or it is outside an accountant's units.
func (s *Store) FindPledge(ctx context.Context, actor taahod.Actor, id int64) (Pledge, error) {
	var p Pledge
	err := s.DB.GetContext(ctx, &p, `SELECT * FROM (`+pledgeSelect+` WHERE p.id = $2) p`, s.today(), id)
	if err == nil && !actor.CanSeeUnit(p.UnitID) {
		err = sql.ErrNoRows
	}
	return p, database.NotFound(err, "pledge", id)
}

// ListPledges returns the pledges the actor may see that match f, by id, at
// most f.Limit.
func (s *Store) ListPledges(ctx context.Context, actor taahod.Actor, f PledgeFilter) ([]Pledge, error) {
	query, args := s.pledgeQuery(actor, f)
	pledges := []Pledge{}
	err := s.DB.SelectContext(ctx, &pledges, query, args...)
	return pledges, database.MapError(err)
}

// pledgeQuery is the statement of the pledges the actor may see that match
// f, by id, at most f.Limit, and its arguments: the one query ListPledges
// and EachPledge share.
func (s *Store) pledgeQuery(actor taahod.Actor, f PledgeFilter) (string, []any) {
	q := database.Filter{}
	q.Arg(s.today()) // $1 of pledgeSelect
	q.Where("p.id > " + q.Arg(f.AfterID))
	if scope := unitScope(actor); scope != nil {
		q.Where("p.unit_id = ANY(" + q.Arg(scope) + ")")
	}
	if f.UnitID > 0 {
		q.Where("p.unit_id = " + q.Arg(f.UnitID))
	}
	if f.SchoolID > 0 {
		q.Where("p.school_id = " + q.Arg(f.SchoolID))
	}
	status := "TRUE"
	if f.Status != "" {
		status = "status = " + q.Arg(f.Status)
	}
	query := `SELECT * FROM (` + pledgeSelect + ` WHERE ` + q.Clause() + `) p WHERE ` +
		status + ` ORDER BY id LIMIT ` + q.Arg(f.Limit)
	return query, q.Args
}

// CancelPledge cancels a pledge, with a reason; a cancelled pledge takes no
// new expenditures, and those already submitted may still be reviewed. It
// returns ENOTFOUND for an unknown pledge, EINVALID without a reason, and
// ECONFLICT for a pledge already cancelled or fulfilled.
func (s *Store) CancelPledge(ctx context.Context, actor taahod.Actor, id int64, reason string) (Pledge, error) {
	var p taahod.Problems
	p.Text("reason", &reason, true, 2000)
	if err := p.Err(); err != nil {
		return Pledge{}, err
	}
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var row struct {
			UnitID    int64 `db:"unit_id"`
			Cancelled bool  `db:"cancelled"`
			Fulfilled bool  `db:"fulfilled"`
		}
		err := tx.GetContext(ctx, &row, `
			SELECT unit_id, cancelled_at IS NOT NULL AS cancelled,
			       COALESCE((SELECT sum(approved_amount) FROM expenditures WHERE pledge_id = p.id), 0) >= amount AS fulfilled
			  FROM pledges p WHERE id = $1 FOR UPDATE`, id)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !actor.CanSeeUnit(row.UnitID)) {
			return taahod.Errorf(taahod.ENOTFOUND, "pledge %d not found", id)
		} else if err != nil {
			return err
		}
		switch {
		case row.Cancelled:
			return taahod.Errorf(taahod.ECONFLICT, "pledge %d is cancelled already", id)
		case row.Fulfilled:
			return taahod.Errorf(taahod.ECONFLICT, "pledge %d is fulfilled; there is nothing left to cancel", id)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE pledges SET cancelled_at = $2, cancelled_by = $3, cancel_reason = $4 WHERE id = $1`,
			id, tx.Now, nullID(actor.UserID), reason); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "pledge.cancel", "pledge", id, map[string]any{"reason": reason})
		return nil
	})
	if err != nil {
		return Pledge{}, err
	}
	return s.FindPledge(ctx, actor, id)
}
