package ledger

import (
	"context"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// expenditureWhere is the WHERE clause of the expenditures the actor may see
// that match f, after f.AfterID: the one filter ListExpenditures and
// EachExpenditure share, so that a list's file holds what its pages hold.
func expenditureWhere(actor taahod.Actor, f ExpenditureFilter) database.Filter {
	q := database.Filter{}
	q.Where("e.id > " + q.Arg(f.AfterID))
	if scope := unitScope(actor); scope != nil {
		q.Where("e.unit_id = ANY(" + q.Arg(scope) + ")")
	}
	if f.UnitID > 0 {
		q.Where("e.unit_id = " + q.Arg(f.UnitID))
	}
	if f.PledgeID > 0 {
		q.Where("e.pledge_id = " + q.Arg(f.PledgeID))
	}
	if f.SchoolID > 0 {
		q.Where("p.school_id = " + q.Arg(f.SchoolID))
	}
	if f.Status != "" {
		q.Where("e.status = " + q.Arg(f.Status))
	}
	if f.FiscalYear != 0 {
		q.Where("e.fiscal_year = " + q.Arg(f.FiscalYear))
	}
	if !f.From.IsZero() {
		q.Where("e.spent_on >= " + q.Arg(f.From) + "::date")
	}
	if !f.To.IsZero() {
		q.Where("e.spent_on <= " + q.Arg(f.To) + "::date")
	}
	if f.MissingDocuments {
		q.Where("e.status IN ('submitted', 'rejected') AND NOT EXISTS (SELECT 1 FROM expenditure_documents d WHERE d.expenditure_id = e.id)")
	}
	// invoice_key is the folded invoice number (InvoiceKey).
	q.Search(f.Query, "e.invoice_key", "taahod_fold(e.vendor_name)")
	return q
}

// EachExpenditure calls fn with each expenditure ListExpenditures lists for
// f, in the same order and redacted the same way, at most f.Limit of them,
// read by one query row by row: a list's file (issue 15) is written as the
// rows arrive and never held whole. The expenditures come without their
// review rounds (Reviews is nil), which no file shows. fn's first error
// ends the query and is returned.
func (s *Store) EachExpenditure(ctx context.Context, actor taahod.Actor, f ExpenditureFilter, fn func(*Expenditure) error) error {
	q := expenditureWhere(actor, f)
	query := `SELECT ` + expenditureColumns + ` FROM expenditures e JOIN pledges p ON p.id = e.pledge_id
		WHERE ` + q.Clause() + ` ORDER BY e.id LIMIT ` + q.Arg(f.Limit)
	rows, err := s.DB.QueryxContext(ctx, query, q.Args...)
	if err != nil {
		return database.MapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Expenditure
		if err := rows.StructScan(&e); err != nil {
			return database.MapError(err)
		}
		e.Redact(actor)
		if err := fn(&e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return database.MapError(err)
	}
	return nil
}
