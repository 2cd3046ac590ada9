package registry

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

var resolutionSelect = `
	SELECT r.id, r.session_id, r.session_kind, r.adopted_on, r.unit_id, u.name AS unit_name, r.text, r.category,
	       r.deadline, r.confidential, r.status, COALESCE(r.status_changed_on, r.adopted_on) AS status_on,
	       ` + taahod.UserRefSQL("r.created_by_id") + ` AS created_by, r.created_by AS created_by_name, r.created_at,
	       ARRAY(SELECT a.name FROM resolution_agencies ra JOIN agencies a ON a.id = ra.agency_id
	              WHERE ra.resolution_id = r.id ORDER BY a.name) AS agencies
	  FROM resolutions r LEFT JOIN units u ON u.id = r.unit_id`

// CreateResolution records a resolution, notified to its agencies (new
// names join the catalogue). It returns EINVALID for bad fields, naming
// session_id or unit_id when they name no record, and adopted_on or deadline
// when they do not fit the session's date.
func (s *Store) CreateResolution(ctx context.Context, actor taahod.Actor, in NewResolution) (Resolution, error) {
	var out Resolution
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		today := taahod.Today(tx.Now)
		prepared, err := prepareResolutions(ctx, tx, []ResolutionRow{{NewResolution: in}}, today,
			func(_ int, field string) string { return field })
		if err != nil {
			return err
		}
		ids, added, err := insertResolutions(ctx, tx, actor, prepared)
		if err != nil {
			return err
		}
		if out, err = findResolution(ctx, tx, SignedIn(actor), ids[0], today); err != nil {
			return err
		}
		changes := map[string]any{"resolution": out}
		if len(added) > 0 {
			changes["new_agencies"] = added
		}
		tx.Audit(ctx, actor, "resolution.create", "resolution", out.ID, changes)
		return nil
	})
	return out, err
}

// ResolutionRow is one resolution of a bulk import: a NewResolution whose
// session may instead be named by its date and kind and whose unit by its
// national id, with the status it has reached (a history entry dated
// StatusOn, today when zero).
type ResolutionRow struct {
	NewResolution
	// Line is the row's line in the file, which problems name; 0 when the
	// rows do not come from a file (they are then named rows[i]).
	Line           int
	SessionDate    taahod.Date
	SessionKind    string
	UnitNationalID string
	Status         string
	StatusOn       taahod.Date
	StatusNote     *string

	cellProblems []taahod.FieldError // cells of the file that could not be read
}

// ImportResult says what a bulk import recorded.
type ImportResult struct {
	Count int     `json:"count"`
	IDs   []int64 `json:"ids"`
}

// ImportResolutions records all the rows or none, in one transaction with
// one audit entry naming source (say, the file's SHA-256) and every id. It
// returns EINVALID with a problem for every bad row, each field named
// "line N: column" (or "rows[i].field" for rows without a line).
func (s *Store) ImportResolutions(ctx context.Context, actor taahod.Actor, rows []ResolutionRow, source string) (ImportResult, error) {
	if len(rows) == 0 {
		return ImportResult{}, taahod.Invalid("rows", "required", "there are no rows to import")
	}
	var res ImportResult
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		prepared, err := prepareResolutions(ctx, tx, rows, taahod.Today(tx.Now), rowFieldName(rows))
		if err != nil {
			return err
		}
		ids, added, err := insertResolutions(ctx, tx, actor, prepared)
		if err != nil {
			return err
		}
		res = ImportResult{Count: len(ids), IDs: ids}
		changes := map[string]any{"count": len(ids), "ids": ids, "source": source}
		if len(added) > 0 {
			changes["new_agencies"] = added
		}
		tx.Audit(ctx, actor, "resolution.import", "resolution_import", source, changes)
		return nil
	})
	return res, err
}

// rowFieldName names a field of a row of an import by its line in the file.
func rowFieldName[T interface{ line() int }](rows []T) func(i int, field string) string {
	return func(i int, field string) string {
		if l := rows[i].line(); l > 0 {
			return fmt.Sprintf("line %d: %s", l, field)
		}
		return fmt.Sprintf("rows[%d].%s", i, field)
	}
}

func (r ResolutionRow) line() int { return r.Line }

