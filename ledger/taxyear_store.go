package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// LockUnitBooks serialises every change of a unit's offset books (runs,
// assessments, reversals) and what relies on them (issuing and revoking its
// certificates): the first statement of those transactions, so the lock
// order is fixed and they cannot deadlock one another. The lock is held
// until tx ends.
func LockUnitBooks(ctx context.Context, tx *database.Tx, unit int64) error {
	// One advisory key per unit, in a range of its own.
	const base = 1_720_000_000_000_000_000
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, base+unit)
	return err
}

const taxYearColumns = `unit_id, fiscal_year, tax_due, taxable_income, income_source, run_at, updated_at`

// Assess records a unit's tax for a fiscal year, or a new assessment of it,
// and posts the change of the tax due. It returns ENOTFOUND for a unit
// outside the actor's scope, EINVALID for bad figures and ETAXBELOWOFFSET
// when the tax due would fall below what has been offset already.
func (s *Store) Assess(ctx context.Context, actor taahod.Actor, unit int64, year int, in TaxYearInput) (TaxYear, error) {
	if err := s.checkUnit(ctx, actor, unit); err != nil {
		return TaxYear{}, err
	}
	a, err := in.validate(year)
	if err != nil {
		return TaxYear{}, err
	}
	var ty TaxYear
	ps := s.prepared(ctx) // before the transaction: see prepared
	err = s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := LockUnitBooks(ctx, tx, unit); err != nil {
			return err
		}
		before, found, err := loadTaxYear(ctx, tx, unit, year)
		if err != nil {
			return err
		}
		offset, err := balance(ctx, tx, taxOffset(unit, year))
		if err != nil {
			return err
		}
		if a.taxDue.LessThan(offset) {
			return taahod.Errorf(ETAXBELOWOFFSET, "the tax due %s of %d would be below the %s already offset", a.taxDue, year, offset)
		}
		err = tx.GetContext(ctx, &ty, `
			INSERT INTO tax_years (unit_id, fiscal_year, tax_due, taxable_income, income_source, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (unit_id, fiscal_year) DO UPDATE SET tax_due = EXCLUDED.tax_due,
			    taxable_income = EXCLUDED.taxable_income, income_source = EXCLUDED.income_source,
			    updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
			RETURNING `+taxYearColumns,
			unit, year, a.taxDue, a.taxableIncome, a.incomeSource, tx.Now, actor.UserKey())
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO tax_year_assessments (unit_id, fiscal_year, tax_due, taxable_income, income_source, recorded_at, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			unit, year, a.taxDue, a.taxableIncome, a.incomeSource, tx.Now, actor.UserKey()); err != nil {
			return err
		}
		if delta := a.taxDue.Sub(before.TaxDue); !delta.IsZero() {
			_, err := post(ctx, ps, tx, actor.UserKey(), Transaction{
				Kind: TxAssessment, UnitID: unit, FiscalYear: year, Memo: "tax assessment",
				Postings: []Posting{{taxAssessed(unit, year), delta.Neg()}, {taxDue(unit, year), delta}},
			})
			if err != nil {
				return err
			}
		}
		changes := map[string]any{"to": map[string]any{"tax_due": ty.TaxDue, "taxable_income": ty.TaxableIncome, "income_source": ty.IncomeSource}}
		if found {
			changes["from"] = map[string]any{"tax_due": before.TaxDue, "taxable_income": before.TaxableIncome, "income_source": before.IncomeSource}
		}
		tx.Audit(ctx, actor, "tax_year.assess", "tax_year", taxYearTarget(unit, year), changes)
		return nil
	})
	if err != nil {
		return ty, fmt.Errorf("assess unit %d year %d: %w", unit, year, err)
	}
	return ty, nil
}

func taxYearTarget(unit int64, year int) string {
	return decimal.NewFromInt(unit).String() + "/" + decimal.NewFromInt(int64(year)).String()
}

// loadTaxYear reads and locks a tax year; found is false when none is
// recorded (and the zero TaxYear has a zero tax due).
func loadTaxYear(ctx context.Context, tx *database.Tx, unit int64, year int) (TaxYear, bool, error) {
	var ty TaxYear
	err := tx.GetContext(ctx, &ty, `SELECT `+taxYearColumns+` FROM tax_years WHERE unit_id = $1 AND fiscal_year = $2 FOR UPDATE`, unit, year)
	if errors.Is(err, sql.ErrNoRows) {
		return TaxYear{UnitID: unit, FiscalYear: year}, false, nil
	}
	return ty, err == nil, err
}

// balance returns an account's balance, zero when it was never opened.
func balance(ctx context.Context, q sqlx.QueryerContext, a Account) (decimal.Decimal, error) {
	var b []decimal.Decimal
	if err := sqlx.SelectContext(ctx, q, &b, `SELECT balance FROM ledger_accounts WHERE code = $1`, a.Code()); err != nil {
		return decimal.Zero, err
	}
	if len(b) == 0 {
		return decimal.Zero, nil
	}
	return b[0], nil
}

// Assessments returns the history of a tax year's assessments, oldest
// first. It returns ENOTFOUND for a unit outside the actor's scope.
func (s *Store) Assessments(ctx context.Context, actor taahod.Actor, unit int64, year int) ([]Assessment, error) {
	if err := s.checkUnit(ctx, actor, unit); err != nil {
		return nil, err
	}
	out := []Assessment{}
	err := s.DB.SelectContext(ctx, &out, `
		SELECT a.id, a.tax_due, a.taxable_income, a.income_source, a.recorded_at,
		       `+userRefSQL("a.recorded_by")+` AS recorded_by
		  FROM tax_year_assessments a WHERE a.unit_id = $1 AND a.fiscal_year = $2 ORDER BY a.id`, unit, year)
	return out, database.MapError(err)
}

// checkUnit returns ENOTFOUND unless the unit exists and the actor may see
// it.
func (s *Store) checkUnit(ctx context.Context, actor taahod.Actor, unit int64) error {
	if !actor.CanSeeUnit(unit) {
		return taahod.Errorf(taahod.ENOTFOUND, "unit %d not found", unit)
	}
	var exists bool
	if err := s.DB.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM units WHERE id = $1)`, unit); err != nil {
		return database.MapError(err)
	}
	if !exists {
		return taahod.Errorf(taahod.ENOTFOUND, "unit %d not found", unit)
	}
	return nil
}
