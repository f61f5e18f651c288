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
    n := ggzy.total_images(p_stream, p_source);
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
    IF p_stream IN (1, 2) THEN
        -- Deals or evaluations just became whole: so does what joins them
        -- (a trading source's deals join only its own derived images).
        PERFORM ggzy.rebuild_remote_evaluated(CASE WHEN p_stream = 1 THEN p_source END);
    END IF;
    UPDATE ggzy.store_version SET version = version + 1;
    RETURN n;
END $$;
