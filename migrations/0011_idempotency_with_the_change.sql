-- +goose Up
-- An idempotency key is now written in the same transaction as the change it
-- guards (internal/database claim.go), so a key row exists only for work that
-- committed: a row without status is work whose answer was not stored yet
-- (or was lost in a crash). The record the change's first audit entry names
-- is kept with it, so that a retry can be told where the work went.
ALTER TABLE idempotency_keys ADD COLUMN target_type TEXT;
ALTER TABLE idempotency_keys ADD COLUMN target_id TEXT;

-- Rows without status written before this change were claims taken before
-- the work, some of them left by a crash with no work done: free them, as
-- from now on such a row would read as work done.
DELETE FROM idempotency_keys WHERE status IS NULL;
