package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/notify"
)

// unitScope is the value of a "units" placeholder: NULL for an actor who sees
// every unit, else the actor's units. Statements test it with
// ($n::bigint[] IS NULL OR unit_id = ANY($n)).
func unitScope(actor taahod.Actor) any {
	if actor.SeesAllUnits() {
		return nil
	}
	return pq.Array(actor.UnitIDs)
}

// schoolSelect reads schools with their totals; $1 is the unit scope.
const schoolSelect = `
	SELECT s.id, s.name, s.kind, s.county, s.address, s.classrooms, s.estimated_cost, s.status,
	       s.created_at, s.updated_at,
	       COALESCE(pr.percent, 0) AS progress_percent,
	       COALESCE(pt.pledged, 0) AS pledged_total,
	       COALESCE(et.submitted, 0) AS submitted_total,
	       COALESCE(et.approved, 0) AS approved_total
	  FROM schools s
	  LEFT JOIN LATERAL (
	        SELECT percent FROM school_progress WHERE school_id = s.id ORDER BY id DESC LIMIT 1) pr ON TRUE
	  LEFT JOIN LATERAL (
	        SELECT sum(amount) AS pledged FROM pledges
	         WHERE school_id = s.id AND cancelled_at IS NULL
	           AND ($1::bigint[] IS NULL OR unit_id = ANY($1))) pt ON TRUE
	  LEFT JOIN LATERAL (
	        SELECT sum(e.amount) FILTER (WHERE e.status IN ('submitted', 'approved', 'partially_approved')) AS submitted,
	               sum(e.approved_amount) AS approved
	          FROM pledges p JOIN expenditures e ON e.pledge_id = p.id
	         WHERE p.school_id = s.id AND ($1::bigint[] IS NULL OR p.unit_id = ANY($1))) et ON TRUE`

// CreateSchool registers a school project, planned. It returns EINVALID for
// bad fields.
func (s *Store) CreateSchool(ctx context.Context, actor taahod.Actor, in NewSchool) (School, error) {
	if err := in.Validate(); err != nil {
		return School{}, err
	}
	var id int64
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := tx.GetContext(ctx, &id, `
			INSERT INTO schools (name, kind, county, address, classrooms, estimated_cost, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $7) RETURNING id`,
			in.Name, in.Kind, in.County, in.Address, in.Classrooms, in.estimatedCost, tx.Now); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "school.create", "school", id, map[string]any{
			"name": in.Name, "kind": in.Kind, "county": in.County, "address": in.Address,
			"classrooms": in.Classrooms, "estimated_cost": in.estimatedCost,
		})
		return nil
	})
	if err != nil {
		return School{}, err
	}
	return s.FindSchool(ctx, actor, id)
}

// FindSchool returns a school with its totals and pledging units, as the
// actor may see them. It returns ENOTFOUND if there is none.
func (s *Store) FindSchool(ctx context.Context, actor taahod.Actor, id int64) (School, error) {
	var sc School
	err := s.DB.GetContext(ctx, &sc, schoolSelect+` WHERE s.id = $2`, unitScope(actor), id)
	if err != nil {
		return School{}, database.NotFound(err, "school", id)
	}
	list := []School{sc}
	if err := s.attachPledgingUnits(ctx, actor, list); err != nil {
		return School{}, err
	}
	return list[0], nil
}

// ListSchools returns the schools that match f, by id, at most f.Limit.
func (s *Store) ListSchools(ctx context.Context, actor taahod.Actor, f SchoolFilter) ([]School, error) {
	query, args := schoolQuery(actor, f)
	schools := []School{}
	err := s.DB.SelectContext(ctx, &schools, query, args...)
	if err != nil {
		return nil, database.MapError(err)
	}
	return schools, s.attachPledgingUnits(ctx, actor, schools)
}

// schoolQuery is the statement of the schools that match f, by id, at most
// f.Limit, with their totals for the actor's units, and its arguments: the
// one query ListSchools and EachSchool share.
func schoolQuery(actor taahod.Actor, f SchoolFilter) (string, []any) {
	q := database.Filter{}
	q.Arg(unitScope(actor))
	q.Where("s.id > " + q.Arg(f.AfterID))
	if f.County != "" {
		q.Where("taahod_fold(s.county) = " + q.Arg(taahod.FoldText(f.County)))
	}
	q.Search(f.Query, "taahod_fold(s.name)")
	if f.Status != "" {
		q.Where("s.status = " + q.Arg(f.Status))
	}
	if f.Kind != "" {
		q.Where("s.kind = " + q.Arg(f.Kind))
	}
	query := schoolSelect + ` WHERE ` + q.Clause() + ` ORDER BY s.id LIMIT ` + q.Arg(f.Limit)
	return query, q.Args
}

