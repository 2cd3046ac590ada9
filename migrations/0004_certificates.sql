-- +goose Up
-- Certificates (گواهی) issued to the tax administration: gapless serials per
-- province and year, the signed payloads, the PDF itself with what it printed,
-- and the status that a revocation or a newer certificate changes. Nothing
-- else of a certificate ever changes.

-- The last serial number taken per province and fiscal year. The issuing
-- transaction takes the next number by updating the row, which holds the row
-- lock until it commits; a failed issue rolls the number back with it.
CREATE TABLE certificate_counters (
    province    TEXT NOT NULL CHECK (province ~ '^[A-Z]{2,8}$'),
    fiscal_year INT NOT NULL CHECK (fiscal_year BETWEEN 1300 AND 1500),
    last_seq    INT NOT NULL CHECK (last_seq BETWEEN 1 AND 999999),
    PRIMARY KEY (province, fiscal_year)
);

CREATE TABLE certificates (
    id              BIGSERIAL PRIMARY KEY,
    serial          TEXT NOT NULL UNIQUE CHECK (serial ~ '^[A-Z]{2,8}-[0-9]{4}-[0-9]{6}$'),
    province        TEXT NOT NULL,
    seq             INT NOT NULL CHECK (seq BETWEEN 1 AND 999999),
    unit_id         BIGINT NOT NULL REFERENCES units (id),
    fiscal_year     INT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('valid', 'revoked', 'superseded')),
    tax_due         NUMERIC(20,2) NOT NULL CHECK (tax_due >= 0),
    spending_used   NUMERIC(20,2) NOT NULL CHECK (spending_used >= 0),
    offset_amount   NUMERIC(20,2) NOT NULL CHECK (offset_amount > 0 AND offset_amount <= tax_due),
    issued_on       DATE NOT NULL,
    issued_at       TIMESTAMPTZ NOT NULL,
    issued_by       BIGINT REFERENCES users (id),
    -- What the certificate printed (reports.Certificate as issued), so that
    -- an annulled copy renders the same page with its watermark, whatever
    -- became of the unit's name or the policy's text since.
    content         JSONB NOT NULL,
    facts_payload   TEXT NOT NULL,
    facts_signature TEXT NOT NULL,
    payload         TEXT NOT NULL,
    signature       TEXT NOT NULL,
    pdf             BYTEA NOT NULL,
    pdf_sha256      BYTEA NOT NULL CHECK (length(pdf_sha256) = 32 AND pdf_sha256 = sha256(pdf)),
    supersedes      BIGINT UNIQUE REFERENCES certificates (id),
    -- Deferred: issuing marks the old certificate superseded by the new one
    -- before the new row exists, for at most one valid per unit-year holds
    -- at every statement.
    superseded_by   BIGINT UNIQUE REFERENCES certificates (id) DEFERRABLE INITIALLY DEFERRED,
    status_at       TIMESTAMPTZ,
    status_by       BIGINT REFERENCES users (id),
    status_reason   TEXT,
    UNIQUE (province, fiscal_year, seq),
    FOREIGN KEY (province, fiscal_year) REFERENCES certificate_counters (province, fiscal_year),
    CHECK (serial = province || '-' || fiscal_year::text || '-' || lpad(seq::text, 6, '0')),
    CHECK (supersedes IS NULL OR supersedes <> id),
    CHECK (CASE status
        WHEN 'valid'      THEN status_at IS NULL AND status_reason IS NULL AND superseded_by IS NULL
        WHEN 'revoked'    THEN status_at IS NOT NULL AND btrim(status_reason) <> '' AND superseded_by IS NULL
        WHEN 'superseded' THEN status_at IS NOT NULL AND btrim(status_reason) <> '' AND superseded_by IS NOT NULL
    END)
);
-- At most one valid certificate per unit and year.
CREATE UNIQUE INDEX certificates_valid ON certificates (unit_id, fiscal_year) WHERE status = 'valid';
CREATE INDEX certificates_unit ON certificates (unit_id, fiscal_year, id);
CREATE INDEX certificates_year ON certificates (fiscal_year, id);

-- A certificate is never edited: only a valid one may become revoked (with
-- its reason) or superseded (naming its successor), and nothing else of it
-- may change. It is never deleted.
-- +goose StatementBegin
CREATE FUNCTION certificates_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'certificates are never deleted' USING ERRCODE = '55000';
    END IF;
    IF OLD.status <> 'valid' OR NEW.status = 'valid'
       OR (NEW.id, NEW.serial, NEW.province, NEW.seq, NEW.unit_id, NEW.fiscal_year, NEW.tax_due,
           NEW.spending_used, NEW.offset_amount, NEW.issued_on, NEW.issued_at, NEW.issued_by,
           NEW.facts_payload, NEW.facts_signature, NEW.payload, NEW.signature, NEW.pdf_sha256, NEW.supersedes)
          IS DISTINCT FROM
          (OLD.id, OLD.serial, OLD.province, OLD.seq, OLD.unit_id, OLD.fiscal_year, OLD.tax_due,
           OLD.spending_used, OLD.offset_amount, OLD.issued_on, OLD.issued_at, OLD.issued_by,
           OLD.facts_payload, OLD.facts_signature, OLD.payload, OLD.signature, OLD.pdf_sha256, OLD.supersedes)
       OR NEW.pdf IS DISTINCT FROM OLD.pdf OR NEW.content IS DISTINCT FROM OLD.content THEN
        RAISE EXCEPTION 'certificate % may only go from valid to revoked or superseded', OLD.serial USING ERRCODE = '55000';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER certificates_never_edited BEFORE UPDATE OR DELETE ON certificates
    FOR EACH ROW EXECUTE FUNCTION certificates_guard();
CREATE TRIGGER certificates_no_truncate BEFORE TRUNCATE ON certificates
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Serials are gapless: a counter only ever moves on by one, is never
-- removed, and (checked at commit) every number it reached belongs to a
-- certificate of the same transaction. A transaction that took a number and
-- failed to keep it rolls back rather than leave a gap.
-- +goose StatementBegin
CREATE FUNCTION certificate_counters_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'certificate counters are never removed' USING ERRCODE = '55000';
    END IF;
    IF TG_OP = 'INSERT' AND NEW.last_seq <> 1
       OR TG_OP = 'UPDATE' AND ((NEW.province, NEW.fiscal_year) IS DISTINCT FROM (OLD.province, OLD.fiscal_year)
                                OR NEW.last_seq <> OLD.last_seq + 1) THEN
        RAISE EXCEPTION 'certificate counter %-% may only move on by one', NEW.province, NEW.fiscal_year USING ERRCODE = '55000';
    END IF;
    RETURN NEW;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER certificate_counters_step BEFORE INSERT OR UPDATE OR DELETE ON certificate_counters
    FOR EACH ROW EXECUTE FUNCTION certificate_counters_guard();
CREATE TRIGGER certificate_counters_no_truncate BEFORE TRUNCATE ON certificate_counters
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- +goose StatementBegin
CREATE FUNCTION certificate_counters_used() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM certificates
                    WHERE province = NEW.province AND fiscal_year = NEW.fiscal_year AND seq = NEW.last_seq) THEN
        RAISE EXCEPTION 'serial %-%-% was taken but no certificate has it', NEW.province, NEW.fiscal_year, lpad(NEW.last_seq::text, 6, '0');
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER certificate_counters_no_gap AFTER INSERT OR UPDATE ON certificate_counters
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION certificate_counters_used();
