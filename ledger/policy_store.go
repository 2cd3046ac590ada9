package ledger

import (
	"context"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// Domain codes of the offset ledger.
var (
	ENOPOLICY       = taahod.RegisterCode("no_offset_policy")
	EPOLICYFROZEN   = taahod.RegisterCode("policy_frozen")
	ENOASSESSMENT   = taahod.RegisterCode("no_tax_assessment")
	ETAXBELOWOFFSET = taahod.RegisterCode("tax_due_below_offset")
	ECERTIFIED      = taahod.RegisterCode("year_certified")
)

const policyColumns = `fiscal_year, mode, rate, tax_rate, deduction_cap_rate, cap_amount, carry_forward_years,
	rounding_unit, rounding, eligible_categories, legal_basis, updated_at`

type policyRow struct {
	Policy
	Categories pq.StringArray `db:"eligible_categories"`
}

func (r policyRow) policy() Policy {
	p := r.Policy
	p.EligibleCategories = []string(r.Categories)
	if p.EligibleCategories == nil {
		p.EligibleCategories = []string{}
	}
	return p
}

// SetPolicy stores the offset policy of a fiscal year, replacing the one
// there. It returns EINVALID for a bad policy and EPOLICYFROZEN when an
// issued certificate relied on the year's policy.
func (s *Store) SetPolicy(ctx context.Context, actor taahod.Actor, year int, in PolicyInput) (Policy, error) {
	pol, err := in.Policy(year)
	if err != nil {
		return Policy{}, err
	}
	err = s.DB.Transact(ctx, func(tx *database.Tx) error {
		// The row lock serialises this with runs that read the policy.
		var before []policyRow
		if err := tx.SelectContext(ctx, &before, `SELECT `+policyColumns+` FROM offset_policies WHERE fiscal_year = $1 FOR UPDATE`, year); err != nil {
			return err
		}
		frozen, err := policyFrozen(ctx, tx, year)
		if err != nil {
			return err
		}
		if frozen {
			return taahod.Errorf(EPOLICYFROZEN, "the offset policy of %d is frozen: an issued certificate relied on it", year)
		}
		var row policyRow
		err = tx.GetContext(ctx, &row, `
			INSERT INTO offset_policies (fiscal_year, mode, rate, tax_rate, deduction_cap_rate, cap_amount,
			            carry_forward_years, rounding_unit, rounding, eligible_categories, legal_basis, updated_at, updated_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
			ON CONFLICT (fiscal_year) DO UPDATE SET mode = EXCLUDED.mode, rate = EXCLUDED.rate,
			    tax_rate = EXCLUDED.tax_rate, deduction_cap_rate = EXCLUDED.deduction_cap_rate,
			    cap_amount = EXCLUDED.cap_amount, carry_forward_years = EXCLUDED.carry_forward_years,
			    rounding_unit = EXCLUDED.rounding_unit, rounding = EXCLUDED.rounding,
			    eligible_categories = EXCLUDED.eligible_categories, legal_basis = EXCLUDED.legal_basis,
			    updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
			RETURNING `+policyColumns,
			year, pol.Mode, pol.Rate, pol.TaxRate, pol.DeductionCapRate, pol.CapAmount, pol.CarryForwardYears,
			pol.RoundingUnit, pol.Rounding, pq.Array(pol.EligibleCategories), pol.LegalBasis, tx.Now, actor.UserKey())
		if err != nil {
			return err
		}
		pol = row.policy()
		changes := map[string]any{"to": pol}
		if len(before) > 0 {
			changes["from"] = before[0].policy()
		}
		tx.Audit(ctx, actor, "policy.set", "offset_policy", year, changes)
		return nil
	})
	return pol, err
}

// Policy returns the offset policy of a fiscal year. It returns ENOTFOUND
// when none is stored.
func (s *Store) Policy(ctx context.Context, year int) (Policy, error) {
	p, err := loadPolicy(ctx, s.DB, year, false)
	if err != nil {
		return Policy{}, database.NotFound(err, "offset policy of", year)
	}
	p.Frozen, err = policyFrozen(ctx, s.DB, year)
	return p, database.MapError(err)
}

// Policies returns every stored policy, by year.
func (s *Store) Policies(ctx context.Context) ([]Policy, error) {
	var rows []policyRow
	if err := s.DB.SelectContext(ctx, &rows, `SELECT `+policyColumns+` FROM offset_policies ORDER BY fiscal_year`); err != nil {
		return nil, database.MapError(err)
	}
	var frozen []int
	if err := s.DB.SelectContext(ctx, &frozen, `SELECT DISTINCT fiscal_year FROM certificates`); err != nil {
		return nil, database.MapError(err)
	}
	out := make([]Policy, len(rows))
	for i, r := range rows {
		out[i] = r.policy()
		for _, y := range frozen {
			out[i].Frozen = out[i].Frozen || y == out[i].FiscalYear
		}
	}
	return out, nil
}

// loadPolicy reads a year's policy, sharing its row lock when inside a run
// so that the policy cannot change under it.
func loadPolicy(ctx context.Context, q sqlx.QueryerContext, year int, share bool) (Policy, error) {
	query := `SELECT ` + policyColumns + ` FROM offset_policies WHERE fiscal_year = $1`
	if share {
		query += ` FOR SHARE`
	}
	var row policyRow
	if err := sqlx.GetContext(ctx, q, &row, query, year); err != nil {
		return Policy{}, err
	}
	return row.policy(), nil
}

// policyFrozen reports whether an issued certificate (of any status: it was
// issued under the policy) relied on the year's policy.
func policyFrozen(ctx context.Context, q sqlx.QueryerContext, year int) (bool, error) {
	var frozen bool
	err := sqlx.GetContext(ctx, q, &frozen, `SELECT EXISTS (SELECT 1 FROM certificates WHERE fiscal_year = $1)`, year)
	return frozen, err
}
