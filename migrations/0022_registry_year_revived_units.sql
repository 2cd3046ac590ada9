-- +goose Up
-- The units revived in each year, kept as revivals are recorded, as 0016
-- keeps the units examined. The figures counted them from the records,
-- count(DISTINCT unit_id) over the year's revivals: a sort of about 500
-- rows per year on every request, a third of the figures' statement
-- (BenchmarkPublicHome: 195 → 130 µs of the database's CPU for one year,
-- 355 → 225 µs for the public home's two). Revivals are append-only (0005:
-- refuse_change on UPDATE, DELETE and TRUNCATE), so only an insert moves
-- them. The trigger runs in the inserting transaction, so a reader's
-- snapshot sees counts that agree with the records it would see; the
-- figure's rows are still listed from the records, `taahod verify`
-- recounts them, and registry tests compare them with the records.

-- Each year's revived units, one row per unit...
CREATE TABLE registry_year_revived_units (
    year    INT NOT NULL,
    unit_id BIGINT NOT NULL,
    PRIMARY KEY (year, unit_id)
);
-- ...and how many there are: the figure revived_units.
CREATE TABLE registry_year_revivals (
    year          INT PRIMARY KEY,
    revived_units BIGINT NOT NULL
);

-- registry_count_revivals adds a statement's new revivals' units to their
-- years. A unit already counted in the year conflicts and is not counted
-- again; when another transaction is adding the same unit and year, the
-- insert waits for it to end, so the count is exact with writers side by
-- side. Rows are written in key order, so that two transactions lock them
-- in the same order.
-- +goose StatementBegin
CREATE FUNCTION registry_count_revivals() RETURNS trigger LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    WITH added AS (
        INSERT INTO registry_year_revived_units AS t (year, unit_id)
        SELECT DISTINCT y.year, n.unit_id
          FROM new_rows n JOIN fiscal_years y ON n.revived_on BETWEEN y.first_day AND y.last_day
         ORDER BY 1, 2
        ON CONFLICT (year, unit_id) DO NOTHING
        RETURNING t.year)
    INSERT INTO registry_year_revivals AS t (year, revived_units)
    SELECT year, count(*) FROM added GROUP BY 1 ORDER BY 1
    ON CONFLICT (year) DO UPDATE SET revived_units = t.revived_units + excluded.revived_units;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER revivals_count_insert AFTER INSERT ON revivals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry_count_revivals();

-- The revivals already there.
INSERT INTO registry_year_revived_units (year, unit_id)
SELECT DISTINCT y.year, v.unit_id
  FROM revivals v JOIN fiscal_years y ON v.revived_on BETWEEN y.first_day AND y.last_day;
INSERT INTO registry_year_revivals (year, revived_units)
SELECT year, count(*) FROM registry_year_revived_units GROUP BY 1;
