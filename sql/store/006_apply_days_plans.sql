-- Store schema, version 6: ggzy.apply_days without its plan trap.
--
-- Versions 4 and 5 joined the days' old buckets back to the table by ctid
-- with nested loops turned off; without a nested loop there is no TID scan,
-- so every call read the whole bucket table (386 ms for a poll that changed
-- nothing at 1 M deals, 8.8 s for two changed days). Now each part reaches
-- its rows by an index: the changed values by primary-key probes per fact,
-- the vanished buckets through the (stream, day) index against a hash of the
-- facts, the new ones by primary-key probes. Same snapshot, same three
-- disjoint sets, same version bump.
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
        INSERT INTO ggzy.bucket (metric, day, center, category, kind, scope, role, stream, value)
        SELECT f.metric, f.day, f.center, f.category, f.kind, f.scope, f.role, p_stream, f.value
          FROM fresh f
         WHERE NOT EXISTS (SELECT 1 FROM ggzy.bucket b
                            WHERE b.metric = f.metric AND b.day = f.day
                              AND b.center = f.center AND b.category = f.category
                              AND b.kind = f.kind AND b.scope = f.scope AND b.role = f.role)
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

