-- +goose Up
-- The Article 172 ledger: offset policies per fiscal year, units' tax years
-- and their assessment history, and an append-only double-entry ledger of
-- accounts, transactions and postings.

CREATE TABLE offset_policies (
    fiscal_year         INT PRIMARY KEY CHECK (fiscal_year BETWEEN 1300 AND 1500),
    mode                TEXT NOT NULL CHECK (mode IN ('deduction', 'credit')),
    rate                NUMERIC(12,8) NOT NULL CHECK (rate BETWEEN 0 AND 1),
    tax_rate            NUMERIC(12,8) CHECK (tax_rate BETWEEN 0 AND 1),
    deduction_cap_rate  NUMERIC(12,8) NOT NULL CHECK (deduction_cap_rate BETWEEN 0 AND 1),
    cap_amount          NUMERIC(20,2) CHECK (cap_amount > 0),
    carry_forward_years INT NOT NULL CHECK (carry_forward_years BETWEEN 0 AND 10),
    rounding_unit       NUMERIC(20,2) NOT NULL CHECK (rounding_unit > 0),
    rounding            TEXT NOT NULL CHECK (rounding IN ('down', 'half_even')),
    eligible_categories TEXT[] NOT NULL
                        CHECK (eligible_categories <@ ARRAY['land', 'construction', 'equipment', 'design_supervision', 'other']),
    legal_basis         TEXT NOT NULL CHECK (btrim(legal_basis) <> ''),
    updated_at          TIMESTAMPTZ NOT NULL,
    updated_by          BIGINT REFERENCES users (id),
    CHECK (mode <> 'deduction' OR tax_rate IS NOT NULL)
);

-- A unit's tax for a fiscal year, as last assessed. What has been offset and
-- what spending has been used are the balances of the year's ledger
-- accounts; the "due" account may not go below zero, which keeps the offsets
-- of a unit-year within its tax due whatever the application does. run_at is
-- the last offset run; a reversal that undoes the year's offsets clears it,
-- and a year counts for carry-forward only while it is set.
CREATE TABLE tax_years (
    unit_id        BIGINT NOT NULL REFERENCES units (id),
    fiscal_year    INT NOT NULL CHECK (fiscal_year BETWEEN 1300 AND 1500),
    tax_due        NUMERIC(20,2) NOT NULL CHECK (tax_due >= 0),
    taxable_income NUMERIC(20,2) CHECK (taxable_income >= 0),
    income_source  TEXT,
    run_at         TIMESTAMPTZ,
    run_by         BIGINT REFERENCES users (id),
    updated_at     TIMESTAMPTZ NOT NULL,
    updated_by     BIGINT REFERENCES users (id),
    PRIMARY KEY (unit_id, fiscal_year)
);

-- Every assessment of a tax year as it was recorded: the history.
CREATE TABLE tax_year_assessments (
    id             BIGSERIAL PRIMARY KEY,
    unit_id        BIGINT NOT NULL,
    fiscal_year    INT NOT NULL,
    tax_due        NUMERIC(20,2) NOT NULL CHECK (tax_due >= 0),
    taxable_income NUMERIC(20,2),
    income_source  TEXT,
    recorded_at    TIMESTAMPTZ NOT NULL,
    recorded_by    BIGINT REFERENCES users (id),
    FOREIGN KEY (unit_id, fiscal_year) REFERENCES tax_years (unit_id, fiscal_year)
);
CREATE INDEX tax_year_assessments_year ON tax_year_assessments (unit_id, fiscal_year, id);
CREATE TRIGGER tax_year_assessments_append_only BEFORE UPDATE OR DELETE ON tax_year_assessments
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER tax_year_assessments_no_truncate BEFORE TRUNCATE ON tax_year_assessments
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Accounts. Each holds one asset: "spending" (Rials of approved school
-- spending) or "tax" (Rials of tax); a transaction balances per asset. A
-- unit has, for spending: contributions (the source, negative), one account
-- per approved expenditure (its unused part) and one per year of spending
-- used by that year's offsets; for tax, per year: assessed (the source,
-- negative), due (what is left to pay) and offset. balance is a cache kept
-- by a trigger on postings; `taahod verify` re-derives it. Balances and
-- postings are NUMERIC(40,2), not the (20,2) of one amount: a unit's
-- contributions add up every approval it had, and a run's use of spending
-- adds up many expenditures, each of up to 18 integer digits.
CREATE TABLE ledger_accounts (
    id               BIGSERIAL PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    asset            TEXT NOT NULL CHECK (asset IN ('spending', 'tax')),
    unit_id          BIGINT NOT NULL REFERENCES units (id),
    fiscal_year      INT,
    expenditure_id   BIGINT REFERENCES expenditures (id),
    may_go_negative  BOOLEAN NOT NULL,
    balance          NUMERIC(40,2) NOT NULL DEFAULT 0,
    CHECK (may_go_negative OR balance >= 0)
)
-- Every posting updates its account's balance. No index covers balance (nor
-- names it in a predicate) and pages keep room, so that those updates are
-- HOT: a run that uses 10,000 expenditures updates 10,000 rows without
-- touching an index.
WITH (fillfactor = 50);
CREATE INDEX ledger_accounts_unit ON ledger_accounts (unit_id);
CREATE UNIQUE INDEX ledger_accounts_expenditure ON ledger_accounts (expenditure_id) WHERE expenditure_id IS NOT NULL;

