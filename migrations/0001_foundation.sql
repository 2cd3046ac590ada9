-- +goose Up
-- The foundation: append-only guard, audit chain, units, users and sign-in,
-- idempotency keys.

-- refuse_change guards append-only tables: UPDATE, DELETE and TRUNCATE raise.
-- +goose StatementBegin
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = '55000';
END;
$$;
-- +goose StatementEnd

-- The audit chain. audit_head holds the tip (the last sequence number and its
-- hash); appending updates it in the same statement, which serialises
-- appenders on that one row until they commit.
CREATE TABLE audit_head (
    singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
    seq       BIGINT NOT NULL CHECK (seq >= 0),
    prev_hash BYTEA  NOT NULL CHECK (length(prev_hash) = 32),
    hash      BYTEA  NOT NULL CHECK (length(hash) = 32)
);
INSERT INTO audit_head (singleton, seq, prev_hash, hash)
VALUES (TRUE, 0, decode(repeat('00', 32), 'hex'), decode(repeat('00', 32), 'hex'));

CREATE TABLE audit_log (
    seq         BIGINT PRIMARY KEY CHECK (seq > 0),
    at          TIMESTAMPTZ NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    changes     TEXT NOT NULL,
    prev_hash   BYTEA NOT NULL CHECK (length(prev_hash) = 32),
    hash        BYTEA NOT NULL CHECK (length(hash) = 32)
);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

CREATE TABLE units (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT NOT NULL CHECK (btrim(name) <> ''),
    national_id   TEXT NOT NULL UNIQUE CHECK (national_id ~ '^[0-9]{10,11}$'),
    county        TEXT NOT NULL CHECK (btrim(county) <> ''),
    economic_code TEXT,
    tax_file_no   TEXT,
    activity      TEXT,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'stagnant', 'revived')),
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX units_county ON units (county, id);

CREATE TABLE users (
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'secretariat', 'accountant', 'tax_officer', 'education_officer', 'auditor')),
    full_name     TEXT,
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE user_units (
    user_id BIGINT NOT NULL REFERENCES users (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    PRIMARY KEY (user_id, unit_id)
);
CREATE INDEX user_units_unit ON user_units (unit_id);

-- Sign-in tokens, stored only as SHA-256 of the opaque token.
CREATE TABLE auth_tokens (
    token_hash BYTEA PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id);

-- Failed sign-ins, kept to slow down guessing per user name.
CREATE TABLE login_failures (
    username  TEXT NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_failures_user ON login_failures (username, failed_at);

-- Idempotency keys, per user. A row without status is a first request still
-- running; one with status holds the response to replay.
CREATE TABLE idempotency_keys (
    user_id      BIGINT NOT NULL REFERENCES users (id),
    key          TEXT NOT NULL,
    request_hash BYTEA NOT NULL CHECK (length(request_hash) = 32),
    status       INTEGER,
    content_type TEXT,
    body         BYTEA,
    created_at   TIMESTAMPTZ NOT NULL,
    completed_at TIMESTAMPTZ,
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Sign-in cache invalidation. The server may remember live tokens to spare
-- each request a round trip (auth.Store.CacheTokens); every change that may
-- end a sign-in announces itself on the channel taahod_auth, delivered when
-- the changing transaction commits, and the servers empty their caches.
-- +goose StatementBegin
CREATE FUNCTION notify_auth_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('taahod_auth', TG_TABLE_NAME);
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER auth_tokens_notify AFTER UPDATE OR DELETE OR TRUNCATE ON auth_tokens
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER users_notify AFTER UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();
CREATE TRIGGER user_units_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_units
    FOR EACH STATEMENT EXECUTE FUNCTION notify_auth_change();

-- The steps of the demo data that `taahod seed-demo` has loaded, so that
-- running it again loads nothing twice.
CREATE TABLE demo_steps (
    name      TEXT PRIMARY KEY,
    loaded_at TIMESTAMPTZ NOT NULL
);
