-- +goose Up
-- Notifications (notify/): each user's inbox, and the webhooks that tell
-- other systems what changed.

-- An inbox item: what a rule (notify/rules.go) told one user about one
-- record. Items of changes are written in the change's own transaction;
-- reminders of what is overdue by the daily job, at most once a user, rule,
-- subject and day (Tehran's), which the partial unique index guards.
CREATE TABLE notifications (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users (id),
    rule         TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    day          DATE NOT NULL,
    scheduled    BOOLEAN NOT NULL DEFAULT FALSE,
    message      TEXT NOT NULL CHECK (message <> ''),
    link         TEXT,
    resource     JSONB NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    read_at      TIMESTAMPTZ,
    mailed_at    TIMESTAMPTZ
);
CREATE INDEX notifications_inbox ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id, id) WHERE read_at IS NULL;
CREATE UNIQUE INDEX notifications_once_a_day ON notifications (user_id, rule, subject_type, subject_id, day) WHERE scheduled;

-- An endpoint of another system that hears of events. The secret signs
-- each delivery (HMAC-SHA-256), so it is kept as it was given; it is shown
-- to the administrator once, in the answer that registered it.
CREATE TABLE webhook_endpoints (
    id          BIGSERIAL PRIMARY KEY,
    url         TEXT NOT NULL CHECK (url ~ '^https?://'),
    event_types TEXT[] NOT NULL CHECK (cardinality(event_types) > 0),
    secret      TEXT NOT NULL CHECK (length(secret) >= 16),
    description TEXT,
    disabled    BOOLEAN NOT NULL DEFAULT FALSE,
    created_by  BIGINT REFERENCES users (id),
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- The outbox: an event, written in the transaction of the change it tells
-- of, and one delivery of it to each endpoint that listened for its type
-- at that moment. Deliveries are taken by workers with FOR UPDATE SKIP
-- LOCKED and kept locked while they are sent, so that no two workers send
-- one at once; a pending delivery is retried with back-off until it is a
-- day old, then marked failed with the last answer.
CREATE TABLE webhook_events (
    id          UUID PRIMARY KEY,
    type        TEXT NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    resource    JSONB NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    event_id        UUID NOT NULL REFERENCES webhook_events (id),
    endpoint_id     BIGINT NOT NULL REFERENCES webhook_endpoints (id),
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        INT NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMPTZ NOT NULL,
    -- A pending delivery that fails after this instant is marked failed.
    retry_until     TIMESTAMPTZ NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    last_attempt_at TIMESTAMPTZ,
    last_status     INT,
    last_response   TEXT,
    last_error      TEXT,
    finished_at     TIMESTAMPTZ,
    UNIQUE (event_id, endpoint_id),
    CHECK ((status = 'pending') = (finished_at IS NULL))
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_of_endpoint ON webhook_deliveries (endpoint_id, id);

-- Where a person's notifications are also mailed, when the server has an
-- SMTP server (TAAHOD_SMTP_URL); none by default.
ALTER TABLE users ADD COLUMN email TEXT CHECK (length(email) <= 254 AND email LIKE '%_@_%');
CREATE INDEX notifications_to_mail ON notifications (id) WHERE mailed_at IS NULL;
