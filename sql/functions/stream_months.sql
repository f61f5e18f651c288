-- ggzy.stream_months: per month from p_from on, what the store holds of a
-- stream of a source: its images and the sum of their fingerprints, which
-- reconciliation compares with the source's (sql/collectors/
-- stream_months.sql). From the monthly totals once loaded; while loading
-- (a load resumed after a kill), from the images themselves.
CREATE OR REPLACE FUNCTION ggzy.stream_months(p_stream smallint, p_source integer, p_from date)
RETURNS TABLE (month text, rows bigint, fingerprint numeric)
LANGUAGE plpgsql STABLE AS $$
BEGIN
    IF (SELECT state FROM ggzy.stream_state
         WHERE stream = p_stream AND source = p_source) = 'loaded' THEN
        RETURN QUERY
        SELECT to_char(t.month, 'YYYY-MM-DD'), sum(t.rows)::bigint, sum(t.fingerprint)
          FROM ggzy.month_total t
         WHERE t.stream = p_stream AND t.source = p_source AND t.month >= p_from
         GROUP BY t.month
        HAVING sum(t.rows) <> 0
         ORDER BY t.month;
    ELSE
        RETURN QUERY
        SELECT to_char(date_trunc('month', i.day::timestamp), 'YYYY-MM-DD'), count(*),
               sum(i.fingerprint)
          FROM ggzy.image i
         WHERE i.stream = p_stream AND i.source = p_source AND i.day >= p_from
         GROUP BY 1
         ORDER BY 1;
    END IF;
END $$;
