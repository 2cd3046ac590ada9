-- +goose Up
-- A run's postings cost less to check, with the same guarantees (0012 says
-- what they are). An offset run that uses 10,000 expenditures updates the
-- balances of 10,003 accounts in one statement:
--
-- * The guard that an account's id and asset never change was a BEFORE
--   UPDATE row trigger. Even limited to UPDATE OF id, asset, a BEFORE row
--   trigger makes PostgreSQL lock each row it updates before it looks at the
--   trigger's columns: a tuple lock and a WAL record per account, half the
--   WAL of the balances' UPDATE, for a check that never fires. As an AFTER
--   row trigger with the same column list and WHEN, it is decided when the
--   row is written, from the row versions the foreign keys' own AFTER
--   triggers fetch anyway; a change of id or asset is refused all the same,
--   at the end of its statement, which then writes nothing.
--
-- * ledger_apply_postings checks what it checked, by passes over the
--   accounts it updated rather than over the postings again. The
--   balances' UPDATE returns each account with the sum of its postings and
--   the range of their transactions; an account it did not find is one the
--   count of them misses. When the statement's postings are all of one
--   transaction (the store writes one transaction a statement, so always in
--   practice) that transaction is checked by one probe, and its balance per
--   asset is the sum, per asset, of its accounts' sums: no join of the
--   postings with their accounts, no anti-join. Postings of several
--   transactions in one statement are checked per transaction, as before.
DROP TRIGGER ledger_accounts_fixed ON ledger_accounts;
CREATE TRIGGER ledger_accounts_fixed AFTER UPDATE OF id, asset ON ledger_accounts
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.asset IS DISTINCT FROM NEW.asset)
    EXECUTE FUNCTION refuse_change();

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
    -- and counts the accounts it found.
    WITH n AS (
        SELECT account_id, sum(amount) AS total, min(transaction_id) AS first_tx, max(transaction_id) AS last_tx
          FROM new_postings GROUP BY account_id ORDER BY account_id
    ), found AS (
        UPDATE ledger_accounts a SET balance = a.balance + n.total
          FROM n
         WHERE a.id = n.account_id
        RETURNING a.asset, n.total, n.first_tx, n.last_tx
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
