-- +goose Up
-- A number that moves whenever a record the yearly figures count from
-- moves, so that a server may keep the figures it computed and answer with
-- them for as long as the number has not moved (registry/figures_cache.go).
-- The public home and GET /public/registry are read by every visitor who
-- scans a certificate's QR code, and the registry changes a few hundred
-- times a year: counting the same records again on every request was
-- nearly all of those requests' cost (BenchmarkPublicHome).
--
-- The figures are counted from six tables (registry.figureSources):
-- sessions and pledges directly, and the yearly counts of 0016 and 0022,
-- which the records' own triggers keep. A change to any of them, in the
-- columns the figures read, moves the number in the same transaction, so a
-- reader's snapshot sees the number that goes with the records it sees:
-- figures computed in a snapshot with number N are the figures of every
-- snapshot with number N. A pledge's submitted total, updated on every
-- expenditure's submission, is not a column the figures read, so
-- submissions do not touch this row.
--
-- The number moves at commit (a deferred constraint trigger), once per
-- transaction: a transaction holds the row's lock only while it commits,
-- when it no longer waits for any other lock, so writers of the registry
-- cannot deadlock on it whatever else they lock and in whatever order.
--
-- The number is drawn at random rather than counted, and a transaction
-- knows it has moved it by a setting local to itself rather than by its id
-- kept in the row: a database restored from a backup, or copied to another
-- cluster, then goes on with numbers no server has kept figures for, where
-- a counter would come back to numbers it had, for other records.
-- `changes` counts the transactions that moved it.
CREATE TABLE registry_figures_version (
    one     BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
    version BIGINT NOT NULL,
    changes BIGINT NOT NULL DEFAULT 0
);
INSERT INTO registry_figures_version (version) VALUES ((random() * 9.2e18)::bigint);

-- +goose StatementBegin
CREATE FUNCTION registry_figures_changed() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    IF current_setting('taahod.registry_figures_changed', true) = 'yes' THEN
        RETURN NULL; -- moved already by this transaction
    END IF;
    PERFORM set_config('taahod.registry_figures_changed', 'yes', true);
    UPDATE registry_figures_version SET version = (random() * 9.2e18)::bigint, changes = changes + 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE CONSTRAINT TRIGGER sessions_figures_changed
    AFTER INSERT OR DELETE OR UPDATE OF kind, held_on ON sessions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_figures_changed();
-- A cancelled pledge still counts (schools_pledged), so cancelling one
-- changes nothing the figures read.
CREATE CONSTRAINT TRIGGER pledges_figures_changed
    AFTER INSERT OR DELETE OR UPDATE OF school_id, pledged_on ON pledges
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_figures_changed();
CREATE CONSTRAINT TRIGGER registry_year_resolutions_figures_changed
    AFTER INSERT OR DELETE OR UPDATE ON registry_year_resolutions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_figures_changed();
CREATE CONSTRAINT TRIGGER registry_year_units_examined_figures_changed
    AFTER INSERT OR DELETE OR UPDATE ON registry_year_units_examined
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_figures_changed();
CREATE CONSTRAINT TRIGGER registry_year_cases_figures_changed
    AFTER INSERT OR DELETE OR UPDATE ON registry_year_cases
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_figures_changed();
CREATE CONSTRAINT TRIGGER registry_year_revivals_figures_changed
    AFTER INSERT OR DELETE OR UPDATE ON registry_year_revivals
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION registry_figures_changed();

-- TRUNCATE has no row triggers; it takes an exclusive lock on its table
-- anyway, so moving the number at once costs nothing more.
CREATE TRIGGER sessions_figures_truncated AFTER TRUNCATE ON sessions
    FOR EACH STATEMENT EXECUTE FUNCTION registry_figures_changed();
CREATE TRIGGER pledges_figures_truncated AFTER TRUNCATE ON pledges
    FOR EACH STATEMENT EXECUTE FUNCTION registry_figures_changed();
CREATE TRIGGER registry_year_resolutions_figures_truncated AFTER TRUNCATE ON registry_year_resolutions
    FOR EACH STATEMENT EXECUTE FUNCTION registry_figures_changed();
CREATE TRIGGER registry_year_units_examined_figures_truncated AFTER TRUNCATE ON registry_year_units_examined
    FOR EACH STATEMENT EXECUTE FUNCTION registry_figures_changed();
CREATE TRIGGER registry_year_cases_figures_truncated AFTER TRUNCATE ON registry_year_cases
    FOR EACH STATEMENT EXECUTE FUNCTION registry_figures_changed();
CREATE TRIGGER registry_year_revivals_figures_truncated AFTER TRUNCATE ON registry_year_revivals
    FOR EACH STATEMENT EXECUTE FUNCTION registry_figures_changed();
