-- +goose Up
-- Sign-in limits that hold under concurrency, per user name and per client
-- address (issue 12). Every attempt is counted here before its password is
-- checked, under an advisory lock, so that concurrent guesses cannot all
-- pass the limit; a success takes its own attempt back. It replaces
-- login_failures, which was written only after the check.
CREATE TABLE signin_attempts (
    id           BIGSERIAL PRIMARY KEY,
    username     TEXT NOT NULL,
    -- The client's address ('' when unknown: the command line, tests).
    address      TEXT NOT NULL,
    -- Whether the user had signed in from this address before: such an
    -- attempt counts against that (user, address) pair only, not against
    -- the strangers' limit of the name.
    known        BOOLEAN NOT NULL,
    attempted_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX signin_attempts_user ON signin_attempts (username, attempted_at);
CREATE INDEX signin_attempts_address ON signin_attempts (address, attempted_at);

-- The addresses each user has signed in from: a person keeps signing in
-- from where they did before while strangers elsewhere exhaust the name's
-- limit. Kept by user name, as attempts are, so an unknown name has none.
CREATE TABLE signin_addresses (
    username       TEXT NOT NULL,
    address        TEXT NOT NULL,
    last_signin_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (username, address)
);

DROP TABLE login_failures;
