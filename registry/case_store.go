package registry

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

const caseSelect = `
	SELECT c.id, c.unit_id, u.name AS unit_name, c.channel, c.subject, c.category, c.opened_on, c.closed_on,
	       c.outcome, c.confidential, c.created_at, c.updated_at
	  FROM cases c JOIN units u ON u.id = c.unit_id`

// CreateCase records a case. It returns EINVALID for bad fields, naming
// unit_id when it names no unit.
func (s *Store) CreateCase(ctx context.Context, actor taahod.Actor, in NewCase) (Case, error) {
	var out Case
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		prepared, err := prepareCases(ctx, tx, []CaseRow{{NewCase: in}}, taahod.Today(tx.Now),
			func(_ int, field string) string { return field })
		if err != nil {
			return err
		}
		ids, err := insertCases(ctx, tx, prepared)
		if err != nil {
			return err
		}
		if out, err = findCase(ctx, tx, SignedIn(actor), ids[0]); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "case.create", "case", out.ID, out)
		return nil
	})
	return out, err
}

// CaseRow is one case of a bulk import: a NewCase whose unit may instead be
// named by its national id.
type CaseRow struct {
	NewCase
	// Line is the row's line in the file, which problems name; 0 when the
	// rows do not come from a file.
	Line           int
	UnitNationalID string

	cellProblems []taahod.FieldError // cells of the file that could not be read
}

func (r CaseRow) line() int { return r.Line }

// ImportCases records all the rows or none, in one transaction with one
// audit entry naming source and every id. It returns EINVALID with a problem
// for every bad row, named as ImportResolutions names them.
func (s *Store) ImportCases(ctx context.Context, actor taahod.Actor, rows []CaseRow, source string) (ImportResult, error) {
	if len(rows) == 0 {
		return ImportResult{}, taahod.Invalid("rows", "required", "there are no rows to import")
	}
	var res ImportResult
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		prepared, err := prepareCases(ctx, tx, rows, taahod.Today(tx.Now), rowFieldName(rows))
		if err != nil {
			return err
		}
		ids, err := insertCases(ctx, tx, prepared)
		if err != nil {
			return err
		}
		res = ImportResult{Count: len(ids), IDs: ids}
		tx.Audit(ctx, actor, "case.import", "case_import", source, map[string]any{"count": len(ids), "ids": ids, "source": source})
		return nil
	})
	return res, err
}

// prepareCases checks every row and the units they name (looked up once),
// and returns EINVALID with every problem of every row, in row order.
func prepareCases(ctx context.Context, tx *database.Tx, rows []CaseRow, today taahod.Date,
	name func(i int, field string) string) ([]NewCase, error) {
	problems := make([]taahod.Problems, len(rows))
	var (
		unitIDs     []int64
		nationalIDs []string
	)
	for i := range rows {
		r, p := &rows[i], &problems[i]
		p.Fields = append(p.Fields, r.cellProblems...)
		for _, f := range fieldsOf(r.NewCase.Validate(today)) {
			p.Add(f.Field, f.Code, f.Message)
		}
		switch {
		case r.UnitID != nil:
			unitIDs = append(unitIDs, *r.UnitID)
		case r.UnitNationalID != "":
			nationalIDs = append(nationalIDs, r.UnitNationalID)
		case r.Line > 0:
			p.Add("unit_national_id", "required", "name the unit by its national id")
		default:
			p.Add("unit_id", "required", "unit_id is required")
		}
	}
	known, byNationalID, err := lookUpUnits(ctx, tx, unitIDs, nationalIDs)
	if err != nil {
		return nil, err
	}
	out := make([]NewCase, len(rows))
	for i := range rows {
		r, p := &rows[i], &problems[i]
		switch {
		case r.UnitID != nil && *r.UnitID > 0 && !known[*r.UnitID]:
			p.Add("unit_id", "not_found", fmt.Sprintf("no unit has the id %d", *r.UnitID))
		case r.UnitID == nil && r.UnitNationalID != "":
			if id, ok := byNationalID[r.UnitNationalID]; ok {
				r.UnitID = &id
			} else {
				p.Add("unit_national_id", "not_found", "no registered unit has the national id "+r.UnitNationalID)
			}
		}
		out[i] = r.NewCase
	}
	if err := namedProblems(problems, name); err != nil {
		return nil, err
	}
	return out, nil
}