CREATE TABLE ledger_transactions (
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('approval', 'assessment', 'offset', 'reversal')),
    unit_id          BIGINT NOT NULL REFERENCES units (id),
    fiscal_year      INT,
    expenditure_id   BIGINT REFERENCES expenditures (id),
    -- A reversing transaction names the one it reverses; each is reversed
    -- at most once.
    reverses         BIGINT UNIQUE REFERENCES ledger_transactions (id),
    memo             TEXT NOT NULL,
    -- SHA-256 of the transaction's postings in canonical form, so that a
    -- posting changed behind the application's back is found even when the
    -- books still balance.
    postings_sha256  BYTEA NOT NULL CHECK (length(postings_sha256) = 32),
    created_at       TIMESTAMPTZ NOT NULL,
    created_by       BIGINT REFERENCES users (id),
    CHECK ((kind = 'reversal') = (reverses IS NOT NULL))
);
CREATE INDEX ledger_transactions_unit_year ON ledger_transactions (unit_id, fiscal_year, kind);
CREATE INDEX ledger_transactions_expenditure ON ledger_transactions (expenditure_id) WHERE expenditure_id IS NOT NULL;

CREATE TABLE ledger_postings (
    id             BIGSERIAL PRIMARY KEY,
    transaction_id BIGINT NOT NULL REFERENCES ledger_transactions (id),
    account_id     BIGINT NOT NULL REFERENCES ledger_accounts (id),
    amount         NUMERIC(40,2) NOT NULL CHECK (amount <> 0)
);
CREATE INDEX ledger_postings_transaction ON ledger_postings (transaction_id, id);
CREATE INDEX ledger_postings_account ON ledger_postings (account_id);

CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_postings_append_only BEFORE UPDATE OR DELETE ON ledger_postings
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER ledger_postings_no_truncate BEFORE TRUNCATE ON ledger_postings
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Balances follow the postings, one UPDATE per statement of postings.
-- +goose StatementBegin
CREATE FUNCTION ledger_apply_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE ledger_accounts a SET balance = a.balance + n.total
      FROM (SELECT account_id, sum(amount) AS total FROM new_postings GROUP BY account_id) n
     WHERE a.id = n.account_id;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_postings_balances AFTER INSERT ON ledger_postings
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_apply_postings();

-- Every transaction balances per asset, checked when the database
-- transaction commits (its postings are inserted after it).
-- +goose StatementBegin
CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    off TEXT;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ledger_postings WHERE transaction_id = NEW.id) THEN
        RAISE EXCEPTION 'ledger transaction % has no postings', NEW.id USING ERRCODE = '23514';
    END IF;
    SELECT a.asset INTO off
      FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id
     WHERE p.transaction_id = NEW.id
     GROUP BY a.asset HAVING sum(p.amount) <> 0
     LIMIT 1;
    IF off IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not balance in %', NEW.id, off USING ERRCODE = '23514';
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();