// preparedResolution is a row checked against the records it names, ready
// to insert.
type preparedResolution struct {
	sessionID    *int64
	sessionKind  *string
	adoptedOn    taahod.Date
	unitID       *int64
	text         string
	category     string
	deadline     taahod.Date
	confidential bool
	agencies     []string
	status       string // "" when the resolution stays notified
	statusOn     taahod.Date
	statusNote   *string
}

type sessionRef struct {
	ID     int64       `db:"id"`
	Kind   string      `db:"kind"`
	HeldOn taahod.Date `db:"held_on"`
}

type dateKind struct {
	on   taahod.Date
	kind string
}

// prepareResolutions checks every row, its own fields first and then
// against the sessions and units it names (looked up once for all rows), and
// returns EINVALID with every problem of every row, in row order.
func prepareResolutions(ctx context.Context, tx *database.Tx, rows []ResolutionRow, today taahod.Date,
	name func(i int, field string) string) ([]preparedResolution, error) {
	problems := make([]taahod.Problems, len(rows))
	var refs rowRefs
	for i := range rows {
		checkResolutionRow(&rows[i], &problems[i], &refs)
	}
	byID, byPair, err := lookUpSessions(ctx, tx, refs.sessionIDs, refs.pairs)
	if err != nil {
		return nil, err
	}
	knownUnits, byNationalID, err := lookUpUnits(ctx, tx, refs.unitIDs, refs.nationalIDs)
	if err != nil {
		return nil, err
	}
	out := make([]preparedResolution, len(rows))
	for i := range rows {
		r, p := &rows[i], &problems[i]
		pr := preparedResolution{text: r.Text, category: r.Category, deadline: r.deadline, confidential: r.Confidential,
			agencies: r.agencies, statusNote: r.StatusNote, adoptedOn: r.adoptedOn}
		if sess := rowSession(r, p, byID, byPair); sess != nil {
			if !pr.adoptedOn.IsZero() && pr.adoptedOn != sess.HeldOn {
				p.Add("adopted_on", "session_date_mismatch", fmt.Sprintf("a resolution of session %d is adopted on its date, %s (%s)",
					sess.ID, sess.HeldOn.Jalali(), sess.HeldOn))
			}
			pr.sessionID, pr.sessionKind, pr.adoptedOn = &sess.ID, &sess.Kind, sess.HeldOn
		} else if pr.adoptedOn.IsZero() {
			pr.adoptedOn = today
		}
		notFuture(p, "adopted_on", pr.adoptedOn, today)
		pr.unitID = rowUnit(r, p, knownUnits, byNationalID)
		if !pr.deadline.IsZero() && !pr.adoptedOn.IsZero() && pr.deadline.Before(pr.adoptedOn) {
			p.Add("deadline", "before_adoption", fmt.Sprintf("the deadline %s is before the resolution's date %s", pr.deadline.Jalali(), pr.adoptedOn.Jalali()))
		}
		if r.Status != "" && r.Status != StatusNotified {
			pr.status, pr.statusOn = r.Status, r.StatusOn
			if pr.statusOn.IsZero() {
				pr.statusOn = today
			}
			notFuture(p, "status_on", pr.statusOn, today)
			if pr.statusOn.Before(pr.adoptedOn) {
				p.Add("status_on", "before_adoption", fmt.Sprintf("the status is dated %s, before the resolution's date %s", pr.statusOn.Jalali(), pr.adoptedOn.Jalali()))
			}
		}
		out[i] = pr
	}
	if err := namedProblems(problems, name); err != nil {
		return nil, err
	}
	return out, nil
}

// rowRefs are the sessions and units that rows name, gathered to be looked
// up once for all of them.
type rowRefs struct {
	sessionIDs, unitIDs []int64
	nationalIDs         []string
	pairs               map[dateKind]bool
}

