-- +goose Up
-- A run that uses a few of a unit-year's 10,000 candidate expenditures read
-- all 10,000 of them, with their expenditures (a hash join over the unit's
-- whole spending) and the unit's expenditures once more for the year's
-- eligible spending, to sum what the statement shows: 85–90 % of the run's
-- database time (pg_stat_statements over BenchmarkRunOffset). The sums are
-- now kept as the ledger moves, per unit, fiscal year and category of
-- spending, so that such a run reads a few rows of sums and, in date order
-- by the index below, its few oldest candidates.
--
-- ledger_spending_sums is a cache, like the accounts' balances, and kept
-- the same way: by ledger_apply_postings, in the statement that writes the
-- postings, so that a reader's snapshot sees sums that agree with the
-- balances it would see. For the accounts of the expenditures of a unit,
-- year and category:
--   approved  what approvals moved into them, less the reversals of
--             approvals (transactions that name an expenditure): the
--             approved spending of the expenditures still approved, which
--             `taahod verify` checks against each review;
--   unused    the sum of their balances;
--   unused_accounts  how many have a positive balance (the run's
--             candidates).
-- `taahod verify` re-derives every row from the postings.
--
-- An expenditure's account records the expenditure's fiscal year and
-- category when it opens (a row trigger, once per approval; an approved
-- expenditure's year and category never change, and verify checks that
-- they still agree), so that keeping the sums of a run that uses 10,000
-- expenditures finds none of them.
CREATE TABLE ledger_spending_sums (
    unit_id     BIGINT NOT NULL,
    fiscal_year INT NOT NULL,
    category    TEXT NOT NULL,
    approved    NUMERIC(40,2) NOT NULL,
    unused      NUMERIC(40,2) NOT NULL,
    unused_accounts BIGINT NOT NULL,
    PRIMARY KEY (unit_id, fiscal_year, category)
);

ALTER TABLE ledger_accounts ADD COLUMN spent_year INT, ADD COLUMN category TEXT;
UPDATE ledger_accounts a SET spent_year = e.fiscal_year, category = e.category
  FROM expenditures e WHERE e.id = a.expenditure_id;
-- (No index names them: the balances' updates stay HOT, see 0003.)
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_spending
    CHECK ((expenditure_id IS NULL) = (spent_year IS NULL) AND (expenditure_id IS NULL) = (category IS NULL));

-- +goose StatementBegin
CREATE FUNCTION ledger_account_spending() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT e.fiscal_year, e.category INTO NEW.spent_year, NEW.category FROM expenditures e WHERE e.id = NEW.expenditure_id;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_accounts_spending BEFORE INSERT ON ledger_accounts
    FOR EACH ROW WHEN (NEW.expenditure_id IS NOT NULL) EXECUTE FUNCTION ledger_account_spending();

INSERT INTO ledger_spending_sums (unit_id, fiscal_year, category, approved, unused, unused_accounts)
SELECT e.unit_id, e.fiscal_year, e.category, COALESCE(sum(ap.approved), 0), sum(a.balance),
       count(*) FILTER (WHERE a.balance > 0)
  FROM ledger_accounts a
  JOIN expenditures e ON e.id = a.expenditure_id
  LEFT JOIN LATERAL (
      SELECT sum(p.amount) AS approved
        FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
       WHERE p.account_id = a.id AND t.expenditure_id IS NOT NULL) ap ON true
 GROUP BY e.unit_id, e.fiscal_year, e.category;

-- A unit-year's candidates in the order runs use them (carried years
-- first, then by date and id): a run reads the oldest few by this index,
-- and stops.
CREATE INDEX expenditures_unit_year_spent ON expenditures (unit_id, fiscal_year, spent_on, id);

-- ledger_apply_postings as 0019 made it, and beside the balances' UPDATE the
-- sums of the expenditures' accounts it updated, by their year and category.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_apply_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    accounts   BIGINT;
    updated    BIGINT;
    first_tx   BIGINT;
    last_tx    BIGINT;
    bad        BIGINT;
    asset      TEXT;
