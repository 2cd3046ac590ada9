-- +goose Up
-- Commitments: school projects and their progress, units' pledges to fund
-- them, the expenditures units submit against their pledges with evidence
-- documents, and the tax office's review of each expenditure.

CREATE TABLE schools (
    id             BIGSERIAL PRIMARY KEY,
    name           TEXT NOT NULL CHECK (btrim(name) <> ''),
    kind           TEXT NOT NULL CHECK (kind IN ('school', 'educational_center')),
    county         TEXT NOT NULL CHECK (btrim(county) <> ''),
    address        TEXT,
    classrooms     INT CHECK (classrooms > 0),
    estimated_cost NUMERIC(20,2) CHECK (estimated_cost > 0),
    -- completed and handed_over follow the progress reports; the earlier
    -- stages may also be set by hand.
    status         TEXT NOT NULL DEFAULT 'planned'
                   CHECK (status IN ('planned', 'under_construction', 'equipping', 'completed', 'handed_over')),
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX schools_county ON schools (county, id);
CREATE INDEX schools_status ON schools (status, id);

-- The progress timeline of a school: append-only, in the order of
-- reported_on. A school's progress_percent is the percent of its last report.
CREATE TABLE school_progress (
    id          BIGSERIAL PRIMARY KEY,
    school_id   BIGINT NOT NULL REFERENCES schools (id),
    kind        TEXT NOT NULL CHECK (kind IN ('progress', 'inspection', 'handover')),
    milestone   TEXT NOT NULL CHECK (btrim(milestone) <> ''),
    percent     INT NOT NULL CHECK (percent BETWEEN 0 AND 100),
    reported_on DATE NOT NULL,
    note        TEXT,
    reported_by BIGINT REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    CHECK (kind <> 'handover' OR percent = 100)
);
CREATE INDEX school_progress_school ON school_progress (school_id, id);
CREATE TRIGGER school_progress_append_only BEFORE UPDATE OR DELETE ON school_progress
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER school_progress_no_truncate BEFORE TRUNCATE ON school_progress
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- A photo or document attached to a progress report.
CREATE TABLE school_progress_documents (
    id           BIGSERIAL PRIMARY KEY,
    progress_id  BIGINT NOT NULL REFERENCES school_progress (id),
    name         TEXT NOT NULL CHECK (btrim(name) <> ''),
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size         BIGINT NOT NULL CHECK (size > 0 AND size <= 10485760),
    sha256       BYTEA NOT NULL CHECK (length(sha256) = 32),
    content      BYTEA NOT NULL CHECK (length(content) = size),
    uploaded_by  BIGINT REFERENCES users (id),
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (progress_id, sha256)
);

-- A unit's pledge to fund a school. Its status is derived when read, never
-- stored. submitted_total is the running sum of the amounts of the pledge's
-- standing expenditures (submitted, approved or partially approved), kept in
-- the same statement as every change of them so that exceeds_pledge is exact
-- under concurrent submissions; `taahod verify` re-derives it. It is an
-- unbounded NUMERIC because many expenditures of up to 18 integer digits
-- may add up past NUMERIC(20,2).
CREATE TABLE pledges (
    id              BIGSERIAL PRIMARY KEY,
    unit_id         BIGINT NOT NULL REFERENCES units (id),
    school_id       BIGINT NOT NULL REFERENCES schools (id),
    amount          NUMERIC(20,2) NOT NULL CHECK (amount > 0),
    pledged_on      DATE NOT NULL,
    due_on          DATE CHECK (due_on >= pledged_on),
    -- The working group's resolution that recorded the pledge; the
    -- registry's migration adds the foreign key.
    resolution_id   BIGINT CHECK (resolution_id > 0),
    submitted_total NUMERIC NOT NULL DEFAULT 0 CHECK (submitted_total >= 0),
    cancelled_at    TIMESTAMPTZ,
    cancelled_by    BIGINT REFERENCES users (id),
    cancel_reason   TEXT,
    created_by      BIGINT REFERENCES users (id),
    created_at      TIMESTAMPTZ NOT NULL,
    -- The target of expenditures' composite key, which ties an
    -- expenditure's unit to its pledge's.
    UNIQUE (id, unit_id),
    CHECK ((cancelled_at IS NULL AND cancel_reason IS NULL)
        OR (cancelled_at IS NOT NULL AND btrim(cancel_reason) <> ''))
);
CREATE INDEX pledges_unit ON pledges (unit_id, id);
CREATE INDEX pledges_school ON pledges (school_id, id);
CREATE INDEX pledges_pledged_on ON pledges (pledged_on);

-- What a unit spent against a pledge. The invoice is unique per unit and
-- vendor among expenditures not withdrawn: vendor_key is "nid:" and the
-- vendor's national id when one is given, else "name:" and the normalised
-- vendor name; invoice_key is the normalised invoice number (see
-- ledger.InvoiceKey).
CREATE TABLE expenditures (
    id                 BIGSERIAL PRIMARY KEY,
    pledge_id          BIGINT NOT NULL REFERENCES pledges (id),
    unit_id            BIGINT NOT NULL,
    amount             NUMERIC(20,2) NOT NULL CHECK (amount > 0),
    spent_on           DATE NOT NULL,
    fiscal_year        INT NOT NULL CHECK (fiscal_year BETWEEN 1278 AND 1578),
    invoice_no         TEXT NOT NULL CHECK (btrim(invoice_no) <> ''),
    invoice_key        TEXT NOT NULL CHECK (invoice_key <> ''),
    vendor_name        TEXT NOT NULL CHECK (btrim(vendor_name) <> ''),
    vendor_national_id TEXT CHECK (vendor_national_id ~ '^[0-9]{10,11}$'),
    vendor_key         TEXT NOT NULL CHECK (vendor_key ~ '^(nid|name):.'),
    category           TEXT NOT NULL CHECK (category IN ('land', 'construction', 'equipment', 'design_supervision', 'other')),
    description        TEXT,
    status             TEXT NOT NULL DEFAULT 'submitted'
                       CHECK (status IN ('submitted', 'approved', 'partially_approved', 'rejected', 'withdrawn', 'reversed')),
    exceeds_pledge     BOOLEAN NOT NULL,
    approved_amount    NUMERIC(20,2) CHECK (approved_amount > 0 AND approved_amount <= amount),
    review_reason      TEXT,
    reviewed_by        BIGINT REFERENCES users (id),
    reviewed_at        TIMESTAMPTZ,
    -- An approval the tax office undid (ledger reversal) ends as reversed.
    reversed_at        TIMESTAMPTZ,
    reversed_by        BIGINT REFERENCES users (id),
    reversal_reason    TEXT,
    submitted_by       BIGINT NOT NULL REFERENCES users (id),
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (pledge_id, unit_id) REFERENCES pledges (id, unit_id),
    -- The review's outcome and the columns that record it go together.
    CHECK (CASE status
        WHEN 'approved'           THEN approved_amount = amount AND reviewed_at IS NOT NULL
        WHEN 'partially_approved' THEN approved_amount < amount AND reviewed_at IS NOT NULL AND btrim(review_reason) <> ''
        WHEN 'rejected'           THEN approved_amount IS NULL AND reviewed_at IS NOT NULL AND btrim(review_reason) <> ''
        WHEN 'reversed'           THEN approved_amount IS NOT NULL AND reviewed_at IS NOT NULL
                                       AND reversed_at IS NOT NULL AND btrim(reversal_reason) <> ''
        ELSE approved_amount IS NULL AND reviewed_at IS NULL AND reviewed_by IS NULL
    END),
    CHECK ((status = 'reversed') = (reversed_at IS NOT NULL))
);
-- Withdrawn and reversed expenditures free their invoice number.
CREATE UNIQUE INDEX expenditures_invoice ON expenditures (unit_id, vendor_key, invoice_key)
    WHERE status NOT IN ('withdrawn', 'reversed');
CREATE INDEX expenditures_pledge ON expenditures (pledge_id, id);
CREATE INDEX expenditures_unit ON expenditures (unit_id, id);
CREATE INDEX expenditures_fiscal_year ON expenditures (fiscal_year, id);
CREATE INDEX expenditures_submitted ON expenditures (id) WHERE status = 'submitted';

-- Evidence of an expenditure: the file itself, kept in the database.
CREATE TABLE expenditure_documents (
    id             BIGSERIAL PRIMARY KEY,
    expenditure_id BIGINT NOT NULL REFERENCES expenditures (id),
    name           TEXT NOT NULL CHECK (btrim(name) <> ''),
    content_type   TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size           BIGINT NOT NULL CHECK (size > 0 AND size <= 10485760),
    sha256         BYTEA NOT NULL CHECK (length(sha256) = 32),
    content        BYTEA NOT NULL CHECK (length(content) = size),
    uploaded_by    BIGINT REFERENCES users (id),
    created_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (expenditure_id, sha256)
);
