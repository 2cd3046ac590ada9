package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

const sessionSelect = `
	SELECT s.id, s.kind, s.held_on, s.county, s.title, s.chair, s.minutes, s.created_at, s.updated_at,
	       ARRAY(SELECT a.name FROM session_attendees sa JOIN agencies a ON a.id = sa.agency_id
	              WHERE sa.session_id = s.id ORDER BY a.name) AS attendees,
	       (SELECT count(*) FROM resolutions r WHERE r.session_id = s.id) AS resolutions
	  FROM sessions s`

// CreateSession records a session. It returns EINVALID for bad fields (a
// field session without a county, a date after today).
func (s *Store) CreateSession(ctx context.Context, actor taahod.Actor, in NewSession) (Session, error) {
	if err := in.Validate(taahod.Today(s.DB.Now())); err != nil {
		return Session{}, err
	}
	var out Session
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var id int64
		err := tx.GetContext(ctx, &id, `
			INSERT INTO sessions (kind, held_on, county, title, chair, minutes, created_at, updated_at)
			VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''), NULLIF($6, ''), $7, $7) RETURNING id`,
			in.Kind, in.heldOn, in.County, in.Title, in.Chair, in.Minutes, tx.Now)
		if err != nil {
			return err
		}
		if _, err := setAttendees(ctx, tx, id, in.attendees); err != nil {
			return err
		}
		if out, err = findSession(ctx, tx, SignedIn(actor), id); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "session.create", "session", id, out)
		return nil
	})
	return out, err
}

// setAttendees replaces the session's attendees and returns the agencies new
// to the catalogue.
func setAttendees(ctx context.Context, tx *database.Tx, sessionID int64, names []string) ([]string, error) {
	ids, added, err := ensureAgencies(ctx, tx, names)
	if err != nil {
		return nil, err
	}
	agencyIDs := make([]int64, 0, len(ids))
	for _, id := range ids {
		agencyIDs = append(agencyIDs, id)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM session_attendees WHERE session_id = $1`, sessionID); err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO session_attendees (session_id, agency_id) SELECT $1::bigint, unnest($2::bigint[])`,
		sessionID, pq.Array(agencyIDs))
	return added, err
}

// FindSession returns the session with id. It returns ENOTFOUND if there is
// none.
func (s *Store) FindSession(ctx context.Context, v Viewer, id int64) (Session, error) {
	return findSession(ctx, s.DB, v, id)
}

func findSession(ctx context.Context, q sqlx.QueryerContext, v Viewer, id int64) (Session, error) {
	var out Session
	err := sqlx.GetContext(ctx, q, &out, sessionSelect+` WHERE s.id = $1`, id)
	if err != nil {
		return Session{}, database.NotFound(err, "session", id)
	}
	out.finish(v)
	return out, nil
}

// SessionFilter narrows a list of sessions.
type SessionFilter struct {
	Kind    string
	County  string
	Year    int // fiscal year of held_on; 0 for all
	AfterID int64
	Limit   int
}

