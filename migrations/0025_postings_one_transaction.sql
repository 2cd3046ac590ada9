-- +goose Up
-- The postings of one transaction are applied without aggregating them,
-- with the same guarantees (0012 says what they are). An offset run that
-- uses 10,000 expenditures writes 10,003 postings, each to an account of
-- its own, in one statement. ledger_apply_postings grouped them by account
-- (a hash of 10,003 groups, each with two numeric sums, then a sort of the
-- groups by account) and, to tell the approvals' part of each sum, looked
-- the statement's transactions up by a join over ledger_transactions.
--
-- Now a statement whose postings are all of one transaction (the store
-- writes one transaction a statement, so always in practice) takes a path
-- of its own:
--
-- * its transaction is looked up once, by key: it must exist, and whether
--   it names an expenditure (an approval or a reversal of one) says whether
--   its postings count as approved spending;
-- * its postings are sorted by account once (the order of the balances'
--   updates, see 0012), which also shows whether an account has two of
--   them; when none has, each posting is its account's change and the
--   balances' UPDATE takes them as they are. When one has, that UPDATE
--   changes nothing and the general path below, which sums per account,
--   runs instead;
-- * the checks after it are those of 0019: every account found (the
--   UPDATE's count), the transaction balanced per asset (its accounts' sums
--   per asset), and the spending sums of 0023 kept from the rows it
--   updated.
--
-- Statements of several transactions take the general path, unchanged.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_apply_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    postings   BIGINT;
    accounts   BIGINT;
    updated    BIGINT;
    first_tx   BIGINT;
    last_tx    BIGINT;
    bad        BIGINT;
    asset      TEXT;
    approval   BOOLEAN;
    repeated   BOOLEAN;
BEGIN
    SELECT count(*), min(transaction_id), max(transaction_id) INTO postings, first_tx, last_tx FROM new_postings;
    IF postings = 0 THEN
        RETURN NULL; -- a statement that wrote no postings
    END IF;

    IF first_tx = last_tx THEN
        SELECT t.expenditure_id IS NOT NULL INTO approval FROM ledger_transactions t WHERE t.id = first_tx;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'ledger postings name transaction %, which does not exist', first_tx
                USING ERRCODE = '23503', CONSTRAINT = 'ledger_postings_transaction_id_fkey';
        END IF;
        -- One sort by account: the update's order, and repeated accounts
        -- side by side. With a repeated account the UPDATE matches nothing.
        WITH n AS MATERIALIZED (
            SELECT p.account_id, p.amount, p.account_id = lag(p.account_id) OVER (ORDER BY p.account_id) AS again
              FROM new_postings p
             ORDER BY p.account_id
        ), found AS (
            UPDATE ledger_accounts a SET balance = a.balance + n.amount
              FROM n
             WHERE a.id = n.account_id AND NOT EXISTS (SELECT 1 FROM n WHERE n.again)
            RETURNING a.asset, a.unit_id, a.spent_year, a.category, a.balance, n.amount AS total
        ), spent AS (
            SELECT f.unit_id, f.spent_year, f.category, sum(f.total) AS unused,
                   sum((f.balance > 0)::int - (f.balance - f.total > 0)::int) AS unused_accounts
              FROM found f
             WHERE f.spent_year IS NOT NULL
             GROUP BY f.unit_id, f.spent_year, f.category
        ), summed AS (
            INSERT INTO ledger_spending_sums AS s (unit_id, fiscal_year, category, approved, unused, unused_accounts)
            SELECT x.unit_id, x.spent_year, x.category, CASE WHEN approval THEN x.unused ELSE 0 END, x.unused, x.unused_accounts
              FROM spent x
             ORDER BY x.unit_id, x.spent_year, x.category
            ON CONFLICT (unit_id, fiscal_year, category) DO UPDATE
               SET approved = s.approved + EXCLUDED.approved, unused = s.unused + EXCLUDED.unused,
                   unused_accounts = s.unused_accounts + EXCLUDED.unused_accounts
        ), per_asset AS (
            SELECT f.asset, sum(f.total) AS total, count(*) AS accounts FROM found f GROUP BY f.asset
        )
        SELECT EXISTS (SELECT 1 FROM n WHERE n.again), COALESCE(sum(s.accounts), 0),
               (array_agg(s.asset ORDER BY s.asset) FILTER (WHERE s.total <> 0))[1]
          INTO repeated, updated, asset
          FROM per_asset s;
        IF NOT repeated THEN
            IF updated <> postings THEN
                SELECT p.account_id INTO bad
                  FROM new_postings p
                 WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = p.account_id)
                 LIMIT 1;
                RAISE EXCEPTION 'ledger postings name account %, which does not exist', bad
                    USING ERRCODE = '23503', CONSTRAINT = 'ledger_postings_account_id_fkey';
            END IF;
            IF asset IS NOT NULL THEN
                RAISE EXCEPTION 'ledger transaction % does not balance in %', first_tx, asset USING ERRCODE = '23514';
            END IF;
            RETURN NULL;
        END IF;
        -- An account with several postings: summed per account below.
    END IF;

    -- The general path: as 0023 made it.
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
    SELECT (SELECT count(*) FROM n), COALESCE(sum(s.accounts), 0),
           (array_agg(s.asset ORDER BY s.asset) FILTER (WHERE s.total <> 0))[1]
      INTO accounts, updated, asset
      FROM per_asset s;
    IF updated <> accounts THEN
        SELECT p.account_id INTO bad
          FROM new_postings p
         WHERE NOT EXISTS (SELECT 1 FROM ledger_accounts a WHERE a.id = p.account_id)
         LIMIT 1;
        RAISE EXCEPTION 'ledger postings name account %, which does not exist', bad
            USING ERRCODE = '23503', CONSTRAINT = 'ledger_postings_account_id_fkey';
    END IF;

    IF first_tx = last_tx THEN
        -- One transaction (it exists: checked above): its postings per
        -- asset are its accounts' sums.
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
