package ledger

import (
	"context"
	"encoding/json"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// QueueItem is a submitted expenditure waiting for review, with what the
// reviewer needs beside it.
type QueueItem struct {
	Expenditure
	Unit      QueueUnit   `json:"unit"`
	School    QueueSchool `json:"school"`
	Documents []Document  `json:"documents"`
}

// MarshalJSON writes the expenditure's fields (with their Jalali twins) and
// the unit, school and documents beside them.
func (q QueueItem) MarshalJSON() ([]byte, error) {
	base, err := json.Marshal(q.Expenditure)
	if err != nil {
		return nil, err
	}
	docs := q.Documents
	if docs == nil {
		docs = []Document{}
	}
	extra, err := json.Marshal(struct {
		Unit      QueueUnit   `json:"unit"`
		School    QueueSchool `json:"school"`
		Documents []Document  `json:"documents"`
	}{q.Unit, q.School, docs})
	if err != nil {
		return nil, err
	}
	// Join the two objects: drop base's closing brace and extra's opening.
	return append(append(base[:len(base)-1], ','), extra[1:]...), nil
}

// QueueUnit names the unit of a queued expenditure. County is the unit's
// own (the taxpayer's), the one the queue's county filter reads.
type QueueUnit struct {
	ID         int64  `db:"id" json:"id"`
	Name       string `db:"name" json:"name"`
	NationalID string `db:"national_id" json:"national_id"`
	County     string `db:"county" json:"county"`
}

// QueueSchool names the school of a queued expenditure.
type QueueSchool struct {
	ID     int64  `db:"id" json:"id"`
	Name   string `db:"name" json:"name"`
	County string `db:"county" json:"county"`
}

// queueColumns are the columns of a queue item: the expenditure e's, and
// its unit u's and school s's.
var queueColumns = expenditureColumns + `, u.name AS unit_name, u.national_id AS unit_national_id, u.county AS unit_county,
		       s.name AS school_name, s.county AS school_county`

// queueRow is a row of queueColumns.
type queueRow struct {
	Expenditure
	UnitName     string `db:"unit_name"`
	UnitNID      string `db:"unit_national_id"`
	UnitCounty   string `db:"unit_county"`
	SchoolName   string `db:"school_name"`
	SchoolCounty string `db:"school_county"`
}

// item is the queue item of the row, without documents.
func (r queueRow) item() QueueItem {
	return QueueItem{
		Expenditure: r.Expenditure,
		Unit:        QueueUnit{ID: r.UnitID, Name: r.UnitName, NationalID: r.UnitNID, County: r.UnitCounty},
		School:      QueueSchool{ID: r.SchoolID, Name: r.SchoolName, County: r.SchoolCounty},
	}
}

// QueuePosition is a place in the review queue: the (re)submission time and
// id of the last item seen. The zero position is the queue's start.
type QueuePosition struct {
	SubmittedAt time.Time
	ID          int64
}

// QueueFilter narrows the review queue. The zero filter is the whole queue.
type QueueFilter struct {
	// UnitID keeps one unit's expenditures.
	UnitID int64
	// County keeps the expenditures of units in that county (the unit's,
	// the taxpayer's, not the school's), compared folded as the other
	// county filters compare it (taahod.FoldText).
	County string
	// Category keeps one spending category.
	Category string
	// AmountMin and AmountMax bound the expenditure's amount, both
	// inclusive.
	AmountMin, AmountMax decimal.NullDecimal
}

// Validate checks the filter: a known category, and a range that is not
// upside down (amount_max below amount_min, code below_min).
func (f QueueFilter) Validate() error {
	var p taahod.Problems
	if f.Category != "" {
		checkCategory(&p, f.Category)
	}
	if f.AmountMin.Valid && f.AmountMax.Valid && f.AmountMax.Decimal.LessThan(f.AmountMin.Decimal) {
		p.Add("amount_max", "below_min", "amount_max is below amount_min")
	}
	return p.Err()
}

// where adds the filter's conditions, and the actor's scope, on the
// expenditure e joined with its unit u.
func (f QueueFilter) where(q *database.Filter, actor taahod.Actor) {
	q.Where("e.status = 'submitted'")
	if scope := unitScope(actor); scope != nil {
		q.Where("e.unit_id = ANY(" + q.Arg(scope) + ")")
	}
	if f.UnitID > 0 {
		q.Where("e.unit_id = " + q.Arg(f.UnitID))
	}
	if f.County != "" {
		q.Where("taahod_fold(u.county) = " + q.Arg(taahod.FoldText(f.County)))
	}
	if f.Category != "" {
		q.Where("e.category = " + q.Arg(f.Category))
	}
	if f.AmountMin.Valid {
		q.Where("e.amount >= " + q.Arg(f.AmountMin.Decimal))
	}
	if f.AmountMax.Valid {
		q.Where("e.amount <= " + q.Arg(f.AmountMax.Decimal))
	}
}

// ReviewQueue lists the submitted expenditures, oldest (re)submission first
// (by submitted_at, then id), after the position and at most limit, each
// with its unit, school, documents and earlier review rounds. It is
// FilterReviewQueue with no filter.
func (s *Store) ReviewQueue(ctx context.Context, actor taahod.Actor, after QueuePosition, limit int) ([]QueueItem, error) {
	return s.FilterReviewQueue(ctx, actor, QueueFilter{}, after, limit)
}

// FilterReviewQueue is ReviewQueue narrowed by f. It returns EINVALID for a
// filter that Validate refuses.
func (s *Store) FilterReviewQueue(ctx context.Context, actor taahod.Actor, f QueueFilter, after QueuePosition, limit int) ([]QueueItem, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	q := database.Filter{}
	f.where(&q, actor)
	if after.ID > 0 {
		q.Where("(e.submitted_at, e.id) > (" + q.Arg(after.SubmittedAt) + "::timestamptz, " + q.Arg(after.ID) + "::bigint)")
	}
	var rows []queueRow
	err := s.DB.SelectContext(ctx, &rows, `
		SELECT `+queueColumns+`
		  FROM expenditures e
		  JOIN pledges p ON p.id = e.pledge_id
		  JOIN units u ON u.id = e.unit_id
		  JOIN schools s ON s.id = p.school_id
		 WHERE `+q.Clause()+`
		 ORDER BY e.submitted_at, e.id LIMIT `+q.Arg(limit), q.Args...)
	if err != nil {
		return nil, database.MapError(err)
	}
	list := make([]Expenditure, len(rows))
	for i := range rows {
		list[i] = rows[i].Expenditure
	}
	if err := withReviews(ctx, s.DB, list); err != nil {
		return nil, err
	}
	items := make([]QueueItem, len(rows))
	ids := make([]int64, len(rows))
	at := make(map[int64]int, len(rows))
	for i, r := range rows {
		r.Expenditure = list[i]
		r.Expenditure.Redact(actor)
		items[i] = r.item()
		items[i].Documents = []Document{}
		ids[i] = r.ID
		at[r.ID] = i
	}
	if len(ids) == 0 {
		return items, nil
	}
	var docs []Document
	if err := s.DB.SelectContext(ctx, &docs, `SELECT d.expenditure_id, `+documentColumns+`
		FROM expenditure_documents d WHERE d.expenditure_id = ANY($1) ORDER BY d.id`, pq.Array(ids)); err != nil {
		return nil, database.MapError(err)
	}
	for _, d := range docs {
		i := at[*d.ExpenditureID]
		items[i].Documents = append(items[i].Documents, d)
	}
	return items, nil
}

// CountReviewQueue is how many expenditures wait in the queue narrowed by
// f, as the actor may see them. It is a query of its own, so that a page
// of the queue stays a bounded read however long the queue is. It returns
// EINVALID for a filter that Validate refuses.
func (s *Store) CountReviewQueue(ctx context.Context, actor taahod.Actor, f QueueFilter) (int, error) {
	if err := f.Validate(); err != nil {
		return 0, err
	}
	q := database.Filter{}
	f.where(&q, actor)
	join := ""
	if f.County != "" {
		join = " JOIN units u ON u.id = e.unit_id"
	}
	var n int
	if err := s.DB.GetContext(ctx, &n, `SELECT count(*) FROM expenditures e`+join+` WHERE `+q.Clause(), q.Args...); err != nil {
		return 0, database.MapError(err)
	}
	return n, nil
}

// QueueUnits lists the units that have expenditures waiting in the queue,
// as the actor may see them, by name: the choices of the queue's unit
// filter.
func (s *Store) QueueUnits(ctx context.Context, actor taahod.Actor) ([]QueueUnit, error) {
	list := []QueueUnit{}
	err := s.DB.SelectContext(ctx, &list, `
		SELECT u.id, u.name, u.national_id, u.county FROM units u
		 WHERE u.id IN (SELECT e.unit_id FROM expenditures e WHERE e.status = 'submitted')
		   AND ($1::bigint[] IS NULL OR u.id = ANY($1))
		 ORDER BY u.name, u.id`, unitScope(actor))
	if err != nil {
		return nil, database.MapError(err)
	}
	return list, nil
}