BEGIN
    -- One UPDATE per statement, in the order of the accounts' ids (mostly
    -- the order of their rows: see 0012). Per asset, it sums what it added
    -- and counts the accounts it found. Per expenditure account, what it
    -- added, what approvals (and their reversals) added, and whether its
    -- balance turned positive or nil, go to the sums.
    WITH approvals AS MATERIALIZED (
        SELECT t.id FROM ledger_transactions t
         WHERE t.id IN (SELECT DISTINCT transaction_id FROM new_postings) AND t.expenditure_id IS NOT NULL
    ), n AS (
        SELECT account_id, sum(amount) AS total,
               COALESCE(sum(amount) FILTER (WHERE transaction_id IN (SELECT id FROM approvals)), 0) AS approved,
               min(transaction_id) AS first_tx, max(transaction_id) AS last_tx
          FROM new_postings GROUP BY account_id ORDER BY account_id
    ), found AS (
        UPDATE ledger_accounts a SET balance = a.balance + n.total
          FROM n
         WHERE a.id = n.account_id
        RETURNING a.asset, a.unit_id, a.spent_year, a.category, a.balance, n.total, n.approved, n.first_tx, n.last_tx
    ), spent AS (
        SELECT f.unit_id, f.spent_year, f.category, sum(f.approved) AS approved, sum(f.total) AS unused,
               sum((f.balance > 0)::int - (f.balance - f.total > 0)::int) AS unused_accounts
          FROM found f
         WHERE f.spent_year IS NOT NULL
         GROUP BY f.unit_id, f.spent_year, f.category
    ), summed AS (
        INSERT INTO ledger_spending_sums AS s (unit_id, fiscal_year, category, approved, unused, unused_accounts)
        SELECT x.unit_id, x.spent_year, x.category, x.approved, x.unused, x.unused_accounts FROM spent x
         ORDER BY x.unit_id, x.spent_year, x.category
        ON CONFLICT (unit_id, fiscal_year, category) DO UPDATE
           SET approved = s.approved + EXCLUDED.approved, unused = s.unused + EXCLUDED.unused,
               unused_accounts = s.unused_accounts + EXCLUDED.unused_accounts
    ), per_asset AS (
        SELECT f.asset, sum(f.total) AS total, count(*) AS accounts, min(f.first_tx) AS first_tx, max(f.last_tx) AS last_tx
          FROM found f GROUP BY f.asset
    )
    SELECT (SELECT count(*) FROM n), COALESCE(sum(s.accounts), 0), min(s.first_tx), max(s.last_tx),
           (array_agg(s.asset ORDER BY s.asset) FILTER (WHERE s.total <> 0))[1]
      INTO accounts, updated, first_tx, last_tx, asset
      FROM per_asset s;
    IF accounts = 0 THEN
        RETURN NULL; -- a statement that wrote no postings
    END IF;
    IF updated <> accounts THEN
        SELECT p.account_id INTO bad
          FROM new_postings p
         WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = p.account_id)
         LIMIT 1;
        RAISE EXCEPTION 'ledger postings name account %, which does not exist', bad
            USING ERRCODE = '23503', CONSTRAINT = 'ledger_postings_account_id_fkey';
    END IF;

    IF first_tx = last_tx THEN
        -- One transaction: its postings per asset are its accounts' sums.
        IF NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = first_tx) THEN
            RAISE EXCEPTION 'ledger postings name transaction %, which does not exist', first_tx
                USING ERRCODE = '23503', CONSTRAINT = 'ledger_postings_transaction_id_fkey';
        END IF;
        IF asset IS NOT NULL THEN
            RAISE EXCEPTION 'ledger transaction % does not balance in %', first_tx, asset USING ERRCODE = '23514';
        END IF;
        RETURN NULL;
    END IF;

    -- Several transactions: each must exist and balance on its own.
    SELECT n.transaction_id INTO bad
      FROM (SELECT DISTINCT transaction_id FROM new_postings) n
     WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = n.transaction_id)
     LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ledger postings name transaction %, which does not exist', bad
            USING ERRCODE = '23503', CONSTRAINT = 'ledger_postings_transaction_id_fkey';
    END IF;
    SELECT p.transaction_id, a.asset INTO bad, asset
      FROM new_postings p JOIN ledger_accounts a ON a.id = p.account_id
     GROUP BY p.transaction_id, a.asset
    HAVING sum(p.amount) <> 0
     LIMIT 1;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not balance in %', bad, asset USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
