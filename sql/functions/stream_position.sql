-- ggzy.stream_position: where a stream of a source stands, for the
-- scheduler: its state (NULL: never loaded; 'legacy': its figures are still
-- version 8's buckets; 'loading'; 'loaded'), the bound of its next poll
-- (the later of its watermark and of the source's clock at the previous
-- poll, minus the overlap), and how far a load has come.
CREATE OR REPLACE FUNCTION ggzy.stream_position(p_stream smallint, p_source integer,
                                                p_overlap interval)
RETURNS TABLE (state text, bound timestamptz, rows_loaded bigint, rows_expected bigint,
               images bigint)
-- plpgsql, not sql: its statement's plan is kept for the session, where a
-- sql function's body is planned again at every call (0.65 ms of an idle
-- poll's 1 ms per stream).
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN QUERY
    SELECT coalesce(st.state,
                    CASE WHEN EXISTS (SELECT 1 FROM ggzy.watermark w
                                        JOIN ggzy.stream s ON s.name = w.stream
                                        JOIN ggzy.source src ON src.kind = s.kind
                                       WHERE s.id = p_stream AND src.id = p_source
                                         AND src.name = src.kind)
                         THEN 'legacy' END),
           greatest(st.watermark, st.source_clock) - p_overlap,
           st.rows_loaded, st.rows_expected,
           -- whether a load has images already (it resumes): asked only
           -- while loading, through the primary key (a LIMIT 1 over the
           -- images was planned as a scan of the table)
           CASE WHEN st.state IS DISTINCT FROM 'loaded' THEN
               (SELECT count(*) FROM (SELECT 1 FROM ggzy.image i
                                       WHERE i.stream = p_stream AND i.source = p_source
                                       ORDER BY i.stream, i.source, i.key LIMIT 1) x)
           ELSE 0 END
      FROM (SELECT 1) one
      LEFT JOIN ggzy.stream_state st ON st.stream = p_stream AND st.source = p_source;
END
$$;
