-- +goose Up
-- Certificates (گواهی) issued to the tax administration: gapless serials per
-- province and year, the signed payloads, the PDF itself, and the status that
-- a revocation or a newer certificate changes. Nothing else of a certificate
-- ever changes.

-- The last serial number taken per province and fiscal year. The issuing
-- transaction locks the row and takes the next number, so that a failed
-- issue leaves no gap.
CREATE TABLE certificate_counters (
    province    TEXT NOT NULL CHECK (province ~ '^[A-Z]{2,8}$'),
    fiscal_year INT NOT NULL CHECK (fiscal_year BETWEEN 1300 AND 1500),
    last_seq    INT NOT NULL CHECK (last_seq BETWEEN 0 AND 999999),
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
    facts_payload   TEXT NOT NULL,
    facts_signature TEXT NOT NULL,
    payload         TEXT NOT NULL,
    signature       TEXT NOT NULL,
    pdf             BYTEA NOT NULL,
    pdf_sha256      BYTEA NOT NULL CHECK (length(pdf_sha256) = 32),
    supersedes      BIGINT UNIQUE REFERENCES certificates (id),
    superseded_by   BIGINT UNIQUE REFERENCES certificates (id),
    revoked_at      TIMESTAMPTZ,
    revoked_by      BIGINT REFERENCES users (id),
    revoke_reason   TEXT,
    UNIQUE (province, fiscal_year, seq),
    FOREIGN KEY (province, fiscal_year) REFERENCES certificate_counters (province, fiscal_year),
    CHECK (CASE status
        WHEN 'valid'      THEN revoked_at IS NULL AND superseded_by IS NULL
        WHEN 'revoked'    THEN revoked_at IS NOT NULL AND btrim(revoke_reason) <> ''
        WHEN 'superseded' THEN superseded_by IS NOT NULL
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
       OR NEW.pdf IS DISTINCT FROM OLD.pdf THEN
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
