-- +goose Up
-- A statement of postings no longer counts its distinct accounts before it
-- applies them (issue 13, item 5), with the same guarantees (0012 says what
-- they are). 0027 counted them to choose a path: each account named once
-- (every statement the store writes) takes the fast path, which applies
-- each posting as its account's change; otherwise the general path sums
-- them by account first. That count sorted the statement's postings a
-- second time (the balances' UPDATE sorts them by account too): 2.5 ms of
-- a run's 10,003.
--
-- Now a statement of one transaction always tries the fast path, in a
-- block of its own (a subtransaction). Its UPDATE changes each account
-- named at most once, and counts the accounts it changed: when that count
-- is the statement's postings, each account was named once and found, and
-- the checks are 0027's. When it is fewer, an account was named twice (the
-- UPDATE took one of its postings and left the others) or does not exist:
-- the block raises its own error, TH001, which undoes everything it did
-- (balances and spending sums), and the statement takes the general path,
-- unchanged, which applies the postings summed by account or names the
-- missing one. A balance the block's UPDATE took below zero is undone the
-- same way: with an account named twice it may be one of its postings
-- without the others (-5 then +5), which the general path accepts; and when
-- it is not, the general path refuses the statement as 0027 did, with the
-- same error. With the subtransaction and without the count, a run that
-- uses 10,000 expenditures took 95–101 ms (BenchmarkRunOffset, three sets)
-- where it took 99–114 ms with the count.
--
-- The fast path's RETURNING is also cheaper, for the same sums: an
-- account's asset is 'spending' or 'tax' (its CHECK), so the accounts are
-- grouped by whether it is 'tax', a boolean, not by the text; and whether
-- an account's balance was positive before the change is whether it is
-- now above the change (b - x > 0 is b > x), with no NUMERIC subtraction
-- for each. Measured alone over 10,003 accounts, the UPDATE with its
-- RETURNING and grouping took 26 ms rather than 29 (20.5 without them).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_apply_postings() RETURNS trigger LANGUAGE plpgsql
    SET enable_hashjoin = off SET enable_mergejoin = off AS $$
DECLARE
    postings   BIGINT;
    accounts   BIGINT;
    updated    BIGINT;
    first_tx   BIGINT;
    last_tx    BIGINT;
    bad        BIGINT;
    asset      TEXT;
    approval   BOOLEAN;
BEGIN
    SELECT count(*), min(transaction_id), max(transaction_id)
      INTO postings, first_tx, last_tx
      FROM new_postings;
    IF postings = 0 THEN
        RETURN NULL; -- a statement that wrote no postings
    END IF;

    IF first_tx = last_tx THEN
        SELECT t.expenditure_id IS NOT NULL INTO approval FROM ledger_transactions t WHERE t.id = first_tx;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'ledger postings name transaction %, which does not exist', first_tx
                USING ERRCODE = '23503', CONSTRAINT = 'ledger_postings_transaction_id_fkey';
        END IF;
        -- Each account named once and found (updated = postings), or
        -- undone and left to the general path.
        BEGIN
            WITH found AS (
                UPDATE ledger_accounts a SET balance = a.balance + n.amount
                  FROM (SELECT p.account_id, p.amount FROM new_postings p ORDER BY p.account_id) n
                 WHERE a.id = n.account_id
                RETURNING a.asset = 'tax' AS tax, a.unit_id, a.spent_year, a.category, n.amount AS total,
                          (a.balance > 0)::int - (a.balance > n.amount)::int AS unused_accounts
            ), grouped AS (
                SELECT f.tax, f.unit_id, f.spent_year, f.category, sum(f.total) AS total,
                       sum(f.unused_accounts) AS unused_accounts, count(*) AS accounts
                  FROM found f
                 GROUP BY f.tax, f.unit_id, f.spent_year, f.category
            ), summed AS (
                INSERT INTO ledger_spending_sums AS s (unit_id, fiscal_year, category, approved, unused, unused_accounts)
                SELECT x.unit_id, x.spent_year, x.category, CASE WHEN approval THEN sum(x.total) ELSE 0 END, sum(x.total),
                       sum(x.unused_accounts)
                  FROM grouped x
                 WHERE x.spent_year IS NOT NULL
                 GROUP BY x.unit_id, x.spent_year, x.category
                 ORDER BY x.unit_id, x.spent_year, x.category
                ON CONFLICT (unit_id, fiscal_year, category) DO UPDATE
                   SET approved = s.approved + EXCLUDED.approved, unused = s.unused + EXCLUDED.unused,
                       unused_accounts = s.unused_accounts + EXCLUDED.unused_accounts
            ), per_asset AS (
                SELECT CASE WHEN g.tax THEN 'tax' ELSE 'spending' END AS asset, sum(g.total) AS total,
                       sum(g.accounts) AS accounts
                  FROM grouped g GROUP BY g.tax
            )
            SELECT COALESCE(sum(s.accounts), 0), (array_agg(s.asset ORDER BY s.asset) FILTER (WHERE s.total <> 0))[1]
              INTO updated, asset
              FROM per_asset s;
            IF updated <> postings THEN
                RAISE EXCEPTION 'ledger postings: not one posting per account' USING ERRCODE = 'TH001';
            END IF;
        EXCEPTION WHEN SQLSTATE 'TH001' OR check_violation THEN
            -- An account named twice or not found, or a balance the
            -- UPDATE took below zero (perhaps by one of an account's
            -- postings without the others): undone, for the general path
            -- to apply or refuse, with its own error.
            updated := NULL;
        END;
        IF updated = postings THEN
            IF asset IS NOT NULL THEN
                RAISE EXCEPTION 'ledger transaction % does not balance in %', first_tx, asset USING ERRCODE = '23514';
            END IF;
            RETURN NULL;
        END IF;
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
