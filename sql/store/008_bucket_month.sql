-- Store schema, version 8: monthly totals of the daily buckets, and an
-- apply_days that writes only what changed.
--
-- The year-end report and the alert evaluator sum a year (and the same days
-- of the year before) per metric and label filter: read from ggzy.bucket
-- that is one row per metric, day and label set, ~260,000 rows per
-- indicator at a million deals, 9 s for a report without targets.
-- ggzy.bucket_month holds the same figures summed per calendar month (of the
-- centre's days), so a period reads its whole months here and only its
-- loose days from ggzy.bucket (queries/indicators.sql).
--
-- ggzy.apply_days keeps it exact in the same statement that replaces the
-- days: per month and label set it adds what the days' buckets moved by
-- (the new facts minus the old buckets, both of the given days only), so a
-- crash leaves both tables as they were or both replaced. A month's row may
-- come to hold 0; that is a correct sum.
--
-- apply_days of version 7 probed the primary key twice per fact (an UPDATE,
-- then an INSERT ... ON CONFLICT DO NOTHING) and bumped ggzy.store_version
-- whenever it was given days, so a poll that only re-read unchanged rows
-- (the overlap, a reconciliation finding a day unchanged) dropped every
-- answer kept on that version: series, the report's figures, /metrics.
-- This one hash-joins the facts with the days' old buckets and writes only
-- the difference; it bumps the version, and returns a count the daemon
-- moves its own generation on, only when a bucket was written or deleted.
-- A call without days (an idle poll recording itself) only moves the
-- watermark: the statement over the days cost 0.8 ms per stream and poll
-- for nothing.
CREATE TABLE ggzy.bucket_month (
    metric   text    NOT NULL,
    month    date    NOT NULL,  -- the first day of the month
    center   text    NOT NULL,
    category text    NOT NULL DEFAULT '',
    kind     text    NOT NULL DEFAULT '',
    scope    text    NOT NULL DEFAULT '',
    role     text    NOT NULL DEFAULT '',
    value    numeric NOT NULL,
    PRIMARY KEY (metric, month, center, category, kind, scope, role),
    CHECK (month = date_trunc('month', month::timestamp)::date)
);

INSERT INTO ggzy.bucket_month (metric, month, center, category, kind, scope, role, value)
SELECT metric, date_trunc('month', day::timestamp)::date, center, category, kind, scope, role,
       sum(value)
  FROM ggzy.bucket
 GROUP BY 1, 2, 3, 4, 5, 6, 7;

CREATE OR REPLACE FUNCTION ggzy.apply_days(p_stream text, p_days date[], p_facts json,
                                           p_states json, p_watermark timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer;
BEGIN
    -- Serialise writers of one stream (two daemons on one store).
    PERFORM pg_advisory_xact_lock(hashtext('ggzy.stream:' || p_stream));
    IF cardinality(p_days) > 0 THEN
        WITH fresh AS MATERIALIZED (
            SELECT f->>0 AS metric, (f->>1)::date AS day, f->>2 AS center, f->>3 AS category,
                   f->>4 AS kind, f->>5 AS scope, f->>6 AS role, sum((f->>7)::numeric) AS value
              FROM jsonb_array_elements(p_facts::jsonb) AS f
             GROUP BY 1, 2, 3, 4, 5, 6, 7
        ),
        old AS MATERIALIZED (
            -- The days' buckets, through the (stream, day) index. Every
            -- part of a statement reads the same snapshot: these are the
            -- buckets before this statement.
            SELECT b.ctid AS row_id, b.metric, b.day, b.center, b.category, b.kind, b.scope,
                   b.role, b.value
              FROM ggzy.bucket b
             WHERE b.stream = p_stream AND b.day = ANY (p_days)
        ),
        diff AS MATERIALIZED (
            -- The buckets that are new (no row_id), gone (no value) or
            -- changed; a hash join of the two, equal buckets left out.
            SELECT coalesce(f.metric, o.metric) AS metric, coalesce(f.day, o.day) AS day,
                   coalesce(f.center, o.center) AS center,
                   coalesce(f.category, o.category) AS category,
                   coalesce(f.kind, o.kind) AS kind, coalesce(f.scope, o.scope) AS scope,
                   coalesce(f.role, o.role) AS role, o.row_id, f.value AS value,
                   coalesce(f.value, 0) - coalesce(o.value, 0) AS delta
              FROM fresh f
              FULL JOIN old o
                ON o.metric = f.metric AND o.day = f.day AND o.center = f.center
               AND o.category = f.category AND o.kind = f.kind AND o.scope = f.scope
               AND o.role = f.role
             WHERE f.value IS DISTINCT FROM o.value
        ),
        vanished AS (
            DELETE FROM ggzy.bucket b
             WHERE b.ctid = ANY (ARRAY(SELECT row_id FROM diff WHERE value IS NULL))
            RETURNING 1
        ),
        changed AS (
            UPDATE ggzy.bucket b SET value = d.value
              FROM diff d
             WHERE b.ctid = ANY (ARRAY(SELECT row_id FROM diff
                                        WHERE row_id IS NOT NULL AND value IS NOT NULL))
               AND b.ctid = d.row_id
            RETURNING 1
        ),
        added AS (
            -- A bucket's metric belongs to one stream, so a new key of this
            -- stream's days is new to the table (else: a unique violation,
            -- and the poll fails loudly rather than losing the figure).
            INSERT INTO ggzy.bucket (metric, day, center, category, kind, scope, role, stream,
                                     value)
            SELECT d.metric, d.day, d.center, d.category, d.kind, d.scope, d.role, p_stream,
                   d.value
              FROM diff d
             WHERE d.row_id IS NULL
            RETURNING 1
        ),
        moved AS (
            -- Per month and label set, what the days moved by.
            INSERT INTO ggzy.bucket_month AS m (metric, month, center, category, kind, scope,
                                                role, value)
            SELECT d.metric, date_trunc('month', d.day::timestamp)::date, d.center, d.category,
                   d.kind, d.scope, d.role, sum(d.delta)
              FROM diff d
             GROUP BY 1, 2, 3, 4, 5, 6, 7
            HAVING sum(d.delta) <> 0
            ON CONFLICT (metric, month, center, category, kind, scope, role) DO UPDATE
                SET value = m.value + EXCLUDED.value
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM changed) + (SELECT count(*) FROM added)
               + (SELECT count(*) FROM vanished) + 0 * (SELECT count(*) FROM moved) INTO n;
        IF n > 0 THEN
            UPDATE ggzy.store_version SET version = version + 1;
        END IF;
        DELETE FROM ggzy.day_state WHERE stream = p_stream AND day = ANY (p_days);
        INSERT INTO ggzy.day_state (stream, day, rows, fingerprint)
        SELECT p_stream, (s->>0)::date, sum((s->>1)::bigint), sum((s->>2)::numeric)
          FROM jsonb_array_elements(p_states::jsonb) AS s
         GROUP BY 2;
    END IF;
    IF p_watermark IS NOT NULL THEN
        INSERT INTO ggzy.watermark (stream, updated_at, polled_at)
        VALUES (p_stream, p_watermark, now())
        ON CONFLICT (stream) DO UPDATE
            SET updated_at = greatest(ggzy.watermark.updated_at, EXCLUDED.updated_at),
                polled_at = EXCLUDED.polled_at;
    END IF;
    RETURN coalesce(n, 0);
END $$;
