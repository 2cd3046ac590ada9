package registry

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// Agency is an executive agency (دستگاه اجرایی) that resolutions are
// notified to and that attends sessions. The catalogue grows by use: a
// resolution or a session naming a new agency adds it.
type Agency struct {
	ID          int64     `db:"id" json:"id"`
	Name        string    `db:"name" json:"name"`
	Resolutions int       `db:"resolutions" json:"resolutions"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
}

// MarshalJSON adds the Solar Hijri twin of created_at.
func (a Agency) MarshalJSON() ([]byte, error) {
	type plain Agency
	return json.Marshal(struct {
		plain
		CreatedAtJalali string `json:"created_at_jalali"`
	}{plain(a), taahod.JalaliTime(a.CreatedAt)})
}

const maxAgencyName = 200

// readAgencies normalises a list of agency names (NormalizeName), drops
// repeats and records a problem for empty or overlong names. With required,
// an empty list is a problem too.
func readAgencies(p *taahod.Problems, field string, names []string, required bool) []string {
	out := make([]string, 0, len(names))
	seen := make(map[string]bool, len(names))
	for i, raw := range names {
		name := NormalizeName(raw)
		switch {
		case name == "":
			p.Add(field+"["+strconv.Itoa(i)+"]", "required", "an agency's name cannot be empty")
		case !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxAgencyName:
			p.Add(field+"["+strconv.Itoa(i)+"]", "too_long", "an agency's name has at most 200 characters")
		case !seen[name]:
			seen[name] = true
			out = append(out, name)
		}
	}
	if required && len(names) == 0 {
		p.Add(field, "required", "name at least one executive agency the resolution is notified to")
	}
	return out
}

// ensureAgencies adds the names not yet in the catalogue and returns the id
// of every name, and the names that were new. The names are normalised
// already.
func ensureAgencies(ctx context.Context, tx *database.Tx, names []string) (map[string]int64, []string, error) {
	ids := make(map[string]int64, len(names))
	if len(names) == 0 {
		return ids, nil, nil
	}
	var added []string
	// ON CONFLICT waits for a concurrent insert of the same name and then
	// skips it; the SELECT after it sees that row committed. Inserting in
	// name order keeps two such transactions from waiting on each other.
	err := tx.SelectContext(ctx, &added, `
		INSERT INTO agencies (name, created_at)
		SELECT n, $2::timestamptz FROM (SELECT DISTINCT unnest($1::text[]) AS n) d ORDER BY n
		ON CONFLICT (name) DO NOTHING RETURNING name`, pq.Array(names), tx.Now)
	if err != nil {
		return nil, nil, err
	}
	var rows []struct {
		ID   int64  `db:"id"`
		Name string `db:"name"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT id, name FROM agencies WHERE name = ANY($1)`, pq.Array(names)); err != nil {
		return nil, nil, err
	}
	for _, r := range rows {
		ids[r.Name] = r.ID
	}
	return ids, added, nil
}

// AgencyFilter narrows the catalogue.
type AgencyFilter struct {
	Query   string // words each part of the name, folded (database.SearchClause)
	AfterID int64
	Limit   int
}

// ListAgencies returns the catalogue by id, with how many resolutions each
// agency was notified.
func (s *Store) ListAgencies(ctx context.Context, f AgencyFilter) ([]Agency, error) {
	var args database.Args
	where := []string{"a.id > " + args.Add(f.AfterID)}
	if cond := database.SearchClause(&args, f.Query, database.Contains("taahod_fold(a.name)")); cond != "" {
		where = append(where, cond)
	}
	agencies := []Agency{}
	err := sqlx.SelectContext(ctx, s.DB, &agencies, `
		SELECT a.id, a.name, a.created_at,
		       (SELECT count(*) FROM resolution_agencies ra WHERE ra.agency_id = a.id) AS resolutions
		  FROM agencies a WHERE `+strings.Join(where, " AND ")+` ORDER BY a.id LIMIT `+args.Add(f.Limit), args...)
	return agencies, database.MapError(err)
}
