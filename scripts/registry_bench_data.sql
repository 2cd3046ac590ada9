-- registry_bench_data.sql fills a migrated, empty Taahod database with a
-- registry of 1,000,000 resolutions and 200,000 cases spread over ten fiscal
-- years (1395 to 1404, 2016-03-20 to 2026-03-20: about 100,000 resolutions
-- and 20,000 cases a year), for the yearly figures' benchmark
-- (registry/figures_bench_test.go, `make bench`):
--
--   20,000 units, 40 agencies, 1,200 sessions (60% formal, 10% field, 30%
--   site visits); 1,000,000 resolutions (95% in sessions, 90% with a unit,
--   2% confidential) notified to one or two agencies; 900,000 status
--   changes (80% of resolutions changed once, 10% twice); 200,000 cases;
--   5,000 revivals.
--
-- Run it with psql (psql "$DATABASE_URL" -f scripts/registry_bench_data.sql)
-- and then VACUUM ANALYZE, or let the benchmark run it. It takes a few
-- minutes (the yearly counts of migration 0016 follow each statement, as
-- they follow any write). It writes no audit entries: it stands for years
-- of records, not for requests.

BEGIN;

-- The ids below are given explicitly, so the database must be empty.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM units) OR EXISTS (SELECT 1 FROM sessions) OR EXISTS (SELECT 1 FROM agencies) THEN
        RAISE EXCEPTION 'registry_bench_data.sql fills an empty database; this one has units, sessions or agencies';
    END IF;
END;
$$;

INSERT INTO units (id, name, national_id, county, status, created_at, updated_at)
SELECT i, 'واحد آزمایشی ' || i,
       '9' || lpad(i::text, 10, '0'),
       (ARRAY['قزوین', 'البرز', 'آبیک', 'بوئین‌زهرا', 'تاکستان', 'آوج'])[1 + i % 6],
       CASE WHEN i % 4 = 0 THEN 'revived' ELSE 'active' END,
       now(), now()
  FROM generate_series(1, 20000) AS i;

INSERT INTO agencies (id, name, created_at)
SELECT i, 'دستگاه اجرایی ' || i, now() FROM generate_series(1, 40) AS i;

INSERT INTO sessions (id, kind, held_on, county, title, created_at, updated_at)
SELECT i + 1, k.kind, DATE '2016-03-20' + (i * 3652 / 1200), CASE WHEN k.kind = 'field' THEN 'آوج' END,
       'جلسه ' || i, now(), now()
  FROM generate_series(0, 1199) AS i,
       LATERAL (SELECT CASE WHEN i % 10 < 6 THEN 'formal' WHEN i % 10 = 6 THEN 'field' ELSE 'site_visit' END AS kind) k;

-- Resolutions of sessions (95%) take the session's kind and date.
INSERT INTO resolutions (session_id, session_kind, adopted_on, unit_id, text, category, deadline, confidential, created_by, created_at)
SELECT s.id, s.kind, s.held_on,
       CASE WHEN i % 10 = 0 THEN NULL ELSE 1 + (i * 7) % 20000 END,
       'مصوبه آزمایشی ' || i,
       (ARRAY['banking', 'tax', 'social_security', 'customs', 'gas', 'electricity', 'water', 'land', 'permits', 'other'])[1 + i % 10],
       s.held_on + 60, i % 50 = 0, 'bench', now()
  FROM generate_series(1, 1000000) AS i
  JOIN sessions s ON s.id = 1 + (i::bigint * 7919) % 1200
 WHERE i % 20 <> 0;

-- The others (5%) were adopted outside sessions.
INSERT INTO resolutions (adopted_on, unit_id, text, category, deadline, confidential, created_by, created_at)
SELECT DATE '2016-03-21' + (i * 7) % 3650,
       1 + (i * 7) % 20000,
       'مصوبه آزمایشی ' || i, 'other', DATE '2016-03-21' + (i * 7) % 3650 + 90, FALSE, 'bench', now()
  FROM generate_series(1, 1000000) AS i
 WHERE i % 20 = 0;

INSERT INTO resolution_agencies (resolution_id, agency_id)
SELECT id, 1 + id % 40 FROM resolutions
UNION ALL
SELECT id, 1 + (id * 3 + 1) % 40 FROM resolutions WHERE id % 3 = 0;

-- The trigger sets each resolution's status to its latest change.
INSERT INTO resolution_status_changes (resolution_id, status, changed_on, note, actor_name, created_at)
SELECT id, (ARRAY['implemented', 'implemented', 'implemented', 'in_follow_up', 'not_implemented', 'cancelled'])[1 + id % 6],
       adopted_on + 10, NULL, 'bench', now()
  FROM resolutions WHERE id % 5 <> 0;

INSERT INTO resolution_status_changes (resolution_id, status, changed_on, note, actor_name, created_at)
SELECT id, 'in_follow_up', adopted_on + 20, 'پیگیری دوباره', 'bench', now()
  FROM resolutions WHERE id % 10 = 1;

INSERT INTO cases (unit_id, channel, subject, category, opened_on, closed_on, outcome, confidential, created_at, updated_at)
SELECT 1 + (i * 13) % 20000, c.channel, 'پرونده آزمایشی ' || i,
       (ARRAY['banking', 'tax', 'social_security', 'customs', 'gas', 'electricity', 'water', 'land', 'permits', 'other'])[1 + i % 10],
       DATE '2016-03-21' + (i * 3650 / 200000),
       CASE WHEN c.outcome <> 'open' THEN DATE '2016-03-21' + (i * 3650 / 200000) + 5 END,
       c.outcome, i % 40 = 0, now(), now()
  FROM generate_series(1, 200000) AS i,
       LATERAL (SELECT (ARRAY['phone_inquiry', 'written_inquiry', 'phone_inquiry', 'written_inquiry', 'referral_provincial', 'referral_national'])[1 + i % 6] AS channel) ch,
       LATERAL (SELECT ch.channel,
                       CASE WHEN ch.channel LIKE 'referral_%' THEN 'referred'
                            WHEN i % 3 = 0 THEN 'open' ELSE 'resolved' END AS outcome) c;

INSERT INTO revivals (unit_id, revived_on, note, actor_name, created_at)
SELECT 4 * (1 + i % 5000), DATE '2016-03-21' + (i * 3650 / 5000), NULL, 'bench', now()
  FROM generate_series(0, 4999) AS i;

SELECT setval(pg_get_serial_sequence('units', 'id'), 20000),
       setval(pg_get_serial_sequence('agencies', 'id'), 40),
       setval(pg_get_serial_sequence('sessions', 'id'), 1200);

COMMIT;