// checkResolutionRow checks a row's own fields into p and gathers what it
// names into refs.
func checkResolutionRow(r *ResolutionRow, p *taahod.Problems, refs *rowRefs) {
	p.Fields = append(p.Fields, r.cellProblems...)
	for _, f := range fieldsOf(r.NewResolution.Validate()) {
		p.Add(f.Field, f.Code, f.Message)
	}
	switch {
	case r.SessionID != nil:
		refs.sessionIDs = append(refs.sessionIDs, *r.SessionID)
	case !r.SessionDate.IsZero() || r.SessionKind != "":
		if r.SessionDate.IsZero() || !SessionKinds.Has(r.SessionKind) {
			p.Add("session_kind", "invalid_session", "name the session by session_id, or by session_date and session_kind ("+SessionKinds.list()+") together")
		} else {
			if refs.pairs == nil {
				refs.pairs = map[dateKind]bool{}
			}
			refs.pairs[dateKind{r.SessionDate, r.SessionKind}] = true
		}
	}
	switch {
	case r.UnitID != nil:
		refs.unitIDs = append(refs.unitIDs, *r.UnitID)
	case r.UnitNationalID != "":
		refs.nationalIDs = append(refs.nationalIDs, r.UnitNationalID)
	}
	if r.Status != "" && !Statuses.Has(r.Status) {
		p.Add("status", "invalid_choice", "status must be "+Statuses.list())
	}
	if (r.Status == "" || r.Status == StatusNotified) && (!r.StatusOn.IsZero() || r.StatusNote != nil) {
		p.Add("status_on", "without_status", "status_on and status_note go with a status other than notified")
	}
	p.OptionalText("status_note", &r.StatusNote, 2000)
}

// rowSession is the session a row names, by id or by date and kind; nil,
// with a problem in p, when there is no such session or the date and kind
// fit several, and nil when the row names none.
func rowSession(r *ResolutionRow, p *taahod.Problems, byID map[int64]sessionRef, byPair map[dateKind][]sessionRef) *sessionRef {
	switch {
	case r.SessionID != nil && *r.SessionID > 0:
		if s, ok := byID[*r.SessionID]; ok {
			return &s
		}
		p.Add("session_id", "not_found", fmt.Sprintf("no session has the id %d", *r.SessionID))
	case r.SessionID == nil && !r.SessionDate.IsZero() && SessionKinds.Has(r.SessionKind):
		switch found := byPair[dateKind{r.SessionDate, r.SessionKind}]; len(found) {
		case 0:
			p.Add("session_date", "not_found", fmt.Sprintf("no %s session was held on %s (%s); record the session first",
				r.SessionKind, r.SessionDate.Jalali(), r.SessionDate))
		case 1:
			return &found[0]
		default:
			ids := make([]string, len(found))
			for j, s := range found {
				ids[j] = fmt.Sprint(s.ID)
			}
			p.Add("session_date", "ambiguous_session", fmt.Sprintf("%d %s sessions were held on %s (ids %s); name the session by session_id",
				len(found), r.SessionKind, r.SessionDate.Jalali(), strings.Join(ids, ", ")))
		}
	}
	return nil
}

// rowUnit is the id of the unit a row names, by id or by national id; nil,
// with a problem in p, when there is no such unit, and nil when the row
// names none.
func rowUnit(r *ResolutionRow, p *taahod.Problems, known map[int64]bool, byNationalID map[string]int64) *int64 {
	switch {
	case r.UnitID != nil && *r.UnitID > 0:
		if known[*r.UnitID] {
			return r.UnitID
		}
		p.Add("unit_id", "not_found", fmt.Sprintf("no unit has the id %d", *r.UnitID))
	case r.UnitID == nil && r.UnitNationalID != "":
		if id, ok := byNationalID[r.UnitNationalID]; ok {
			return &id
		}
		p.Add("unit_national_id", "not_found", "no registered unit has the national id "+r.UnitNationalID)
	}
	return nil
}

// namedProblems joins the problems of rows, in row order, naming each field
// with name. Only the first problem of a field is kept: a cell that could
// not be read is not also reported as missing or not found.
//
// At most taahod.MaxFieldErrors are listed, with the total of all: a file
// of many bad rows makes a small answer.
func namedProblems(problems []taahod.Problems, name func(i int, field string) string) error {
	var all importProblems
	for i, p := range problems {
		seen := map[string]bool{}
		for _, f := range p.Fields {
			if !seen[f.Field] {
				seen[f.Field] = true
				if len(all.fields) < taahod.MaxFieldErrors {
					all.add(name(i, f.Field), f.Code, f.Message)
				} else {
					all.total++
				}
			}
		}
	}
	return all.err()
}