// ListSessions returns the sessions that match f, by id, at most f.Limit of
// them. It returns EINVALID for a kind or year that does not exist.
func (s *Store) ListSessions(ctx context.Context, v Viewer, f SessionFilter) ([]Session, error) {
	var args database.Args
	where := []string{"s.id > " + args.Add(f.AfterID)}
	if f.Kind != "" {
		if !SessionKinds.Has(f.Kind) {
			return nil, taahod.Invalid("kind", "invalid_choice", "kind must be "+SessionKinds.list())
		}
		where = append(where, "s.kind = "+args.Add(f.Kind))
	}
	if f.County != "" {
		where = append(where, "taahod_fold(s.county) = "+args.Add(taahod.FoldText(f.County)))
	}
	if f.Year != 0 {
		first, last, err := YearBounds(f.Year)
		if err != nil {
			return nil, err
		}
		where = append(where, "s.held_on BETWEEN "+args.Add(first)+" AND "+args.Add(last))
	}
	out := []Session{}
	err := sqlx.SelectContext(ctx, s.DB, &out, sessionSelect+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY s.id LIMIT `+args.Add(f.Limit), args...)
	if err != nil {
		return nil, database.MapError(err)
	}
	for i := range out {
		out[i].finish(v)
	}
	return out, nil
}

// UpdateSession applies a partial update with the rules of a new session. A
// new date or kind carries over to the session's resolutions. It returns
// ENOTFOUND for an unknown session, EINVALID for bad fields, and ECONFLICT
// when the new date would fall after a status change or a deadline of one of
// its resolutions.
func (s *Store) UpdateSession(ctx context.Context, actor taahod.Actor, id int64, patch SessionPatch) (Session, error) {
	var out Session
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var cur Session
		err := tx.GetContext(ctx, &cur, sessionSelect+` WHERE s.id = $1 FOR UPDATE OF s`, id)
		if err != nil {
			return database.NotFound(err, "session", id)
		}
		cur.finish(SignedIn(actor))
		next, p := patch.merge(cur)
		if err := next.Validate(taahod.Today(tx.Now)); err != nil {
			var e *taahod.Error
			if errors.As(err, &e) {
				p.Fields = append(p.Fields, e.Fields...)
			}
		}
		if err := p.Err(); err != nil {
			return err
		}
		if next.heldOn.After(cur.HeldOn) {
			if err := checkSessionMove(ctx, tx, id, next.heldOn); err != nil {
				return err
			}
		}
		changes := taahod.Changes{}
		note := changes.Record
		if next.Kind != cur.Kind {
			note("kind", cur.Kind, next.Kind)
		}
		if next.heldOn != cur.HeldOn {
			note("held_on", cur.HeldOn, next.heldOn)
		}
		for _, f := range []struct {
			name     string
			from, to *string
		}{{"county", cur.County, next.County}, {"title", cur.Title, next.Title}, {"chair", cur.Chair, next.Chair}, {"minutes", cur.Minutes, next.Minutes}} {
			if !taahod.SamePtr(emptyNil(f.from), emptyNil(f.to)) {
				note(f.name, f.from, f.to)
			}
		}
		if !slices.Equal(sortedCopy(cur.Attendees), sortedCopy(next.attendees)) {
			note("attendees", cur.Attendees, next.attendees)
			added, err := setAttendees(ctx, tx, id, next.attendees)
			if err != nil {
				return err
			}
			if len(added) > 0 {
				changes["new_agencies"] = added
			}
		}
		if len(changes) == 0 {
			out = cur
			return nil
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE sessions SET kind = $2, held_on = $3, county = $4, title = NULLIF($5, ''), chair = NULLIF($6, ''),
			       minutes = NULLIF($7, ''), updated_at = $8
			 WHERE id = $1`,
			id, next.Kind, next.heldOn, next.County, next.Title, next.Chair, next.Minutes, tx.Now)
		if err != nil {
			return err
		}
		if out, err = findSession(ctx, tx, SignedIn(actor), id); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "session.update", "session", id, changes)
		return nil
	})
	return out, err
}

// checkSessionMove refuses a later date for a session when one of its
// resolutions has a status change or a deadline before that date: the
// resolutions' dates follow their session's, and neither may precede it.
func checkSessionMove(ctx context.Context, tx *database.Tx, id int64, heldOn taahod.Date) error {
	var blocking []struct {
		ResolutionID int64       `db:"resolution_id"`
		On           taahod.Date `db:"on_date"`
		What         string      `db:"what"`
	}
	err := tx.SelectContext(ctx, &blocking, `
		SELECT r.id AS resolution_id, r.deadline AS on_date, 'deadline' AS what
		  FROM resolutions r WHERE r.session_id = $1 AND r.deadline < $2
		UNION ALL
		SELECT c.resolution_id, c.changed_on, 'status change'
		  FROM resolution_status_changes c JOIN resolutions r ON r.id = c.resolution_id
		 WHERE r.session_id = $1 AND c.changed_on < $2
		ORDER BY 2 LIMIT 1`, id, heldOn)
	if err != nil || len(blocking) == 0 {
		return err
	}
	b := blocking[0]
	return &taahod.Error{Code: taahod.ECONFLICT,
		Message: fmt.Sprintf("resolution %d of this session has a %s dated %s, before %s; its resolutions' dates follow the session's",
			b.ResolutionID, b.What, b.On.Jalali(), heldOn.Jalali()),
		Fields: []taahod.FieldError{{Field: "held_on", Code: "after_resolution_dates", Message: "is after a status change or deadline of one of its resolutions"}}}
}

func emptyNil(s *string) *string {
	if s != nil && *s == "" {
		return nil
	}
	return s
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
