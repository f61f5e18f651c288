-- Store schema, version 4: ggzy.apply_days writes only what changed.
--
-- Version 1 deleted every bucket of the given days and inserted them again.
-- A poll after a one-fen correction rewrote thousands of identical rows per
-- day (index churn, WAL, dead tuples), and reading the facts through json
-- parsed every element eight times. Now the facts are parsed once (jsonb)
-- into a temporary table, and only the buckets whose value changed, that
-- are new or that are gone are deleted and inserted. Same signature, same
-- atomicity (one call, one transaction). Returns the buckets written.
CREATE OR REPLACE FUNCTION ggzy.apply_days(p_stream text, p_days date[], p_facts json,
                                           p_states json, p_watermark timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    -- Serialise writers of one stream (two daemons on one store).
    PERFORM pg_advisory_xact_lock(hashtext('ggzy.stream:' || p_stream));
    -- The recomputed facts, parsed once, in a temporary table of this
    -- session (the writer connection), emptied at the end.
    IF to_regclass('pg_temp.ggzy_fresh') IS NULL THEN
        CREATE TEMP TABLE ggzy_fresh (metric text, day date, center text, category text,
                                      kind text, scope text, role text, value numeric);
    END IF;
    INSERT INTO ggzy_fresh
    SELECT f->>0, (f->>1)::date, f->>2, f->>3, f->>4, f->>5, f->>6, sum((f->>7)::numeric)
      FROM jsonb_array_elements(p_facts::jsonb) AS f
     GROUP BY 1, 2, 3, 4, 5, 6, 7;
    -- Buckets of these days that are gone or whose value changed.
    DELETE FROM ggzy.bucket b
     WHERE b.stream = p_stream AND b.day = ANY (p_days)
       AND NOT EXISTS (SELECT 1 FROM ggzy_fresh f
                        WHERE f.metric = b.metric AND f.day = b.day AND f.center = b.center
                          AND f.category = b.category AND f.kind = b.kind
                          AND f.scope = b.scope AND f.role = b.role AND f.value = b.value);
    -- What is left of these days is unchanged: insert the rest.
    INSERT INTO ggzy.bucket (metric, day, center, category, kind, scope, role, stream, value)
    SELECT f.metric, f.day, f.center, f.category, f.kind, f.scope, f.role, p_stream, f.value
      FROM ggzy_fresh f
     WHERE NOT EXISTS (SELECT 1 FROM ggzy.bucket b
                        WHERE b.metric = f.metric AND b.day = f.day AND b.center = f.center
                          AND b.category = f.category AND b.kind = f.kind
                          AND b.scope = f.scope AND b.role = f.role);
    GET DIAGNOSTICS n = ROW_COUNT;
    DELETE FROM ggzy_fresh;
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