// lookUpSessions finds the sessions named by id and by (date, kind).
func lookUpSessions(ctx context.Context, q sqlx.QueryerContext, ids []int64, pairs map[dateKind]bool) (map[int64]sessionRef, map[dateKind][]sessionRef, error) {
	byID := map[int64]sessionRef{}
	byPair := map[dateKind][]sessionRef{}
	if len(ids) > 0 {
		var found []sessionRef
		if err := sqlx.SelectContext(ctx, q, &found, `SELECT id, kind, held_on FROM sessions WHERE id = ANY($1)`, pq.Array(ids)); err != nil {
			return nil, nil, err
		}
		for _, s := range found {
			byID[s.ID] = s
		}
	}
	if len(pairs) > 0 {
		var dates []taahod.Date
		var kinds []string
		for k := range pairs {
			dates, kinds = append(dates, k.on), append(kinds, k.kind)
		}
		var found []sessionRef
		err := sqlx.SelectContext(ctx, q, &found, `
			SELECT s.id, s.kind, s.held_on FROM sessions s
			  JOIN unnest($1::date[], $2::text[]) AS k (held_on, kind) ON s.held_on = k.held_on AND s.kind = k.kind
			 ORDER BY s.id`, pq.Array(dates), pq.Array(kinds))
		if err != nil {
			return nil, nil, err
		}
		for _, s := range found {
			k := dateKind{s.HeldOn, s.Kind}
			byPair[k] = append(byPair[k], s)
		}
	}
	return byID, byPair, nil
}

