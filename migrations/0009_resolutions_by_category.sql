-- +goose Up
-- The public home charts the year's resolutions by category and status
-- (registry.ResolutionsByCategory) beside the yearly figures: with the
-- category in the figures' index, that count is an index-only scan of the
-- year's range too, instead of a scan of the whole table (about 4 times the
-- figures' time over 1,000,000 resolutions; BenchmarkPublicHome). The new
-- index holds everything the old one did, so the figures keep their plan.
CREATE INDEX resolutions_adopted_on_category ON resolutions (adopted_on) INCLUDE (status, unit_id, session_kind, category);
DROP INDEX resolutions_adopted_on;
