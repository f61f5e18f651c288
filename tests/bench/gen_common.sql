-- Helpers of the benchmark's data generator, created in a schema of its own
-- (bench) in each source database; the contract relations are untouched.
-- Every "random" value is a hash of the row number and a stream key, so the
-- same :deals and :seed give the same rows on every machine and PostgreSQL
-- version (hashint8extended is the stable hash of hash partitioning).
CREATE SCHEMA IF NOT EXISTS bench;
-- A uniform value in [0, 1) for row g and key k.
CREATE OR REPLACE FUNCTION bench.u(g bigint, k bigint) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (hashint8extended(g, k) & 1099511627775)::float8 / 1099511627776.0 $$;
-- 50 centres: one province, 9 cities, 40 counties (4 per city but the last).
CREATE OR REPLACE FUNCTION bench.center(i integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN i = 0 THEN '430000'
               WHEN i < 10 THEN '43' || lpad(i::text, 2, '0') || '00'
               ELSE '43' || lpad((1 + (i - 10) / 5)::text, 2, '0') || lpad((1 + (i - 10) % 5)::text, 2, '0')
          END $$;
CREATE OR REPLACE FUNCTION bench.category(i integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT (ARRAY['engineering','gov_procurement','land_mineral','state_property','medical','other'])[1 + i] $$;
-- Event times span three years, 2024-01-01 to 2026-12-31 in Asia/Shanghai;
-- the benchmark's "current year" is 2026. Row g of n gets x in
-- [(g-1)/n, g/n): rows are generated in event-time order, as a real source
-- inserts them when they happen, so the physical order follows the event
-- time (a random order would make every day's rows a random heap read).
CREATE OR REPLACE FUNCTION bench.at(x float8) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT timestamptz '2024-01-01 00:00+08' + (x * 1096 * 86400) * interval '1 second' $$;
-- updated_at of generated rows: before any change the benchmark makes, so a
-- poll sees only those changes (a real source's history is old too).
-- x is the uniform value behind the row's event time, so the history's
-- updated_at are spread like its events, from 2023-11 to 2026-11.
CREATE OR REPLACE FUNCTION bench.touched(x float8) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT timestamptz '2023-11-01 00:00+00' + (x * 1096 * 86400) * interval '1 second' $$;