// lookUpUnits finds which unit ids exist and the ids of national ids.
func lookUpUnits(ctx context.Context, q sqlx.QueryerContext, ids []int64, nationalIDs []string) (map[int64]bool, map[string]int64, error) {
	known := map[int64]bool{}
	byNationalID := map[string]int64{}
	var rows []struct {
		ID         int64  `db:"id"`
		NationalID string `db:"national_id"`
	}
	if len(ids) == 0 && len(nationalIDs) == 0 {
		return known, byNationalID, nil
	}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT id, national_id FROM units WHERE id = ANY($1) OR national_id = ANY($2)`,
		pq.Array(ids), pq.Array(nationalIDs))
	if err != nil {
		return nil, nil, err
	}
	for _, u := range rows {
		known[u.ID] = true
		byNationalID[u.NationalID] = u.ID
	}
	return known, byNationalID, nil
}

// insertResolutions writes prepared rows with a few statements whatever
// their number, and returns their ids in row order and the agencies new to
// the catalogue.
func insertResolutions(ctx context.Context, tx *database.Tx, actor taahod.Actor, rows []preparedResolution) ([]int64, []string, error) {
	ids, err := allocateIDs(ctx, tx, "resolutions", len(rows))
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, r := range rows {
		names = append(names, r.agencies...)
	}
	slices.Sort(names)
	agencyIDs, added, err := ensureAgencies(ctx, tx, slices.Compact(names))
	if err != nil {
		return nil, nil, err
	}
	n := len(rows)
	var (
		sessionIDs, unitIDs = make([]*int64, n), make([]*int64, n)
		sessionKinds        = make([]*string, n)
		adopted, deadlines  = make([]taahod.Date, n), make([]taahod.Date, n)
		texts, categories   = make([]string, n), make([]string, n)
		confidential        = make([]bool, n)
		linkRes, linkAgency []int64
		chRes               []int64
		chStatus            []string
		chOn                []taahod.Date
		chNote              []*string
	)
	for i, r := range rows {
		sessionIDs[i], sessionKinds[i], unitIDs[i] = r.sessionID, r.sessionKind, r.unitID
		adopted[i], deadlines[i] = r.adoptedOn, r.deadline
		texts[i], categories[i], confidential[i] = r.text, r.category, r.confidential
		for _, a := range r.agencies {
			linkRes, linkAgency = append(linkRes, ids[i]), append(linkAgency, agencyIDs[a])
		}
		if r.status != "" {
			chRes, chStatus, chOn, chNote = append(chRes, ids[i]), append(chStatus, r.status), append(chOn, r.statusOn), append(chNote, r.statusNote)
		}
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO resolutions (id, session_id, session_kind, adopted_on, unit_id, text, category, deadline,
		                         confidential, created_by_id, created_by, created_at)
		SELECT r.*, $10::bigint, $11::text, $12::timestamptz
		  FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::date[], $5::bigint[], $6::text[], $7::text[],
		              $8::date[], $9::boolean[]) AS r`,
		pq.Array(ids), pq.Array(sessionIDs), pq.Array(sessionKinds), pq.Array(adopted), pq.Array(unitIDs),
		pq.Array(texts), pq.Array(categories), pq.Array(deadlines), pq.Array(confidential),
		actor.UserKey(), actor.Username, tx.Now)
	if err != nil {
		return nil, nil, err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO resolution_agencies (resolution_id, agency_id) SELECT * FROM unnest($1::bigint[], $2::bigint[])`,
		pq.Array(linkRes), pq.Array(linkAgency))
	if err != nil {
		return nil, nil, err
	}
	if len(chRes) > 0 {
		_, err = tx.ExecContext(ctx, `
			INSERT INTO resolution_status_changes (resolution_id, status, changed_on, note, actor_id, actor_name, created_at)
			SELECT c.*, $5::bigint, $6::text, $7::timestamptz FROM unnest($1::bigint[], $2::text[], $3::date[], $4::text[]) AS c`,
			pq.Array(chRes), pq.Array(chStatus), pq.Array(chOn), pq.Array(chNote), actor.UserKey(), actor.Username, tx.Now)
		if err != nil {
			return nil, nil, err
		}
	}
	return ids, added, nil
}

// FindResolution returns the resolution with id and its status history. It
// returns ENOTFOUND if there is none.
func (s *Store) FindResolution(ctx context.Context, v Viewer, id int64) (Resolution, error) {
	return findResolution(ctx, s.DB, v, id, taahod.Today(s.DB.Now()))
}

func findResolution(ctx context.Context, q sqlx.QueryerContext, v Viewer, id int64, today taahod.Date) (Resolution, error) {
	var r Resolution
	if err := sqlx.GetContext(ctx, q, &r, resolutionSelect+` WHERE r.id = $1`, id); err != nil {
		return Resolution{}, database.NotFound(err, "resolution", id)
	}
	var changes []struct {
		Status    string          `db:"status"`
		ChangedOn taahod.Date     `db:"changed_on"`
		Note      *string         `db:"note"`
		ActorName string          `db:"actor_name"`
		Actor     *taahod.UserRef `db:"actor"`
		CreatedAt time.Time       `db:"created_at"`
	}
	err := sqlx.SelectContext(ctx, q, &changes, `
		SELECT c.status, c.changed_on, c.note, c.actor_name, `+taahod.UserRefSQL("c.actor_id")+` AS actor, c.created_at
		  FROM resolution_status_changes c
		 WHERE c.resolution_id = $1 ORDER BY c.changed_on, c.id`, id)
	if err != nil {
		return Resolution{}, err
	}
	r.History = []StatusEntry{{Status: StatusNotified, On: r.AdoptedOn, OnJalali: r.AdoptedOn.Jalali(), By: r.CreatedByName, RecordedBy: r.CreatedBy,
		RecordedAt: r.CreatedAt, RecordedAtJalali: taahod.JalaliTime(r.CreatedAt)}}
	for _, c := range changes {
		r.History = append(r.History, StatusEntry{Status: c.Status, On: c.ChangedOn, OnJalali: c.ChangedOn.Jalali(),
			Note: c.Note, By: c.ActorName, RecordedBy: c.Actor, RecordedAt: c.CreatedAt, RecordedAtJalali: taahod.JalaliTime(c.CreatedAt)})
	}
	r.finish(v, today)
	return r, nil
}

// ResolutionFilter narrows a list of resolutions.
type ResolutionFilter struct {
	SessionID int64
	UnitID    int64
	AgencyID  int64
	Agency    string // an agency's name, compared folded (taahod.FoldText)
	Query     string // words each part of the text or of an agency's name (database.SearchClause)
	Status    string
	Category  string
	Overdue   *bool
	Year      int // fiscal year of adopted_on; 0 for all
	AfterID   int64
	Limit     int
}

// ListResolutions returns the resolutions that match f, by id, at most
// f.Limit of them, without their histories. Filtering by unit leaves out the
// confidential resolutions whose unit v may not see. It returns EINVALID for
// a status, category or year that does not exist.
func (s *Store) ListResolutions(ctx context.Context, v Viewer, f ResolutionFilter) ([]Resolution, error) {
	today := taahod.Today(s.DB.Now())
	where, args, err := resolutionWhere(v, f, today)
	if err != nil {
		return nil, err
	}
	where += ` ORDER BY r.id LIMIT ` + args.Add(f.Limit)
	return selectResolutions(ctx, s.DB, v, today, where, args)
}

// resolutionWhere is the WHERE clause of the resolutions that match f, after
// f.AfterID, and its arguments: the one filter ListResolutions and
// EachResolution share. It returns EINVALID for a status, category or year
// that does not exist.
func resolutionWhere(v Viewer, f ResolutionFilter, today taahod.Date) (string, database.Args, error) {
	var args database.Args
	where := []string{"r.id > " + args.Add(f.AfterID)}
	var p taahod.Problems
	if f.SessionID != 0 {
		where = append(where, "r.session_id = "+args.Add(f.SessionID))
	}
	if f.UnitID != 0 {
		where = append(where, "r.unit_id = "+args.Add(f.UnitID), v.confidentialFilter("r", args.Add))
	}
	if f.Agency != "" && f.AgencyID == 0 {
		// The name as people type it: compared folded (taahod.FoldText).
		where = append(where, "EXISTS (SELECT 1 FROM resolution_agencies ra JOIN agencies ag ON ag.id = ra.agency_id"+
			" WHERE ra.resolution_id = r.id AND taahod_fold(ag.name) = "+args.Add(taahod.FoldText(f.Agency))+")")
	}
	if f.AgencyID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM resolution_agencies ra WHERE ra.resolution_id = r.id AND ra.agency_id = "+args.Add(f.AgencyID)+")")
	}
	if f.Status != "" {
		if !Statuses.Has(f.Status) {
			p.Add("status", "invalid_choice", "status must be "+Statuses.list())
		}
		where = append(where, "r.status = "+args.Add(f.Status))
	}
	if f.Category != "" {
		if !Categories.Has(f.Category) {
			p.Add("category", "invalid_choice", "category must be "+Categories.list())
		}
		where = append(where, "r.category = "+args.Add(f.Category))
	}
	if f.Overdue != nil {
		overdue := "(r.deadline < " + args.Add(today) + " AND r.status NOT IN ('implemented', 'cancelled'))"
		if !*f.Overdue {
			overdue = "NOT COALESCE(" + overdue + ", FALSE)"
		}
		where = append(where, overdue)
	}
	if f.Year != 0 {
		first, last, err := YearBounds(f.Year)
		if err != nil {
			p.AddErr("year", err)
		}
		where = append(where, "r.adopted_on BETWEEN "+args.Add(first)+" AND "+args.Add(last))
	}
	// A word is found in the text or in the name of an agency the
	// resolution is notified to.
	inAgency := func(pattern string) string {
		return "EXISTS (SELECT 1 FROM resolution_agencies ra JOIN agencies ag ON ag.id = ra.agency_id" +
			" WHERE ra.resolution_id = r.id AND taahod_fold(ag.name) LIKE " + pattern + ")"
	}
	if cond := database.SearchClause(&args, f.Query, database.Contains("taahod_fold(r.text)"), inAgency); cond != "" {
		where = append(where, cond)
	}
	if err := p.Err(); err != nil {
		return "", nil, err
	}
	return strings.Join(where, " AND "), args, nil
}

// selectResolutions reads resolutions with a WHERE clause (and what follows
// it) and finishes them for v.
func selectResolutions(ctx context.Context, q sqlx.QueryerContext, v Viewer, today taahod.Date, where string, args []any) ([]Resolution, error) {
	out := []Resolution{}
	if err := sqlx.SelectContext(ctx, q, &out, resolutionSelect+` WHERE `+where, args...); err != nil {
		return nil, database.MapError(err)
	}
	for i := range out {
		out[i].finish(v, today)
	}
	return out, nil
}

// allocateIDs takes n ids from the table's sequence, ascending, so that a
// bulk insert can give the rows their ids in row order (the order of
// INSERT … RETURNING is not promised).
func allocateIDs(ctx context.Context, tx *database.Tx, table string, n int) ([]int64, error) {
	var ids []int64
	err := tx.SelectContext(ctx, &ids, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}
