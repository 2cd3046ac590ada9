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
// changes were recorded); and the yearly counts the figures read equal a
// recount from the records. It has the shape of a check of `taahod verify`.
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
	var counts []struct {
		Year    int    `db:"year"`
		Problem string `db:"problem"`
	}
	if err := db.SelectContext(ctx, &counts, yearCountsQuery, maxFindings); err != nil {
		return "", nil, fmt.Errorf("check the yearly counts: %w", err)
	}
	for _, c := range counts {
		findings = append(findings, database.Finding{Check: "registry", Subject: fmt.Sprintf("the yearly counts of %d", c.Year), Problem: c.Problem})
	}
	return fmt.Sprintf("%d resolutions", total), findings, nil
}

// yearCountsQuery recounts from the records what the figures read from the
// yearly counts (migrations 0016 and 0022) and names each count that
// differs.
const yearCountsQuery = `
	WITH days AS (
	    SELECT d.day, y.year
	      FROM (SELECT adopted_on AS day FROM resolutions UNION SELECT opened_on FROM cases) d
	      JOIN fiscal_years y ON d.day BETWEEN y.first_day AND y.last_day),
	res AS (SELECT d.year, r.category, r.status, count(*) AS n FROM resolutions r JOIN days d ON d.day = r.adopted_on GROUP BY 1, 2, 3),
	units AS (SELECT d.year, count(DISTINCT r.unit_id) AS examined,
	                 count(DISTINCT r.unit_id) FILTER (WHERE r.session_kind = 'field') AS field
	            FROM resolutions r JOIN days d ON d.day = r.adopted_on WHERE r.unit_id IS NOT NULL GROUP BY 1),
	cases AS (SELECT d.year, c.channel, c.outcome, count(*) AS n FROM cases c JOIN days d ON d.day = c.opened_on GROUP BY 1, 2, 3),
	revived AS (SELECT y.year, count(DISTINCT v.unit_id) AS n
	              FROM revivals v JOIN fiscal_years y ON v.revived_on BETWEEN y.first_day AND y.last_day GROUP BY 1)
	SELECT COALESCE(k.year, r.year) AS year,
	       format('%s resolutions of category %s with status %s are kept, the records hold %s',
	              COALESCE(k.n, 0), COALESCE(k.category, r.category), COALESCE(k.status, r.status), COALESCE(r.n, 0)) AS problem
	  FROM (SELECT * FROM registry_year_resolutions WHERE n <> 0) k
	  FULL JOIN res r ON (r.year, r.category, r.status) = (k.year, k.category, k.status)
	 WHERE k.n IS DISTINCT FROM r.n
	UNION ALL
	SELECT COALESCE(k.year, u.year),
	       format('%s units examined (%s in field sessions) are kept, the records hold %s (%s)',
	              COALESCE(k.units_examined, 0), COALESCE(k.units_examined_in_field_sessions, 0), COALESCE(u.examined, 0), COALESCE(u.field, 0))
	  FROM (SELECT * FROM registry_year_units_examined WHERE units_examined <> 0 OR units_examined_in_field_sessions <> 0) k
	  FULL JOIN units u ON u.year = k.year
	 WHERE (k.units_examined, k.units_examined_in_field_sessions) IS DISTINCT FROM (u.examined, u.field)
	UNION ALL
	SELECT COALESCE(k.year, c.year),
	       format('%s cases of channel %s with outcome %s are kept, the records hold %s',
	              COALESCE(k.n, 0), COALESCE(k.channel, c.channel), COALESCE(k.outcome, c.outcome), COALESCE(c.n, 0))
	  FROM (SELECT * FROM registry_year_cases WHERE n <> 0) k
	  FULL JOIN cases c ON (c.year, c.channel, c.outcome) = (k.year, k.channel, k.outcome)
	 WHERE k.n IS DISTINCT FROM c.n
	UNION ALL
	SELECT COALESCE(k.year, v.year),
	       format('%s revived units are kept, the records hold %s', COALESCE(k.revived_units, 0), COALESCE(v.n, 0))
	  FROM (SELECT * FROM registry_year_revivals WHERE revived_units <> 0) k
	  FULL JOIN revived v ON v.year = k.year
	 WHERE k.revived_units IS DISTINCT FROM v.n
	ORDER BY 1, 2 LIMIT $1`
