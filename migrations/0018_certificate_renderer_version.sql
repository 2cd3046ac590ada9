-- +goose Up
-- Each certificate records the renderer version that made its PDF
-- (reports.RendererVersion), so that `taahod verify` and the annulled copy
-- render it again with that version's layout. The certificates issued
-- before this column were all rendered by version 1; a new one must name
-- its version.
ALTER TABLE certificates ADD COLUMN renderer_version INT NOT NULL DEFAULT 1 CHECK (renderer_version >= 1);
ALTER TABLE certificates ALTER COLUMN renderer_version DROP DEFAULT;

