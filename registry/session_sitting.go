package registry

import (
	"context"
	"fmt"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// CreateSessionWithResolutions records a session and its resolutions in one
// transaction, as the secretariat records them in one sitting: all of them
// or nothing. Each resolution belongs to the new session (its session_id is
// ignored) and is adopted on the session's date. It returns EINVALID naming
// every fault at once: the session's fields by their own names (kind,
// held_on, …) and a resolution's as "resolutions[i].field", i counting
// from 0 in the order given.
func (s *Store) CreateSessionWithResolutions(ctx context.Context, actor taahod.Actor, in NewSession, resolutions []NewResolution) (Session, []int64, error) {
	rows := make([]ResolutionRow, len(resolutions))
	for i, r := range resolutions {
		r.SessionID = nil
		rows[i] = ResolutionRow{NewResolution: r}
	}
	name := func(i int, field string) string { return fmt.Sprintf("resolutions[%d].%s", i, field) }
	if err := in.Validate(taahod.Today(s.DB.Now())); err != nil {
		// The session is at fault: the rows' own fields are still checked,
		// so that the form names every fault at once.
		var p taahod.Problems
		p.Fields = append(p.Fields, fieldsOf(err)...)
		for i := range rows {
			for _, f := range fieldsOf(rows[i].NewResolution.Validate()) {
				p.Add(name(i, f.Field), f.Code, f.Message)
			}
		}
		return Session{}, nil, p.Err()
	}
	var (
		out Session
		ids []int64
	)
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
		for i := range rows {
			rows[i].SessionID = &id
		}
		ids = nil
		var added []string
		if len(rows) > 0 {
			prepared, err := prepareResolutions(ctx, tx, rows, taahod.Today(tx.Now), name)
			if err != nil {
				return err
			}
			if ids, added, err = insertResolutions(ctx, tx, actor, prepared); err != nil {
				return err
			}
		}
		if out, err = findSession(ctx, tx, SignedIn(actor), id); err != nil {
			return err
		}
		changes := map[string]any{"session": out, "resolutions": ids}
		if len(added) > 0 {
			changes["new_agencies"] = added
		}
		tx.Audit(ctx, actor, "session.create", "session", id, changes)
		return nil
	})
	if err != nil {
		return Session{}, nil, err
	}
	return out, ids, nil
}
