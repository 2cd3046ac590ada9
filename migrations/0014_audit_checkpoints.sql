-- +goose Up
-- Signed checkpoints of the audit chain (internal/database/checkpoint.go):
-- now and then the chain's head, {seq, hash, time}, is signed with the
-- service's Ed25519 key and kept here and published, so that whoever saved
-- one can later tell whether the chain up to it was rewritten, even by
-- someone who could recompute every hash after the rewrite. A checkpoint
-- names a row of the chain by its seq; the chain only grows, so there is at
-- most one checkpoint a seq.
CREATE TABLE audit_checkpoints (
    seq       BIGINT PRIMARY KEY CHECK (seq > 0),
    hash      BYTEA NOT NULL CHECK (length(hash) = 32),
    signed_at TIMESTAMPTZ NOT NULL,
    -- The standard base64 Ed25519 signature of the checkpoint's text
    -- (database.Checkpoint.Text), rebuilt from the columns above.
    signature TEXT NOT NULL CHECK (signature ~ '^[A-Za-z0-9+/]{86}==$')
);
CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

-- Each certificate records the latest checkpoint when it was issued (null
-- when there was none yet); like the rest of what was issued it never
-- changes.
ALTER TABLE certificates ADD COLUMN audit_checkpoint_seq BIGINT REFERENCES audit_checkpoints (seq);
CREATE TRIGGER certificates_checkpoint_fixed BEFORE UPDATE ON certificates
    FOR EACH ROW WHEN (OLD.audit_checkpoint_seq IS DISTINCT FROM NEW.audit_checkpoint_seq)
    EXECUTE FUNCTION refuse_change();
