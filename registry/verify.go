package registry

import (
	"context"
	"fmt"

	"github.com/taahod/taahod/internal/database"
)

// maxFindings bounds what Verify reports per check.
const maxFindings = 50

// Verify re-derives what the registry keeps derived and checks what the
// schema cannot: every resolution's status is the latest entry of its
// history (or notified with none), and no status change precedes its
// resolution's adoption (a session's date may be corrected after the
// changes were recorded). It has the shape of a check of `taahod verify`.
func Verify(ctx context.Context, db *database.DB) (string, []database.Finding, error) {
	var total int
	if err := db.GetContext(ctx, &total, `SELECT count(*) FROM resolutions`); err != nil {
		return "", nil, fmt.Errorf("count resolutions: %w", err)
	}
	var bad []struct {
		ID      int64  `db:"id"`
		Problem string `db:"problem"`
	}
	err := db.SelectContext(ctx, &bad, `
		SELECT r.id, format('its status is %s but its history ends with %s', r.status, COALESCE(l.status, 'notified')) AS problem
		  FROM resolutions r
		  LEFT JOIN LATERAL (SELECT c.status, c.changed_on FROM resolution_status_changes c
		                      WHERE c.resolution_id = r.id ORDER BY c.changed_on DESC, c.id DESC LIMIT 1) l ON TRUE
		 WHERE r.status <> COALESCE(l.status, 'notified') OR r.status_changed_on IS DISTINCT FROM l.changed_on
		UNION ALL
		SELECT c.resolution_id, format('its status change %s is dated %s, before its adoption on %s', c.id, c.changed_on, r.adopted_on)
		  FROM resolution_status_changes c JOIN resolutions r ON r.id = c.resolution_id
		 WHERE c.changed_on < r.adopted_on
		ORDER BY 1 LIMIT $1`, maxFindings)
	if err != nil {
		return "", nil, fmt.Errorf("check resolutions: %w", err)
	}
	var findings []database.Finding
	for _, b := range bad {
		findings = append(findings, database.Finding{Check: "registry", Subject: fmt.Sprintf("resolution %d", b.ID), Problem: b.Problem})
	}
	return fmt.Sprintf("%d resolutions", total), findings, nil
}
