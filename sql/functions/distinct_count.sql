-- ggzy.distinct_count: a distinct metric (SPEC §3: people counted once
-- however many rows they have) over the days [p_from, p_to], never summed
-- from smaller periods: the people (person, the keyed hash of SPEC §2) of
-- the images where the base metric p_of is not 0 (the assignments
-- attended, for experts_participating_count), in the centres p_centers
-- (NULL: every centre). With p_by_center one row per centre (the /metrics
-- series), else one row with centre '' (none when nobody).
-- A range inside one year whose other days hold none of those images (the
-- whole year; the year to date) is the year's people: ggzy.person_year,
-- one row per person and centre, read instead of one image per evaluation
-- once every source of the stream has loaded (it is made when a load
-- finishes). Its rows at 0 are deleted in the transaction that takes them
-- there, so the count reads the primary key alone (an index-only scan).
-- Any other range reads the images.
CREATE OR REPLACE FUNCTION ggzy.distinct_count(p_of text, p_from date, p_to date,
                                               p_centers text[], p_by_center boolean)
RETURNS TABLE (center text, n bigint) LANGUAGE plpgsql STABLE AS $$
DECLARE
    v_stream smallint;
    v_position smallint;
    v_people boolean;
    v_year integer := extract(year FROM p_from);
    v_outside boolean := true;
BEGIN
    SELECT m.stream, m.position, m.people INTO v_stream, v_position, v_people
      FROM ggzy.measure m WHERE m.metric = p_of;
    IF v_stream IS NULL THEN
        RAISE EXCEPTION 'metric % has no measure column', p_of;
    END IF;
    -- Every source of the stream loaded, and each with images in the year
    -- has its people there too (a consolidated store whose subscription
    -- does not copy ggzy.person_year yet reads the images, never zeros).
    IF v_people AND v_year = extract(year FROM p_to) AND p_from <= p_to
       AND NOT EXISTS (
           SELECT 1 FROM ggzy.stream_state st
            WHERE st.stream = v_stream
              AND (st.state <> 'loaded'
                   -- (the month totals, not the images: a probe of the
                   -- images planned as a scan read 10 GB at 10 M, 90 s)
                   OR EXISTS (SELECT 1 FROM ggzy.month_total t
                               WHERE t.stream = st.stream AND t.source = st.source
                                 AND t.month BETWEEN make_date(v_year, 1, 1)
                                                 AND make_date(v_year, 12, 1))
                      AND NOT EXISTS (SELECT 1 FROM ggzy.person_year p
                                       WHERE p.stream = st.stream AND p.position = v_position
                                         AND p.year = v_year AND p.source = st.source))) THEN
        -- The column is the measure's, written into the statement so that
        -- the partial index of the stream's people (migration 010) serves
        -- this probe as it serves the count below.
        EXECUTE format(
            'SELECT EXISTS (SELECT 1 FROM ggzy.image i
                             WHERE i.stream = %s AND i.m%s IS NOT NULL
                               AND (i.day >= $1 AND i.day < $2 OR i.day > $3 AND i.day <= $4))',
            v_stream, v_position)
        INTO v_outside
        USING make_date(v_year, 1, 1), p_from, p_to, make_date(v_year, 12, 31);
    END IF;
    IF NOT v_outside THEN
        RETURN QUERY
        SELECT CASE WHEN p_by_center THEN p.center ELSE '' END, count(DISTINCT p.person)
          FROM ggzy.person_year p
         WHERE p.stream = v_stream AND p.position = v_position AND p.year = v_year
           AND (p_centers IS NULL OR p.center = ANY (p_centers))
         GROUP BY 1;
        RETURN;
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT CASE WHEN $4 THEN i.center ELSE '''' END, count(DISTINCT i.person)
           FROM ggzy.image i
          WHERE i.stream = %s AND i.m%s IS NOT NULL AND i.day BETWEEN $1 AND $2
            AND ($3 IS NULL OR i.center = ANY ($3))
          GROUP BY 1', v_stream, v_position)
    USING p_from, p_to, p_centers, p_by_center;
END $$;
