-- +goose Up
-- Audit entries are queued, then chained (internal/database sequencer.go).
-- A change no longer advances audit_head in its own transaction, which made
-- every writer of the province wait for the previous writer's commit: it
-- inserts its entry into audit_queue, a row of its own, with the id of its
-- transaction. One sequencer per database moves committed entries into
-- audit_log in batches, giving each its sequence number and hashes exactly as
-- before, and advances audit_head; it is now the only writer of audit_head
-- and of audit_log.
CREATE TABLE audit_queue (
    -- xid is the top-level transaction that wrote the entry: the sequencer
    -- chains only entries of transactions older than every running one, in
    -- (xid, id) order.
    xid         XID8 NOT NULL DEFAULT pg_current_xact_id(),
    id          BIGSERIAL,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    BIGINT,
    actor_name  TEXT NOT NULL,
    actor_role  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    changes     TEXT NOT NULL,
    -- When the entry was queued (its transaction's start), by the
    -- database's clock: how long it has waited, whatever clock stamped at.
    queued_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (xid, id)
);
-- A queued entry is moved whole or not at all: never changed in place.
CREATE TRIGGER audit_queue_no_update BEFORE UPDATE ON audit_queue
    FOR EACH ROW EXECUTE FUNCTION refuse_change();

-- When the sequencer chained the entry: the lag from the change (at) to the
-- chain, for operators and the submission benchmark. Not covered by the hash:
-- it says nothing about the change.
ALTER TABLE audit_log ADD COLUMN chained_at TIMESTAMPTZ;

-- audit_chain_check fails the sequencer's move (one statement) unless it
-- moved every entry it read and advanced the head from where it read it, so
-- that a second writer, were there one, could never fork the chain.
-- +goose StatementBegin
CREATE FUNCTION audit_chain_check(ok BOOLEAN) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
BEGIN
    IF NOT ok THEN
        RAISE EXCEPTION 'audit chain: the queue or the head moved under the sequencer';
    END IF;
    RETURN ok;
END;
$$;
-- +goose StatementEnd
