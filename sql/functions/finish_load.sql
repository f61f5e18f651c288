-- ggzy.finish_load: a stream of a source has all its images; its totals
-- are made from them in one pass, and become the stream's figures in this
-- transaction, which also deletes what version 8 held of the stream (an
-- upgraded store served those meanwhile). The first poll after it reads
-- from the load's earliest snapshot on (ggzy.begin_load), so nothing that
-- changed while the load ran is missed.
CREATE OR REPLACE FUNCTION ggzy.finish_load(p_stream smallint, p_source integer,
                                            p_watermark timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    v_name text;
    v_kind text;
    v_source_name text;
    n integer;
BEGIN
    PERFORM pg_advisory_xact_lock(p_stream, p_source);
    SELECT s.name, s.kind, src.name INTO v_name, v_kind, v_source_name
      FROM ggzy.stream s, ggzy.source src
     WHERE s.id = p_stream AND src.id = p_source;
    DELETE FROM ggzy.day_total WHERE stream = p_stream AND source = p_source;
    DELETE FROM ggzy.month_total WHERE stream = p_stream AND source = p_source;
    -- One pass over the images: per day and label set, then per month.
    WITH days AS MATERIALIZED (
        SELECT day, center, category, kind, scope, role, count(*) AS rows,
               sum(fingerprint) AS fingerprint, sum(m1) AS m1, sum(m2) AS m2, sum(m3) AS m3,
               sum(m4) AS m4, sum(m5) AS m5, sum(m6) AS m6, sum(m7) AS m7, sum(m8) AS m8,
               sum(m9) AS m9, sum(m10) AS m10, sum(m11) AS m11, sum(m12) AS m12
          FROM ggzy.image
         WHERE stream = p_stream AND source = p_source
         GROUP BY day, center, category, kind, scope, role
    ),
    by_day AS (
        INSERT INTO ggzy.day_total (stream, day, center, category, kind, scope, role, source,
                                    rows, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12)
        SELECT p_stream, day, center, category, kind, scope, role, p_source, rows,
               nullif(m1, 0), nullif(m2, 0), nullif(m3, 0), nullif(m4, 0), nullif(m5, 0),
               nullif(m6, 0), nullif(m7, 0), nullif(m8, 0), nullif(m9, 0), nullif(m10, 0),
               nullif(m11, 0), nullif(m12, 0)
          FROM days
        RETURNING 1
    ),
    by_month AS (
        INSERT INTO ggzy.month_total (stream, month, center, category, kind, scope, role,
                                      source, rows, fingerprint, m1, m2, m3, m4, m5, m6, m7,
                                      m8, m9, m10, m11, m12)
        SELECT p_stream, date_trunc('month', day::timestamp)::date, center, category, kind,
               scope, role, p_source, sum(rows), sum(fingerprint), nullif(sum(m1), 0),
               nullif(sum(m2), 0), nullif(sum(m3), 0), nullif(sum(m4), 0), nullif(sum(m5), 0),
               nullif(sum(m6), 0), nullif(sum(m7), 0), nullif(sum(m8), 0), nullif(sum(m9), 0),
               nullif(sum(m10), 0), nullif(sum(m11), 0), nullif(sum(m12), 0)
          FROM days
         GROUP BY 2, center, category, kind, scope, role
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM by_day) + 0 * (SELECT count(*) FROM by_month) INTO n;
    IF v_source_name = v_kind THEN
        -- The unnamed source of its kind is the one version 8 polled.
        DELETE FROM ggzy.bucket WHERE stream = v_name;
        DELETE FROM ggzy.bucket_month
         WHERE metric IN (SELECT metric FROM ggzy.measure WHERE stream = p_stream);
        DELETE FROM ggzy.day_state WHERE stream = v_name;
        DELETE FROM ggzy.watermark WHERE stream = v_name;
    END IF;
    UPDATE ggzy.stream_state
       SET state = 'loaded', watermark = greatest(watermark, p_watermark),
           source_clock = load_started_at, polled_at = now(), reconciled_at = now(),
           reconciled_all_at = now(), repaired_rows = 0
     WHERE stream = p_stream AND source = p_source;
    UPDATE ggzy.store_version SET version = version + 1;
    RETURN n;
END $$;
