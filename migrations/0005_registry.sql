-- +goose Up
-- The working group's registry: executive agencies, sessions, resolutions
-- with their status history, cases, and revivals of stagnant units.
--
-- The yearly figures count these rows by their own dates (held_on,
-- adopted_on, opened_on, revived_on); the indexes below are chosen for them.

-- The catalogue of executive agencies (دستگاه‌های اجرایی). Names are kept
-- normalised (trimmed, single spaces, Persian ی and ک), so that «اداره كل»
-- and «اداره کل» are one agency; the application normalises, the checks
-- refuse anything it missed.
CREATE TABLE agencies (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE
               CHECK (name <> '' AND name = btrim(name) AND name !~ '\s\s' AND name !~ '[يكى]'),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE sessions (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('formal', 'field', 'site_visit')),
    held_on    DATE NOT NULL,
    county     TEXT CHECK (btrim(county) <> ''),
    title      TEXT,
    chair      TEXT,
    minutes    TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    -- A field session is held in one of the province's counties; the
    -- contract leaves the county optional, so it is not enforced here.
    -- The target of resolutions' copy of their session's kind and date.
    CONSTRAINT sessions_id_kind_held_on UNIQUE (id, kind, held_on)
);
CREATE INDEX sessions_held_on ON sessions (held_on, kind);

CREATE TABLE session_attendees (
    session_id BIGINT NOT NULL REFERENCES sessions (id),
    agency_id  BIGINT NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (session_id, agency_id)
);

-- A resolution (مصوبه) counts in the fiscal year of adopted_on: its session's
-- date, or for a resolution outside any session, the date it was adopted.
-- session_kind and adopted_on copy the session's kind and held_on; the
-- composite foreign key keeps the copies equal (ON UPDATE CASCADE follows a
-- corrected session), so the yearly figures read one table through one index.
--
-- status is the latest entry of resolution_status_changes (by changed_on,
-- then id), or 'notified' when there is none; the trigger below keeps it.
CREATE TABLE resolutions (
    id                BIGSERIAL PRIMARY KEY,
    session_id        BIGINT,
    session_kind      TEXT,
    adopted_on        DATE NOT NULL,
    unit_id           BIGINT REFERENCES units (id),
    text              TEXT NOT NULL CHECK (btrim(text) <> ''),
    category          TEXT NOT NULL CHECK (category IN ('banking', 'tax', 'social_security', 'customs', 'gas',
                                                        'electricity', 'water', 'land', 'permits', 'other')),
    deadline          DATE CHECK (deadline >= adopted_on),
    confidential      BOOLEAN NOT NULL DEFAULT FALSE,
    status            TEXT NOT NULL DEFAULT 'notified'
                      CHECK (status IN ('notified', 'implemented', 'in_follow_up', 'not_implemented', 'cancelled')),
    status_changed_on DATE,
    created_by_id     BIGINT REFERENCES users (id),
    created_by        TEXT NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    CONSTRAINT resolutions_session_kind CHECK ((session_id IS NULL) = (session_kind IS NULL)),
    CONSTRAINT resolutions_status_changed_on CHECK ((status = 'notified') = (status_changed_on IS NULL)),
    CONSTRAINT resolutions_session FOREIGN KEY (session_id, session_kind, adopted_on)
        REFERENCES sessions (id, kind, held_on) ON UPDATE CASCADE
);
-- The yearly figures: an index-only scan of the year's range.
CREATE INDEX resolutions_adopted_on ON resolutions (adopted_on) INCLUDE (status, unit_id, session_kind);
CREATE INDEX resolutions_session ON resolutions (session_id, id);
CREATE INDEX resolutions_unit ON resolutions (unit_id, id);
-- The overdue list: only resolutions still open have a deadline that matters.
CREATE INDEX resolutions_open_deadline ON resolutions (deadline)
    WHERE status NOT IN ('implemented', 'cancelled') AND deadline IS NOT NULL;

CREATE TABLE resolution_agencies (
    resolution_id BIGINT NOT NULL REFERENCES resolutions (id),
    agency_id     BIGINT NOT NULL REFERENCES agencies (id),
    PRIMARY KEY (resolution_id, agency_id)
);
CREATE INDEX resolution_agencies_agency ON resolution_agencies (agency_id, resolution_id);

