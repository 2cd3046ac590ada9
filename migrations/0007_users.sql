-- +goose Up
-- Users managed through the API, idempotent replays that keep their headers,
-- and the audit trail read by filters.

-- A user whose password an administrator chose (a one-time password, on
-- creation or reset) must choose their own before doing anything else.
-- password_changed_at is when the password was last set, by anyone.
ALTER TABLE users
    ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    ADD COLUMN password_changed_at  TIMESTAMPTZ,
    ADD COLUMN updated_at           TIMESTAMPTZ;
UPDATE users SET password_changed_at = created_at, updated_at = created_at,
                 full_name = NULLIF(btrim(full_name), '');
ALTER TABLE users
    ALTER COLUMN password_changed_at SET NOT NULL,
    ALTER COLUMN password_changed_at SET DEFAULT now(),
    ALTER COLUMN updated_at SET NOT NULL,
    ALTER COLUMN updated_at SET DEFAULT now(),
    ADD CONSTRAINT users_full_name_not_blank CHECK (full_name IS NULL OR btrim(full_name) <> '');

-- Ending a user's other sessions reads their live tokens.
CREATE INDEX auth_tokens_user_live ON auth_tokens (user_id) WHERE revoked_at IS NULL;

-- The response headers a replay must repeat (Location of a 201, its
-- Cache-Control, a file's Content-Disposition), as a JSON object of the
-- header's canonical name to its value.
ALTER TABLE idempotency_keys ADD COLUMN headers JSONB;

-- GET /audit filters by actor and by date; both are read newest first.
-- (The target filter uses audit_log_target of 0001.)
CREATE INDEX audit_log_actor ON audit_log (actor_name, seq);
CREATE INDEX audit_log_at ON audit_log (at);
