-- +goose Up
-- An expenditure's pledge is checked once, not twice. The foreign key
-- (pledge_id, unit_id) → pledges (id, unit_id) already says that the pledge
-- exists (both columns are NOT NULL, so it is never skipped) and is the
-- unit's; the older key on pledge_id alone checked the first half again, a
-- second lookup and lock of the pledge's row in every submission: the
-- costliest of the insert's constraint triggers.
ALTER TABLE expenditures DROP CONSTRAINT expenditures_pledge_id_fkey;
