-- +goose Up
-- A year-end run of the whole province's offsets (ledger/province_run.go):
-- one row a run, its progress and totals kept by the server that runs it.
-- At most one run of a year is 'running' at a time, across every server on
-- the database (the partial unique index); the running server refreshes
-- heartbeat_at (by the database's clock) every second, and a run whose
-- heartbeat is older than a minute was left by a server that died: the next
-- start of that year marks it 'failed' and takes its place.
CREATE TABLE offset_runs (
    id                  BIGSERIAL PRIMARY KEY,
    fiscal_year         INT NOT NULL CHECK (fiscal_year BETWEEN 1300 AND 1500),
    status              TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    units_total         INT NOT NULL CHECK (units_total >= 0),
    units_done          INT NOT NULL DEFAULT 0 CHECK (units_done BETWEEN 0 AND units_total),
    offset_total        NUMERIC(20,2) NOT NULL DEFAULT 0,
    spending_used_total NUMERIC(20,2) NOT NULL DEFAULT 0,
    reason              TEXT,
    started_at          TIMESTAMPTZ NOT NULL,
    started_by          BIGINT REFERENCES users (id),
    finished_at         TIMESTAMPTZ,
    heartbeat_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK ((status = 'running') = (finished_at IS NULL)),
    CHECK ((status = 'failed') = (reason IS NOT NULL))
);
CREATE UNIQUE INDEX offset_runs_one_running ON offset_runs (fiscal_year) WHERE status = 'running';
CREATE INDEX offset_runs_by_year ON offset_runs (fiscal_year, id);

-- The units whose offset a run could not make, with the problem's code and
-- message (the unit's books are left as they were).
CREATE TABLE offset_run_failures (
    run_id  BIGINT NOT NULL REFERENCES offset_runs (id),
    unit_id BIGINT NOT NULL REFERENCES units (id),
    code    TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, unit_id)
);