// insertCases writes checked cases with one statement and returns their ids
// in row order.
func insertCases(ctx context.Context, tx *database.Tx, rows []NewCase) ([]int64, error) {
	n := len(rows)
	var (
		unitIDs                        = make([]int64, n)
		channels, subjects, categories = make([]string, n), make([]string, n), make([]string, n)
		outcomes                       = make([]string, n)
		opened, closed                 = make([]taahod.Date, n), make([]taahod.Date, n)
		confidential                   = make([]bool, n)
	)
	for i, r := range rows {
		unitIDs[i], channels[i], subjects[i], categories[i] = *r.UnitID, r.Channel, r.Subject, r.Category
		outcomes[i], opened[i], closed[i], confidential[i] = r.Outcome, r.openedOn, r.closedOn, r.Confidential
	}
	ids, err := allocateIDs(ctx, tx, "cases", n)
	if err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO cases (id, unit_id, channel, subject, category, opened_on, closed_on, outcome, confidential, created_at, updated_at)
		SELECT c.*, $10::timestamptz, $10::timestamptz
		  FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::date[], $7::date[], $8::text[],
		              $9::boolean[]) AS c`,
		pq.Array(ids), pq.Array(unitIDs), pq.Array(channels), pq.Array(subjects), pq.Array(categories), pq.Array(opened),
		pq.Array(closed), pq.Array(outcomes), pq.Array(confidential), tx.Now)
	if err != nil {
		return nil, err
	}
	return ids, nil
}

// FindCase returns the case with id. It returns ENOTFOUND if there is none.
func (s *Store) FindCase(ctx context.Context, v Viewer, id int64) (Case, error) {
	return findCase(ctx, s.DB, v, id)
}

func findCase(ctx context.Context, q sqlx.QueryerContext, v Viewer, id int64) (Case, error) {
	var c Case
	if err := sqlx.GetContext(ctx, q, &c, caseSelect+` WHERE c.id = $1`, id); err != nil {
		return Case{}, database.NotFound(err, "case", id)
	}
	c.finish(v)
	return c, nil
}

// CaseFilter narrows a list of cases.
type CaseFilter struct {
	UnitID   int64
	Channel  string
	Outcome  string
	Category string
	Query    string // words each part of the subject (database.SearchClause)
	Year     int    // fiscal year of opened_on; 0 for all
	AfterID  int64
	Limit    int
}

// ListCases returns the cases that match f, by id, at most f.Limit of them.
// Filtering by unit leaves out the confidential cases whose unit v may not
// see. It returns EINVALID for a choice or year that does not exist.
func (s *Store) ListCases(ctx context.Context, v Viewer, f CaseFilter) ([]Case, error) {
	where, args, err := caseWhere(v, f)
	if err != nil {
		return nil, err
	}
	where += ` ORDER BY c.id LIMIT ` + args.Add(f.Limit)
	return selectCases(ctx, s.DB, v, where, args)
}

// caseWhere is the WHERE clause of the cases that match f, after f.AfterID,
// and its arguments: the one filter ListCases and EachCase share. It
// returns EINVALID for a choice or year that does not exist.
func caseWhere(v Viewer, f CaseFilter) (string, database.Args, error) {
	var (
		args database.Args
		p    taahod.Problems
	)
	where := []string{"c.id > " + args.Add(f.AfterID)}
	if f.UnitID != 0 {
		where = append(where, "c.unit_id = "+args.Add(f.UnitID), v.confidentialFilter("c", args.Add))
	}
	for _, x := range []struct {
		name, value string
		vocab       vocabulary
	}{{"channel", f.Channel, Channels}, {"outcome", f.Outcome, Outcomes}, {"category", f.Category, Categories}} {
		if x.value == "" {
			continue
		}
		if !x.vocab.Has(x.value) {
			p.Add(x.name, "invalid_choice", x.name+" must be "+x.vocab.list())
		}
		where = append(where, "c."+x.name+" = "+args.Add(x.value))
	}
	if f.Year != 0 {
		first, last, err := YearBounds(f.Year)
		if err != nil {
			p.AddErr("year", err)
		}
		where = append(where, "c.opened_on BETWEEN "+args.Add(first)+" AND "+args.Add(last))
	}
	if cond := database.SearchClause(&args, f.Query, database.Contains("taahod_fold(c.subject)")); cond != "" {
		where = append(where, cond)
	}
	if err := p.Err(); err != nil {
		return "", nil, err
	}
	return strings.Join(where, " AND "), args, nil
}

func selectCases(ctx context.Context, q sqlx.QueryerContext, v Viewer, where string, args []any) ([]Case, error) {
	out := []Case{}
	if err := sqlx.SelectContext(ctx, q, &out, caseSelect+` WHERE `+where, args...); err != nil {
		return nil, database.MapError(err)
	}
	for i := range out {
		out[i].finish(v)
	}
	return out, nil
}

// UpdateCase applies a partial update with the rules of a new case. It
// returns ENOTFOUND for an unknown case and EINVALID for bad fields.
func (s *Store) UpdateCase(ctx context.Context, actor taahod.Actor, id int64, patch CasePatch) (Case, error) {
	var out Case
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		var cur Case
		if err := tx.GetContext(ctx, &cur, caseSelect+` WHERE c.id = $1 FOR UPDATE OF c`, id); err != nil {
			return database.NotFound(err, "case", id)
		}
		cur.finish(SignedIn(taahod.System))
		next, p := patch.merge(cur)
		if err := p.Err(); err != nil {
			return err
		}
		checked, err := prepareCases(ctx, tx, []CaseRow{{NewCase: next}}, taahod.Today(tx.Now),
			func(_ int, field string) string { return field })
		if err != nil {
			return err
		}
		n := checked[0]
		changes := taahod.Changes{}
		diff := func(name string, from, to any) {
			if fmt.Sprint(from) != fmt.Sprint(to) {
				changes.Record(name, from, to)
			}
		}
		diff("unit_id", *cur.UnitID, *n.UnitID)
		diff("channel", cur.Channel, n.Channel)
		diff("subject", cur.Subject, n.Subject)
		diff("category", cur.Category, n.Category)
		diff("opened_on", cur.OpenedOn, n.openedOn)
		diff("closed_on", cur.ClosedOn, n.closedOn)
		diff("outcome", cur.Outcome, n.Outcome)
		diff("confidential", cur.Confidential, n.Confidential)
		if len(changes) == 0 {
			out = cur
			return nil
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE cases SET unit_id = $2, channel = $3, subject = $4, category = $5, opened_on = $6, closed_on = $7,
			       outcome = $8, confidential = $9, updated_at = $10
			 WHERE id = $1`,
			id, *n.UnitID, n.Channel, n.Subject, n.Category, n.openedOn, n.closedOn, n.Outcome, n.Confidential, tx.Now)
		if err != nil {
			return err
		}
		if out, err = findCase(ctx, tx, SignedIn(actor), id); err != nil {
			return err
		}
		tx.Audit(ctx, actor, "case.update", "case", id, changes)
		return nil
	})
	return out, err
}

// CountCases counts the cases still open, of any year, and the cases opened
// in the fiscal year. It returns EINVALID for a year that does not exist.
func (s *Store) CountCases(ctx context.Context, year int) (open, inYear int, err error) {
	first, last, err := YearBounds(year)
	if err != nil {
		return 0, 0, err
	}
	var n struct {
		Open   int `db:"open"`
		InYear int `db:"in_year"`
	}
	err = sqlx.GetContext(ctx, s.DB, &n, `
		SELECT count(*) FILTER (WHERE outcome = 'open') AS open,
		       count(*) FILTER (WHERE opened_on BETWEEN $1 AND $2) AS in_year
		  FROM cases`, first, last)
	if err != nil {
		return 0, 0, database.MapError(err)
	}
	return n.Open, n.InYear, nil
}