-- The status history, append-only. A resolution starts notified (that state
-- is the resolution row itself, dated adopted_on); each entry here is a later
-- change, dated by changed_on, with who recorded it.
CREATE TABLE resolution_status_changes (
    id            BIGSERIAL PRIMARY KEY,
    resolution_id BIGINT NOT NULL REFERENCES resolutions (id),
    status        TEXT NOT NULL CHECK (status IN ('implemented', 'in_follow_up', 'not_implemented', 'cancelled')),
    changed_on    DATE NOT NULL,
    note          TEXT,
    actor_id      BIGINT REFERENCES users (id),
    actor_name    TEXT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX resolution_status_changes_latest ON resolution_status_changes (resolution_id, changed_on DESC, id DESC);
CREATE TRIGGER resolution_status_changes_append_only BEFORE UPDATE OR DELETE ON resolution_status_changes
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER resolution_status_changes_no_truncate BEFORE TRUNCATE ON resolution_status_changes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- resolution_status_follow sets each touched resolution's status to its
-- latest change, once per statement, so that a bulk import updates each
-- resolution once. It refuses a change dated before its resolution was
-- adopted. Writers lock the resolution row before inserting a change, so the
-- statement below sees every change committed before it.
-- +goose StatementBegin
CREATE FUNCTION resolution_status_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_changes c JOIN resolutions r ON r.id = c.resolution_id
                WHERE c.changed_on < r.adopted_on) THEN
        RAISE EXCEPTION 'a status change is dated before its resolution was adopted'
            USING ERRCODE = '23514', CONSTRAINT = 'resolution_status_changes_after_adoption';
    END IF;
    UPDATE resolutions r
       SET status = l.status, status_changed_on = l.changed_on
      FROM (SELECT DISTINCT ON (c.resolution_id) c.resolution_id, c.status, c.changed_on
              FROM resolution_status_changes c
             WHERE c.resolution_id IN (SELECT resolution_id FROM new_changes)
             ORDER BY c.resolution_id, c.changed_on DESC, c.id DESC) l
     WHERE r.id = l.resolution_id
       AND (r.status, r.status_changed_on) IS DISTINCT FROM (l.status, l.changed_on);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER resolution_status_changes_follow AFTER INSERT ON resolution_status_changes
    REFERENCING NEW TABLE AS new_changes
    FOR EACH STATEMENT EXECUTE FUNCTION resolution_status_follow();

-- A case (پرونده): a unit's problem handled by phone or written inquiry, or
-- referred to the provincial or national headquarters. Only a referral can
-- have the outcome 'referred'; an open case has no closing date.
CREATE TABLE cases (
    id           BIGSERIAL PRIMARY KEY,
    unit_id      BIGINT NOT NULL REFERENCES units (id),
    channel      TEXT NOT NULL CHECK (channel IN ('phone_inquiry', 'written_inquiry', 'referral_provincial', 'referral_national')),
    subject      TEXT NOT NULL CHECK (btrim(subject) <> ''),
    category     TEXT NOT NULL CHECK (category IN ('banking', 'tax', 'social_security', 'customs', 'gas',
                                                   'electricity', 'water', 'land', 'permits', 'other')),
    opened_on    DATE NOT NULL,
    closed_on    DATE CHECK (closed_on >= opened_on),
    outcome      TEXT NOT NULL CHECK (outcome IN ('open', 'resolved', 'referred')),
    confidential BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    CONSTRAINT cases_open_not_closed CHECK (outcome <> 'open' OR closed_on IS NULL),
    CONSTRAINT cases_referred_is_referral CHECK (outcome <> 'referred' OR channel IN ('referral_provincial', 'referral_national'))
);
CREATE INDEX cases_opened_on ON cases (opened_on) INCLUDE (channel, outcome);
CREATE INDEX cases_unit ON cases (unit_id, id);

-- A revival (احیا) of a stagnant unit, append-only; the unit's status becomes
-- 'revived' in the same transaction.
CREATE TABLE revivals (
    id         BIGSERIAL PRIMARY KEY,
    unit_id    BIGINT NOT NULL REFERENCES units (id),
    revived_on DATE NOT NULL,
    note       TEXT,
    actor_id   BIGINT REFERENCES users (id),
    actor_name TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX revivals_revived_on ON revivals (revived_on, unit_id);
CREATE INDEX revivals_unit ON revivals (unit_id, id);
CREATE TRIGGER revivals_append_only BEFORE UPDATE OR DELETE ON revivals
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER revivals_no_truncate BEFORE TRUNCATE ON revivals
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- A pledge's resolution_id now names a real resolution of the registry.
ALTER TABLE pledges ADD CONSTRAINT pledges_resolution_fkey FOREIGN KEY (resolution_id) REFERENCES resolutions (id);
CREATE INDEX pledges_resolution ON pledges (resolution_id) WHERE resolution_id IS NOT NULL;
