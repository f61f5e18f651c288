-- Store schema, version 8: ggzy.apply_days writes a fact with one probe of
-- the primary key, and moves the figures' version only when a figure moved.
--
-- Version 7 probed the primary key twice per fact: an UPDATE of the changed
-- values, then an INSERT ... ON CONFLICT DO NOTHING of the new buckets. One
-- INSERT ... ON CONFLICT DO UPDATE, writing only where the value differs,
-- does both.
--
-- Version 7 bumped ggzy.store_version whenever it was given days, so a poll
-- that only re-read unchanged rows (the overlap, a reconciliation that found
-- a day unchanged) dropped every answer kept on that version: series, the
-- report's figures, /metrics. Now the version moves only when a bucket was
-- written or deleted, and the function returns that count, so that the
-- daemon moves its own generation on the same condition. Everything else is
-- version 7.
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
    written AS (
        -- Per fact, one probe of the primary key: new buckets are inserted,
        -- changed ones updated, equal ones left alone (no new row version).
        INSERT INTO ggzy.bucket AS b (metric, day, center, category, kind, scope, role, stream,
                                      value)
        SELECT f.metric, f.day, f.center, f.category, f.kind, f.scope, f.role, p_stream, f.value
          FROM fresh f
        ON CONFLICT (metric, day, center, category, kind, scope, role) DO UPDATE
            SET value = EXCLUDED.value, stream = EXCLUDED.stream
          WHERE b.value <> EXCLUDED.value OR b.stream <> EXCLUDED.stream
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM written) + (SELECT count(*) FROM vanished) INTO n;
    IF n > 0 THEN
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