func (s *Store) attachPledgingUnits(ctx context.Context, actor taahod.Actor, schools []School) error {
	if len(schools) == 0 {
		return nil
	}
	ids := make([]int64, len(schools))
	for i, sc := range schools {
		ids[i] = sc.ID
	}
	var units []PledgingUnit
	err := s.DB.SelectContext(ctx, &units, `
		SELECT p.school_id, u.id AS unit_id, u.name AS unit_name, sum(p.amount) AS pledged
		  FROM pledges p JOIN units u ON u.id = p.unit_id
		 WHERE p.school_id = ANY($1) AND p.cancelled_at IS NULL
		   AND ($2::bigint[] IS NULL OR p.unit_id = ANY($2))
		 GROUP BY p.school_id, u.id, u.name
		 ORDER BY p.school_id, u.id`, pq.Array(ids), unitScope(actor))
	if err != nil {
		return database.MapError(err)
	}
	at := make(map[int64]int, len(schools))
	for i, sc := range schools {
		at[sc.ID] = i
		schools[i].PledgingUnits = []PledgingUnit{}
	}
	for _, u := range units {
		i := at[u.SchoolID]
		schools[i].PledgingUnits = append(schools[i].PledgingUnits, u)
	}
	return nil
}

func lockSchool(ctx context.Context, q sqlx.QueryerContext, id int64) (School, error) {
	var sc School
	err := sqlx.GetContext(ctx, q, &sc, `
		SELECT id, name, kind, county, address, classrooms, estimated_cost, status, created_at, updated_at
		  FROM schools WHERE id = $1 FOR UPDATE`, id)
	return sc, database.NotFound(err, "school", id)
}

