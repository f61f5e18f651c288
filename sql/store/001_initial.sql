-- Store schema, version 1. Applied by the daemon itself inside a transaction;
-- never edit a released migration, add the next number instead.

CREATE SCHEMA IF NOT EXISTS ggzy;

-- One row per metric, day and label set. Labels a metric does not carry are ''.
-- value is exact: counts are integers, amounts have two decimals.
CREATE TABLE ggzy.bucket (
    metric   text    NOT NULL,
    day      date    NOT NULL,
    center   text    NOT NULL,
    category text    NOT NULL DEFAULT '',
    kind     text    NOT NULL DEFAULT '',
    scope    text    NOT NULL DEFAULT '',
    role     text    NOT NULL DEFAULT '',
    stream   text    NOT NULL,
    value    numeric NOT NULL,
    PRIMARY KEY (metric, day, center, category, kind, scope, role)
);
CREATE INDEX bucket_stream_day_idx ON ggzy.bucket (stream, day);

-- What the source held for a day when it was last recomputed: the row count
-- and the sum of the rows' hashes. Reconciliation compares these per month.
CREATE TABLE ggzy.day_state (
    stream      text    NOT NULL,
    day         date    NOT NULL,
    rows        bigint  NOT NULL,
    fingerprint numeric NOT NULL,
    PRIMARY KEY (stream, day)
);

-- The incremental poll position of every stream, committed with its buckets.
CREATE TABLE ggzy.watermark (
    stream     text        PRIMARY KEY,
    updated_at timestamptz NOT NULL,
    polled_at  timestamptz NOT NULL
);

-- The centre hierarchy, copied from the trading source.
CREATE TABLE ggzy.center (
    center_code text PRIMARY KEY,
    name        text NOT NULL,
    parent_code text NULL,
    level       text NOT NULL
);

-- Replaces the given days of a stream in one transaction (a statement is
-- one), and moves the watermark with them when one is given, so that a crash
-- at any moment leaves either the old days and watermark or the new ones.
-- p_facts: [[metric, day, center, category, kind, scope, role, value], ...]
-- p_states: [[day, rows, fingerprint], ...] (summed per day here).
CREATE FUNCTION ggzy.apply_days(p_stream text, p_days date[], p_facts json,
                                p_states json, p_watermark timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    -- Serialise writers of one stream (two daemons on one store).
    PERFORM pg_advisory_xact_lock(hashtext('ggzy.stream:' || p_stream));
    DELETE FROM ggzy.bucket WHERE stream = p_stream AND day = ANY (p_days);
    DELETE FROM ggzy.day_state WHERE stream = p_stream AND day = ANY (p_days);
    INSERT INTO ggzy.bucket (metric, day, center, category, kind, scope, role, stream, value)
    SELECT f->>0, (f->>1)::date, f->>2, f->>3, f->>4, f->>5, f->>6, p_stream,
           sum((f->>7)::numeric)
      FROM json_array_elements(p_facts) AS f
     GROUP BY 1, 2, 3, 4, 5, 6, 7;
    GET DIAGNOSTICS n = ROW_COUNT;
    INSERT INTO ggzy.day_state (stream, day, rows, fingerprint)
    SELECT p_stream, (s->>0)::date, sum((s->>1)::bigint), sum((s->>2)::numeric)
      FROM json_array_elements(p_states) AS s
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

CREATE FUNCTION ggzy.replace_centers(p_rows json) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    DELETE FROM ggzy.center
     WHERE center_code NOT IN (SELECT r->>0 FROM json_array_elements(p_rows) AS r);
    INSERT INTO ggzy.center (center_code, name, parent_code, level)
    SELECT r->>0, r->>1, r->>2, r->>3 FROM json_array_elements(p_rows) AS r
    ON CONFLICT (center_code) DO UPDATE
        SET name = EXCLUDED.name, parent_code = EXCLUDED.parent_code,
            level = EXCLUDED.level;
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

-- A centre and all of its descendants (cycles in the source are cut).
CREATE FUNCTION ggzy.center_subtree(p_center text) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE sub(code, path) AS (
        SELECT p_center, ARRAY[p_center]
        UNION ALL
        SELECT c.center_code, sub.path || c.center_code
          FROM ggzy.center c JOIN sub ON c.parent_code = sub.code
         WHERE c.center_code <> ALL (sub.path)
    )
    SELECT code FROM sub
$$;
