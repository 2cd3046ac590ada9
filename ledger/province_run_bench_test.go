package ledger_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/taahod/taahod"
	"github.com/taahod/taahod/internal/database"
	"github.com/taahod/taahod/ledger"
)

// BenchmarkProvinceOffsetRun times a year-end run of the whole province
// (StartOffsetRun and Execute, as POST /tax-years/{year}/offset-runs does
// in the background): 1,000 units with 20 approved expenditures each, every
// unit's tax using all but half of its last one. Goal: at most 10 s. Each
// iteration runs a fresh fiscal year of the same units; its books are made
// in bulk by SQL with the timer stopped (as bulkApprove does, for all the
// units at once), its assessments by the store. TAAHOD_BENCH_WORKERS sets
// ledger.OffsetRunWorkers, to compare.
func BenchmarkProvinceOffsetRun(b *testing.B) {
	const units, perUnit = 1000, 20
	bk := newBooks(b, 0)
	ctx := context.Background()
	if w := os.Getenv("TAAHOD_BENCH_WORKERS"); w != "" {
		ledger.OffsetRunWorkers, _ = strconv.Atoi(w)
	}
	ids := bulkUnits(b, bk, units)
	year := 1403
	for b.Loop() {
		b.StopTimer()
		year++
		bk.policy(year, creditFull)
		bulkApproveUnits(b, bk, ids, perUnit, year, "1000")
		for _, u := range ids {
			bk.mustAssess(u, year, fmt.Sprint(perUnit*1000-500), "")
		}
		if _, err := bk.db.Exec(`ANALYZE`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		run, err := bk.store.StartOffsetRun(ctx, bk.tax, year)
		if err != nil {
			b.Fatal(err)
		}
		ended, err := run.Execute(ctx)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		want := decimal.NewFromInt(units * (perUnit*1000 - 500))
		if ended.Status != ledger.OffsetRunDone || ended.UnitsDone != units || ended.UnitsFailed != 0 || !ended.OffsetTotal.Equal(want) {
			b.Fatalf("status %s, %d units done, %d failed, offset %s (want %s)", ended.Status, ended.UnitsDone, ended.UnitsFailed, ended.OffsetTotal, want)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N)/1000, "s/run")
}

// bulkUnits registers n units, each with a pledge large enough for
// anything, by SQL, and returns their ids.
func bulkUnits(b *testing.B, bk *books, n int) []int64 {
	b.Helper()
	nationalIDs := make([]string, n)
	for i := range nationalIDs {
		nationalIDs[i] = taahod.MakeLegalEntityID(fmt.Sprintf("30%08d", i))
	}
	var ids []int64
	if err := bk.db.Select(&ids, `
		INSERT INTO units (name, national_id, county, created_at, updated_at)
		SELECT 'واحد استان ' || n, nid, 'قزوین', now(), now() FROM unnest($1::text[]) WITH ORDINALITY AS x(nid, n)
		RETURNING id`, pq.Array(nationalIDs)); err != nil {
		b.Fatal(err)
	}
	if _, err := bk.db.Exec(`
		INSERT INTO pledges (unit_id, school_id, amount, pledged_on, created_at)
		SELECT u, (SELECT min(id) FROM schools), 900000000000000000, '2022-03-21', now() FROM unnest($1::bigint[]) AS u`,
		pq.Array(ids)); err != nil {
		b.Fatal(err)
	}
	return ids
}

// bulkApproveUnits is bulkApprove for many units at once: per unit, n
// approved expenditures of amount dated in year, each booked as one
// balanced approval transaction with its digest.
func bulkApproveUnits(b *testing.B, bk *books, units []int64, n int, year int, amount string) {
	b.Helper()
	first, _ := taahod.FiscalYearBounds(year)
	err := bk.db.Transact(context.Background(), func(tx *database.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`SET LOCAL session_replication_role = replica`, nil},
			{`INSERT INTO ledger_accounts (code, asset, unit_id, may_go_negative)
			  SELECT 'unit:' || u || ':spending:contributions', 'spending', u, true FROM unnest($1::bigint[]) AS u
			  ON CONFLICT (code) DO NOTHING`, []any{pq.Array(units)}},
			{`CREATE TEMP TABLE bulk ON COMMIT DROP AS
			  WITH e AS (
			    INSERT INTO expenditures (pledge_id, unit_id, amount, spent_on, fiscal_year, invoice_no, invoice_key, vendor_name,
			           vendor_key, category, status, exceeds_pledge, approved_amount, reviewed_by, reviewed_at, submitted_by,
			           submitted_at, created_at, updated_at)
			    SELECT p.id, p.unit_id, $2::numeric, $3::date + (g % 360), $5, 'P-' || k, 'P-' || k, 'مصالح انبوه', 'name:مصالح انبوه',
			           'construction', 'approved', false, $2::numeric, $4, now(), $4, now(), now(), now()
			      FROM pledges p, LATERAL (SELECT g, gen_random_uuid()::text AS k FROM generate_series(1, $6) g) s
			     WHERE p.unit_id = ANY($1::bigint[])
			     ORDER BY p.unit_id, g
			    RETURNING id, unit_id, pledge_id, amount)
			  SELECT e.id AS expenditure_id, e.unit_id, e.pledge_id, e.amount FROM e`,
				[]any{pq.Array(units), amount, first, bk.tax.UserID, year, n}},
			{`UPDATE pledges p SET submitted_total = submitted_total + s.total
			    FROM (SELECT pledge_id, sum(amount) AS total FROM bulk GROUP BY pledge_id) s WHERE p.id = s.pledge_id`, nil},
			{`INSERT INTO ledger_accounts (code, asset, unit_id, expenditure_id, may_go_negative, spent_year, category)
			  SELECT 'unit:' || unit_id || ':spending:expenditure:' || expenditure_id, 'spending', unit_id, expenditure_id, false,
			         $1, 'construction' FROM bulk`, []any{year}},
			// The sums the posting trigger keeps (ledger_spending_sums).
			{`INSERT INTO ledger_spending_sums AS s (unit_id, fiscal_year, category, approved, unused, unused_accounts)
			  SELECT unit_id, $1, 'construction', sum(amount), sum(amount), count(*) FROM bulk GROUP BY unit_id ORDER BY unit_id
			  ON CONFLICT (unit_id, fiscal_year, category) DO UPDATE
			     SET approved = s.approved + EXCLUDED.approved, unused = s.unused + EXCLUDED.unused,
			         unused_accounts = s.unused_accounts + EXCLUDED.unused_accounts`, []any{year}},
			{`INSERT INTO ledger_transactions (kind, unit_id, expenditure_id, memo, postings_sha256, created_at, created_by)
			  SELECT 'approval', x.unit_id, x.expenditure_id, 'approved school spending',
			         sha256(convert_to(c.id || ':' || trim_scale(-x.amount) || E'\n' || a.id || ':' || trim_scale(x.amount) || E'\n', 'UTF8')),
			         now(), $1
			    FROM bulk x JOIN ledger_accounts a ON a.expenditure_id = x.expenditure_id
			    JOIN ledger_accounts c ON c.code = 'unit:' || x.unit_id || ':spending:contributions'
			   ORDER BY x.expenditure_id`, []any{bk.tax.UserID}},
			{`WITH p AS (
			    INSERT INTO ledger_postings (transaction_id, account_id, amount)
			    SELECT t.id, l.account_id, l.amount
			      FROM bulk x
			      JOIN ledger_transactions t ON t.expenditure_id = x.expenditure_id AND t.kind = 'approval'
			      JOIN ledger_accounts a ON a.expenditure_id = x.expenditure_id
			      JOIN ledger_accounts c ON c.code = 'unit:' || x.unit_id || ':spending:contributions',
			           LATERAL (VALUES (1, c.id, -x.amount), (2, a.id, x.amount)) AS l(n, account_id, amount)
			     ORDER BY t.id, l.n
			    RETURNING account_id, amount)
			  UPDATE ledger_accounts a SET balance = a.balance + s.total
			    FROM (SELECT account_id, sum(amount) AS total FROM p GROUP BY account_id) s
			   WHERE a.id = s.account_id`, nil},
		} {
			if _, err := tx.ExecContext(context.Background(), q.sql, q.args...); err != nil {
				return fmt.Errorf("%s: %w", q.sql, err)
			}
		}
		return nil
	})
	if err != nil {
		b.Fatalf("bulk approvals: %v", err)
	}
}