// UpdateSchool applies a partial update. It returns ENOTFOUND for an unknown
// school, EINVALID for bad fields, and ECONFLICT for a status change the
// school's progress does not allow (back to planned after progress, or any
// stage once it is completed or handed over).
func (s *Store) UpdateSchool(ctx context.Context, actor taahod.Actor, id int64, patch SchoolPatch) (School, error) {
	if err := patch.Validate(); err != nil {
		return School{}, err
	}
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		sc, err := lockSchool(ctx, tx, id)
		if err != nil {
			return err
		}
		changes := taahod.Changes{}
		change := changes.Record
		taahod.Apply(changes, "name", patch.Name, &sc.Name)
		taahod.Apply(changes, "kind", patch.Kind, &sc.Kind)
		taahod.Apply(changes, "county", patch.County, &sc.County)
		taahod.ApplyNullable(changes, "address", patch.Address, &sc.Address)
		taahod.ApplyNullable(changes, "classrooms", patch.Classrooms, &sc.Classrooms)
		if patch.EstimatedCost.Set {
			next := patch.estimatedCost
			if next.Valid != sc.EstimatedCost.Valid || !next.Decimal.Equal(sc.EstimatedCost.Decimal) {
				change("estimated_cost", sc.EstimatedCost, next)
				sc.EstimatedCost = next
			}
		}
		if patch.Status.Set && patch.Status.Value != sc.Status {
			if sc.Status == SchoolCompleted || sc.Status == SchoolHandedOver {
				return taahod.Errorf(taahod.ECONFLICT, "school %d is %s; its status follows the progress reports now", id, sc.Status)
			}
			if patch.Status.Value == SchoolPlanned {
				var reported bool
				if err := tx.GetContext(ctx, &reported, `SELECT EXISTS (SELECT 1 FROM school_progress WHERE school_id = $1 AND percent > 0)`, id); err != nil {
					return err
				}
				if reported {
					return taahod.Errorf(taahod.ECONFLICT, "school %d has reported progress; it cannot go back to planned", id)
				}
			}
			change("status", sc.Status, patch.Status.Value)
			sc.Status = patch.Status.Value
		}
		if len(changes) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE schools SET name = $2, kind = $3, county = $4, address = $5, classrooms = $6,
			       estimated_cost = $7, status = $8, updated_at = $9 WHERE id = $1`,
			id, sc.Name, sc.Kind, sc.County, sc.Address, sc.Classrooms, sc.EstimatedCost, sc.Status, tx.Now); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "school.update", "school", id, changes)
		return nil
	})
	if err != nil {
		return School{}, err
	}
	return s.FindSchool(ctx, actor, id)
}

// AddProgress records a progress report on a school's timeline and moves
// the school's status with it: a report of 100% completes the school, a
// hand-over report hands a completed school over, and the first report of
// progress starts the construction of a planned one. It returns ENOTFOUND
// for an unknown school; EINVALID for bad fields, a report dated before the
// timeline's last one, or a percent lower than the last without a note; and
// ECONFLICT for a hand-over of a school that is not completed, or any report
// on a school already handed over.
func (s *Store) AddProgress(ctx context.Context, actor taahod.Actor, schoolID int64, in NewProgress) (Progress, error) {
	if err := in.Validate(s.today()); err != nil {
		return Progress{}, err
	}
	var r Progress
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var err error
		r, err = addProgress(ctx, tx, actor, schoolID, &in)
		return err
	})
	return r, err
}

// addProgress records a validated report in tx, as AddProgress describes.
func addProgress(ctx context.Context, tx *database.Tx, actor taahod.Actor, schoolID int64, in *NewProgress) (Progress, error) {
	var r Progress
	sc, err := lockSchool(ctx, tx, schoolID)
	if err != nil {
		return Progress{}, err
	}
	if sc.Status == SchoolHandedOver {
		return Progress{}, taahod.Errorf(taahod.ECONFLICT, "school %d has been handed over; its timeline is closed", schoolID)
	}
	var last struct {
		Percent    int         `db:"percent"`
		ReportedOn taahod.Date `db:"reported_on"`
	}
	err = tx.GetContext(ctx, &last, `SELECT percent, reported_on FROM school_progress WHERE school_id = $1 ORDER BY id DESC LIMIT 1`, schoolID)
	hasLast := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return Progress{}, err
	}
	var p taahod.Problems
	if hasLast && in.reportedOn.Before(last.ReportedOn) {
		p.Add("reported_on", "before_last_report", "the timeline's last report is dated "+last.ReportedOn.String()+"; reports are recorded in date order")
	}
	if hasLast && *in.Percent < last.Percent && in.Note == nil {
		p.Add("note", "required", fmt.Sprintf("percent goes down from %d to %d: say why in a note", last.Percent, *in.Percent))
	}
	if err := p.Err(); err != nil {
		return Progress{}, err
	}
	status := sc.Status
	switch {
	case in.Kind == ProgressHandover:
		if sc.Status != SchoolCompleted {
			return Progress{}, taahod.Errorf(taahod.ECONFLICT, "school %d is %s; only a completed school is handed over", schoolID, sc.Status)
		}
		status = SchoolHandedOver
	case *in.Percent == 100:
		status = SchoolCompleted
	case sc.Status == SchoolCompleted || (sc.Status == SchoolPlanned && *in.Percent > 0):
		status = SchoolUnderConstruction
	}
	if err := tx.GetContext(ctx, &r, `
		INSERT INTO school_progress (school_id, kind, milestone, percent, reported_on, note, reported_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		RETURNING id, school_id, kind, milestone, percent, reported_on, note, created_at`,
		schoolID, in.Kind, in.Milestone, *in.Percent, in.reportedOn, in.Note, nullID(actor.UserID), tx.Now); err != nil {
		return Progress{}, err
	}
	r.ReportedBy = userOf(actor)
	if status != sc.Status {
		if _, err := tx.ExecContext(ctx, `UPDATE schools SET status = $2, updated_at = $3 WHERE id = $1`, schoolID, status, tx.Now); err != nil {
			return Progress{}, err
		}
	}
	r.SchoolStatus = status
	tx.Audit(ctx, actor, "school.progress", "school", schoolID, map[string]any{
		"progress_id": r.ID, "kind": r.Kind, "milestone": r.Milestone, "percent": r.Percent,
		"reported_on": r.ReportedOn, "note": r.Note, "status": map[string]any{"from": sc.Status, "to": status},
	})
	return r, notify.Publish(ctx, tx, notify.Event{Type: notify.SchoolProgressReported, SubjectType: "school",
		SubjectID: schoolID, Actor: actor, Resource: map[string]any{
			"id": r.ID, "school_id": schoolID, "kind": r.Kind, "milestone": r.Milestone, "percent": r.Percent,
			"reported_on": r.ReportedOn, "reported_on_jalali": r.ReportedOn.Jalali(), "note": r.Note, "school_status": status,
		}})
}

// SchoolProgress returns a school's timeline, oldest first, with each
// report's documents. It returns ENOTFOUND for an unknown school.
func (s *Store) SchoolProgress(ctx context.Context, schoolID int64) ([]Progress, error) {
	var status string
	if err := s.DB.GetContext(ctx, &status, `SELECT status FROM schools WHERE id = $1`, schoolID); err != nil {
		return nil, database.NotFound(err, "school", schoolID)
	}
	reports := []Progress{}
	if err := s.DB.SelectContext(ctx, &reports, `
		SELECT r.id, r.school_id, r.kind, r.milestone, r.percent, r.reported_on, r.note,
		       `+userRefSQL("r.reported_by")+` AS reported_by, r.created_at
		  FROM school_progress r WHERE r.school_id = $1 ORDER BY r.id`, schoolID); err != nil {
		return nil, database.MapError(err)
	}
	var docs []Document
	if err := s.DB.SelectContext(ctx, &docs, `
		SELECT d.progress_id, `+documentColumns+`
		  FROM school_progress_documents d JOIN school_progress r ON r.id = d.progress_id
		 WHERE r.school_id = $1 ORDER BY d.id`, schoolID); err != nil {
		return nil, database.MapError(err)
	}
	at := map[int64]int{}
	for i := range reports {
		at[reports[i].ID] = i
		reports[i].Documents = []Document{}
	}
	for _, d := range docs {
		i := at[*d.ProgressID]
		reports[i].Documents = append(reports[i].Documents, d)
	}
	// Each report shows the status the school had after it; only the
	// current one is stored, so the earlier are left out.
	if n := len(reports); n > 0 {
		reports[n-1].SchoolStatus = status
	}
	return reports, nil
}
