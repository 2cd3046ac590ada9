package ledger_test

import (
	"context"
	"strings"
	"testing"

	"github.com/taahod/taahod"
	"github.com/taahod/taahod/registry"
)

// TestExpenditurePledgeKey: the database itself refuses an expenditure of a
// pledge that does not exist, or of another unit than the pledge's, with
// the one foreign key (pledge_id, unit_id) → pledges (migration 0021 dropped
// the key on pledge_id alone, a second check of the same row in every
// submission).
func TestExpenditurePledgeKey(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	p := f.pledge("1000")
	other, err := registry.NewStore(f.db).CreateUnit(ctx, taahod.System, registry.NewUnit{
		Name: "سیمان", NationalID: taahod.MakeLegalEntityID("1010765432"), County: "قزوین"})
	if err != nil {
		t.Fatal(err)
	}
	insert := func(pledge, unit int64, invoice string) error {
		_, err := f.db.Exec(`
			INSERT INTO expenditures (pledge_id, unit_id, amount, spent_on, fiscal_year, invoice_no, invoice_key,
			       vendor_name, vendor_key, category, status, exceeds_pledge, submitted_by, submitted_at, created_at, updated_at)
			VALUES ($1, $2, 10, '2025-10-01', 1404, $3, $3, 'فروشنده', 'name:x', 'construction', 'submitted', false, $4, now(), now(), now())`,
			pledge, unit, invoice, f.accountant.UserID)
		return err
	}
	if err := insert(p.ID, f.unit.ID, "K-1"); err != nil {
		t.Fatalf("the pledge's own unit: %v", err)
	}
	for _, c := range []struct {
		name         string
		pledge, unit int64
	}{{"a pledge that does not exist", p.ID + 1000, f.unit.ID}, {"another unit than the pledge's", p.ID, other.ID}} {
		err := insert(c.pledge, c.unit, "K-2")
		if err == nil || !strings.Contains(err.Error(), "expenditures_pledge_id_unit_id_fkey") {
			t.Errorf("%s: %v, want a violation of expenditures_pledge_id_unit_id_fkey", c.name, err)
		}
	}
	var keys []string
	if err := f.db.Select(&keys, `
		SELECT conname FROM pg_constraint
		 WHERE conrelid = 'expenditures'::regclass AND confrelid = 'pledges'::regclass ORDER BY conname`); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(keys, ","); got != "expenditures_pledge_id_unit_id_fkey" {
		t.Errorf("foreign keys of expenditures to pledges: %s, want only expenditures_pledge_id_unit_id_fkey", got)
	}
}
