-- Store schema, version 5: a version number of the figures.
--
-- The HTTP side keeps answers (the series API) while the store has not
-- changed. A daemon knows its own commits, but not those of another process
-- on the same store (a cron --once, a second daemon): every commit that can
-- change a figure bumps this number in its own transaction, and a reader
-- compares it (one-row read) before serving a kept answer.
CREATE TABLE ggzy.store_version (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    version bigint NOT NULL
);
INSERT INTO ggzy.store_version (one, version) VALUES (true, 0);

-- apply_days of version 4, bumping the version when it was given days.
CREATE OR REPLACE FUNCTION ggzy.apply_days(p_stream text, p_days date[], p_facts json,
                                           p_states json, p_watermark timestamptz)
RETURNS integer LANGUAGE plpgsql
SET enable_nestloop = off
AS $$
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
    old AS MATERIALIZED (
        SELECT b.ctid AS row_id, b.metric, b.day, b.center, b.category, b.kind, b.scope,
               b.role, b.value
          FROM ggzy.bucket b
         WHERE b.stream = p_stream AND b.day = ANY (p_days)
    ),
    changed AS (
        UPDATE ggzy.bucket b SET value = f.value
          FROM old o JOIN fresh f USING (metric, day, center, category, kind, scope, role)
         WHERE b.ctid = o.row_id AND o.value <> f.value
        RETURNING 1
    ),
    vanished AS (
        DELETE FROM ggzy.bucket b
         USING old o
         WHERE b.ctid = o.row_id
           AND NOT EXISTS (SELECT 1 FROM fresh f
                            WHERE f.metric = o.metric AND f.day = o.day
                              AND f.center = o.center AND f.category = o.category
                              AND f.kind = o.kind AND f.scope = o.scope AND f.role = o.role)
        RETURNING 1
    ),
    added AS (
        INSERT INTO ggzy.bucket (metric, day, center, category, kind, scope, role, stream, value)
        SELECT f.metric, f.day, f.center, f.category, f.kind, f.scope, f.role, p_stream, f.value
          FROM fresh f
         WHERE NOT EXISTS (SELECT 1 FROM old o
                            WHERE o.metric = f.metric AND o.day = f.day
                              AND o.center = f.center AND o.category = f.category
                              AND o.kind = f.kind AND o.scope = f.scope AND o.role = f.role)
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

-- replace_centers of version 1, bumping the version when the hierarchy
-- changed (it decides what a centre's figures include).
CREATE OR REPLACE FUNCTION ggzy.replace_centers(p_rows json) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
    changed integer;
BEGIN
    DELETE FROM ggzy.center
     WHERE center_code NOT IN (SELECT r->>0 FROM json_array_elements(p_rows) AS r);
    GET DIAGNOSTICS changed = ROW_COUNT;
    INSERT INTO ggzy.center AS c (center_code, name, parent_code, level)
    SELECT r->>0, r->>1, r->>2, r->>3 FROM json_array_elements(p_rows) AS r
    ON CONFLICT (center_code) DO UPDATE
        SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code,
            level = EXCLUDED.level
      WHERE (c.name, c.parent_code, c.level)
            IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.parent_code, EXCLUDED.level);
    GET DIAGNOSTICS n = ROW_COUNT;
    IF changed + n > 0 THEN
        UPDATE ggzy.store_version SET version = version + 1;
    END IF;
    RETURN (SELECT count(*)::integer FROM json_array_elements(p_rows));
END $$;
