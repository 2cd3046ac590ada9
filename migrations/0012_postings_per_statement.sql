-- +goose Up
-- Postings are checked per statement, not per row. An offset run that uses
-- 10,000 expenditures writes 10,003 postings in one statement; the two
-- foreign keys of ledger_postings fired a row trigger each per posting (a
-- query and a row lock per posting and key: 20,006 of them), and the
-- deferred check joined the transaction's postings with their accounts once
-- more at commit. One statement-level trigger, over the statement's postings
-- as a transition table, now does all of it by sets, with guarantees at
-- least as strong:
--
-- * every posting names a transaction that exists (ledger_transactions are
--   never updated, deleted or truncated, so once true it stays true);
-- * every posting names an account that exists: the balances' UPDATE must
--   find each one, and keeps it locked to the end of the transaction; an
--   account can no longer be deleted, truncated or renumbered (below), as
--   the foreign key prevented while it had postings;
-- * each statement's postings balance per transaction and asset: stronger
--   than the check at commit it replaces, which let postings added to an
--   earlier transaction by a later one go unchecked (the store writes all of
--   a transaction's postings in one statement). The check at commit stays
--   for what only it can see: a transaction left with no postings.
--
-- Balances follow the postings as before; `taahod verify` still re-derives
-- them, checks every transaction balances, and now names postings of no
-- transaction.
ALTER TABLE ledger_postings DROP CONSTRAINT ledger_postings_transaction_id_fkey;
ALTER TABLE ledger_postings DROP CONSTRAINT ledger_postings_account_id_fkey;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_apply_postings() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    orphan        BIGINT;
    missing       BIGINT;
    unbalanced    BIGINT;
    asset         TEXT;
BEGIN
    SELECT n.transaction_id INTO orphan
      FROM (SELECT DISTINCT transaction_id FROM new_postings) n
     WHERE NOT EXISTS (SELECT 1 FROM ledger_transactions t WHERE t.id = n.transaction_id)
     LIMIT 1;
    IF orphan IS NOT NULL THEN
        RAISE EXCEPTION 'ledger postings name transaction %, which does not exist', orphan
            USING ERRCODE = '23503', CONSTRAINT = 'ledger_postings_transaction_id_fkey';
    END IF;

    -- One UPDATE per statement; it returns each account it found, with its
    -- asset, for the two checks after it. The accounts are updated in the
    -- order of their ids, which is mostly the order of their rows: a run's
    -- 10,000 updates then take about half the time they take in the
    -- aggregate's (hashed) order.
    WITH n AS (
        SELECT account_id, sum(amount) AS total FROM new_postings GROUP BY account_id ORDER BY account_id
    ), found AS (
        UPDATE ledger_accounts a SET balance = a.balance + n.total
          FROM n
         WHERE a.id = n.account_id
        RETURNING a.id, a.asset
    ), off AS (
        SELECT p.transaction_id, f.asset
          FROM new_postings p JOIN found f ON f.id = p.account_id
         GROUP BY p.transaction_id, f.asset
        HAVING sum(p.amount) <> 0
         LIMIT 1
    )
    SELECT (SELECT n.account_id FROM n WHERE NOT EXISTS (SELECT 1 FROM found f WHERE f.id = n.account_id) LIMIT 1),
           (SELECT transaction_id FROM off), (SELECT off.asset FROM off)
      INTO missing, unbalanced, asset;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'ledger postings name account %, which does not exist', missing
            USING ERRCODE = '23503', CONSTRAINT = 'ledger_postings_account_id_fkey';
    END IF;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not balance in %', unbalanced, asset USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- At commit: every transaction has postings (their balance is checked as
-- they are written, above). One index probe, however many postings.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ledger_postings WHERE transaction_id = NEW.id) THEN
        RAISE EXCEPTION 'ledger transaction % has no postings', NEW.id USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- What the foreign key from postings guarded on accounts: an account is
-- never deleted or truncated, and its id and asset never change (a
-- posting's asset is its account's). Other columns stay writable (the
-- balance is the trigger's to keep). UPDATE OF fires only for statements
-- that set those columns, so the balances' UPDATE pays nothing for it.
CREATE TRIGGER ledger_accounts_kept BEFORE DELETE ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_accounts_fixed BEFORE UPDATE OF id, asset ON ledger_accounts
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.asset IS DISTINCT FROM NEW.asset)
    EXECUTE FUNCTION refuse_change();
