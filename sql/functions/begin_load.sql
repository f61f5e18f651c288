-- ggzy.begin_load: a stream of a source starts (or resumes) loading its
-- images from the source. p_clock is the source's clock as the load's
-- snapshot was taken: the earliest of a load's passes bounds the first poll
-- after it, so that whatever changed while it ran is read again.
CREATE OR REPLACE FUNCTION ggzy.begin_load(p_stream smallint, p_source integer,
                                           p_clock timestamptz, p_expected bigint)
RETURNS void LANGUAGE sql AS $$
    INSERT INTO ggzy.stream_state AS st (stream, source, state, load_started_at, rows_expected,
                                         rows_loaded)
    VALUES (p_stream, p_source, 'loading', p_clock, p_expected, 0)
    ON CONFLICT (stream, source) DO UPDATE
       SET load_started_at = least(st.load_started_at, EXCLUDED.load_started_at),
           rows_expected = EXCLUDED.rows_expected,
           rows_loaded = (SELECT count(*) FROM ggzy.image i
                           WHERE i.stream = p_stream AND i.source = p_source),
           state = 'loading'
$$;
