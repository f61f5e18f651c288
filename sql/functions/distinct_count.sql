-- ggzy.distinct_count: a distinct metric (SPEC §3: people counted once
-- however many rows they have) over the days [p_from, p_to], from the
-- images, never summed from smaller periods: the people (person, the keyed
-- hash of SPEC §2) of the rows where the base metric p_of is not 0 (the
-- assignments attended, for experts_participating_count), in the centres
-- p_centers (NULL: every centre). With p_by_center one row per centre (the
-- /metrics series), else one row with centre '' (none when nobody).
CREATE OR REPLACE FUNCTION ggzy.distinct_count(p_of text, p_from date, p_to date,
                                               p_centers text[], p_by_center boolean)
RETURNS TABLE (center text, n bigint) LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_stream smallint;
    v_position smallint;
BEGIN
    SELECT m.stream, m.position INTO v_stream, v_position
      FROM ggzy.measure m WHERE m.metric = p_of;
    IF v_stream IS NULL THEN
        RAISE EXCEPTION 'metric % has no measure column', p_of;
    END IF;
    -- The column is the measure's: written into the statement so that the
    -- partial index of the stream's people (migration 010) serves it.
    RETURN QUERY EXECUTE format(
        'SELECT CASE WHEN $4 THEN i.center ELSE '''' END, count(DISTINCT i.person)
           FROM ggzy.image i
          WHERE i.stream = %s AND i.m%s IS NOT NULL AND i.day BETWEEN $1 AND $2
            AND ($3 IS NULL OR i.center = ANY ($3))
          GROUP BY 1', v_stream, v_position)
    USING p_from, p_to, p_centers, p_by_center;
END $$;
