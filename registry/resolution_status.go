package registry

import (
	"context"
	"fmt"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// ChangeStatus appends a dated entry to the resolution's status history and
// returns the resolution with its history. The current status is then the
// latest entry by date, then by the order entries were recorded: an entry
// dated before the current one is kept in the history without becoming
// current. It returns ENOTFOUND for an unknown resolution and EINVALID for a
// status that cannot be set, or a date after today or before the resolution
// was adopted.
func (s *Store) ChangeStatus(ctx context.Context, actor taahod.Actor, id int64, c StatusChange) (StatusChangeResult, error) {
	var out StatusChangeResult
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		today := taahod.Today(tx.Now)
		if err := c.Validate(today); err != nil {
			return err
		}
		// The lock orders concurrent changes of one resolution, so that the
		// trigger that follows the latest entry sees every earlier one.
		var cur struct {
			AdoptedOn taahod.Date `db:"adopted_on"`
			Status    string      `db:"status"`
			StatusOn  taahod.Date `db:"status_on"`
		}
		err := tx.GetContext(ctx, &cur, `SELECT adopted_on, status, COALESCE(status_changed_on, adopted_on) AS status_on
			FROM resolutions WHERE id = $1 FOR UPDATE`, id)
		if err != nil {
			return database.NotFound(err, "resolution", id)
		}
		if c.on.Before(cur.AdoptedOn) {
			return taahod.Invalid("on", "before_adoption",
				fmt.Sprintf("the change is dated %s, before the resolution's date %s", c.on.Jalali(), cur.AdoptedOn.Jalali()))
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO resolution_status_changes (resolution_id, status, changed_on, note, actor_id, actor_name, created_at)
			VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, $7)`,
			id, c.Status, c.on, c.Note, actor.UserKey(), actor.Username, tx.Now)
		if err != nil {
			return err
		}
		if out.Resolution, err = findResolution(ctx, tx, SignedIn(actor), id, today); err != nil {
			return err
		}
		// The latest entry by date, then by the order recorded, is the
		// status: a change dated on or after the current one's day becomes
		// it, an earlier one only joins the history.
		out.BecameCurrent = !c.on.Before(cur.StatusOn)
		tx.Audit(ctx, actor, "resolution.status", "resolution", id, map[string]any{
			"status": c.Status, "on": c.on, "note": c.Note, "from": cur.Status, "current": out.Status, "became_current": out.BecameCurrent,
		})
		return nil
	})
	return out, err
}
