package ledger

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
)

// ESTALEPREVIEW: an offset run was confirmed from a preview whose figures
// are no longer what the run would post.
var ESTALEPREVIEW = taahod.RegisterCode("offset_preview_stale")

// OffsetPreview is what running a unit-year's offset now would do, computed
// by the run's own code (planOffset) without posting anything: the
// statement as it stands, the statement the run would leave, and what the
// run adds. Fingerprint names these figures: RunPreviewedOffset runs only
// when the run would post exactly them.
type OffsetPreview struct {
	Before Statement `json:"before"`
	After  Statement `json:"after"`
	// OffsetIncrease and UsedIncrease are what the run adds to the offset
	// and to the spending used.
	OffsetIncrease decimal.Decimal `json:"offset_increase"`
	UsedIncrease   decimal.Decimal `json:"used_increase"`
	// Allocations are the run's new uses of spending, oldest first.
	Allocations []StatementAllocation `json:"allocations"`
	Fingerprint string                `json:"fingerprint"`
}

// PreviewOffset returns what RunOffset would do now, and changes nothing. It
// takes the unit's lock for the reading, as a run does, so the figures are
// those of one consistent state of the books. It returns what RunOffset
// returns for a unit or year that cannot be run.
func (s *Store) PreviewOffset(ctx context.Context, actor taahod.Actor, unit int64, year int) (OffsetPreview, error) {
	if err := s.checkUnit(ctx, actor, unit); err != nil {
		return OffsetPreview{}, err
	}
	var pv OffsetPreview
	ps := s.prepared(ctx) // before the transaction: see prepared
	err := s.DB.Transact(ctx, func(tx *database.Tx) error {
		if err := LockUnitBooks(ctx, tx, unit); err != nil {
			return err
		}
		pl, err := s.planOffset(ctx, ps, tx, unit, year)
		if err != nil {
			return err
		}
		if pv.Before, err = statement(ctx, tx, unit, year, pl.books, pl.match, posted{}); err != nil {
			return err
		}
		pv.OffsetIncrease, pv.UsedIncrease = pl.match.OffsetIncrease, pl.match.UsedIncrease
		pv.Allocations = pl.shown() // before after, which takes them over
		pv.Fingerprint = pl.fingerprint()
		// After the run as if it ran now: stamped now, as the run is.
		if pv.After, err = pl.after(ctx, tx, unit, year, 0, &tx.Now); err != nil {
			return err
		}
		return nil
	})
	return pv, err
}

// RunPreviewedOffset is RunOffset confirmed from a preview: it runs only if
// the run would post the figures the preview with that fingerprint showed,
// and otherwise returns ESTALEPREVIEW and posts nothing (the books changed
// in between: a new approval, assessment, policy or run).
func (s *Store) RunPreviewedOffset(ctx context.Context, actor taahod.Actor, unit int64, year int, fingerprint string) (Statement, error) {
	if strings.TrimSpace(fingerprint) == "" {
		return Statement{}, taahod.Errorf(ESTALEPREVIEW, "no preview was named: preview the offset first")
	}
	return s.runOffset(ctx, actor, unit, year, fingerprint)
}

// fingerprint is the hex SHA-256 of every figure the plan starts from and
// posts: the year's tax, what was offset and used before, what the policy
// gives, what the run adds and each allocation. The policy itself is not in
// it, only what it gives: a policy saved again with the same effect does
// not spoil a preview. Two plans with the same
// fingerprint post the same transaction and leave the same statement.
func (pl offsetPlan) fingerprint() string {
	b, m := pl.books, pl.match
	var w strings.Builder
	opt := func(d *decimal.Decimal) string {
		if d == nil {
			return "-"
		}
		return d.String()
	}
	fmt.Fprintf(&w, "offset-plan v1\nunit %d\nyear %d\ntax_due %s\ntaxable_income %s\n",
		b.taxYear.UnitID, b.state.FiscalYear, b.state.TaxDue, opt(b.state.TaxableIncome))
	fmt.Fprintf(&w, "applied %s\nused %s\navailable %s\ncarried_in %s\noffered %s\ndeduction %s\ntarget %s\n",
		b.state.Applied, b.state.Used, m.Available, m.CarriedIn, m.Offered, opt(m.Deduction), m.Target)
	fmt.Fprintf(&w, "offset %s +%s\nused %s +%s\n", m.Offset, m.OffsetIncrease, m.Used, m.UsedIncrease)
	for _, a := range m.Allocations {
		fmt.Fprintf(&w, "allocation %d %s\n", a.ExpenditureID, a.Amount)
	}
	sum := sha256.Sum256([]byte(w.String()))
	return hex.EncodeToString(sum[:])
}
