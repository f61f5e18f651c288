-- Store schema, version 7: ggzy.apply_days inserts new buckets by
-- INSERT ... ON CONFLICT DO NOTHING.
--
-- Version 6 found the new buckets with NOT EXISTS against ggzy.bucket, which
-- the planner (taking the parsed facts for a few rows) ran as a hash
-- anti-join over the whole bucket table on every batch: a cost that grew
-- with the store and, on the single writer connection all streams share,
-- made polls overrun their interval while the store held a couple of years
-- (test_outages: a deposit poll took 5-8 s instead of 0.3 s). Everything
-- else is version 6.
CREATE OR REPLACE FUNCTION ggzy.apply_days(p_stream text, p_days date[], p_facts json,
                                           p_states json, p_watermark timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    -- Serialise writers of one stream (two daemons on one store).
    PERFORM pg_advisory_xact_lock(hashtext('ggzy.stream:' || p_stream));
    WITH fresh AS MATERIALIZED (
        SELECT f->>0 AS metric, (f->>1)::date AS day, f->>2 AS center, f->>3 AS category,
               f->>4 AS kind, f->>5 AS scope, f->>6 AS role, sum((f->>7)::numeric) AS value
          FROM jsonb_array_elements(p_facts::jsonb) AS f
         GROUP BY 1, 2, 3, 4, 5, 6, 7
    ),
    changed AS (
        -- Per fact, a primary-key probe.
        UPDATE ggzy.bucket b SET value = f.value
          FROM fresh f
         WHERE b.metric = f.metric AND b.day = f.day AND b.center = f.center
           AND b.category = f.category AND b.kind = f.kind AND b.scope = f.scope
           AND b.role = f.role AND b.stream = p_stream AND b.value <> f.value
        RETURNING 1
    ),
    vanished AS (
        -- The days' buckets (stream, day index) against a hash of the facts.
        DELETE FROM ggzy.bucket b
         WHERE b.stream = p_stream AND b.day = ANY (p_days)
           AND NOT EXISTS (SELECT 1 FROM fresh f
                            WHERE f.metric = b.metric AND f.day = b.day
                              AND f.center = b.center AND f.category = b.category
                              AND f.kind = b.kind AND f.scope = b.scope AND f.role = b.role)
        RETURNING 1
    ),
    added AS (
        -- Per fact, a probe of the primary key (a NOT EXISTS here was
        -- planned as a hash anti-join over the whole bucket table, every
        -- batch). The changed buckets exist already: nothing to do there.
        INSERT INTO ggzy.bucket (metric, day, center, category, kind, scope, role, stream, value)
        SELECT f.metric, f.day, f.center, f.category, f.kind, f.scope, f.role, p_stream, f.value
          FROM fresh f
        ON CONFLICT (metric, day, center, category, kind, scope, role) DO NOTHING
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM changed) + (SELECT count(*) FROM added)
           + 0 * (SELECT count(*) FROM vanished) INTO n;
    IF cardinality(p_days) > 0 THEN
        UPDATE ggzy.store_version SET version = version + 1;
    END IF;
    DELETE FROM ggzy.day_state WHERE stream = p_stream AND day = ANY (p_days);
    INSERT INTO ggzy.day_state (stream, day, rows, fingerprint)
    SELECT p_stream, (s->>0)::date, sum((s->>1)::bigint), sum((s->>2)::numeric)
      FROM jsonb_array_elements(p_states::jsonb) AS s
     GROUP BY 2;
    IF p_watermark IS NOT NULL THEN
        INSERT INTO ggzy.watermark (stream, updated_at, polled_at)
        VALUES (p_stream, p_watermark, now())
        ON CONFLICT (stream) DO UPDATE
            SET updated_at = greatest(ggzy.watermark.updated_at, EXCLUDED.updated_at),
                polled_at = EXCLUDED.polled_at;
    END IF;
    RETURN n;
END $$;

