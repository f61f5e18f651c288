-- ggzy.as_of: when the least recently polled stream of the given sources
-- ([source] names) was last polled (epoch seconds), i.e. every figure
-- includes what those sources held then; NULL until every one of their
-- streams has been polled once. A stream still served from version 8's
-- tables (an upgrade loading its images) counts with its old poll. Streams
-- the store derives are as new as what they are made of; a stream of an
-- optional relation counts once it has begun (a source may lack it).
CREATE OR REPLACE FUNCTION ggzy.as_of(p_sources text[])
RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN bool_and(polled IS NOT NULL) THEN extract(epoch FROM min(polled))::bigint END
      FROM (SELECT coalesce(CASE WHEN st.state = 'loaded' THEN st.polled_at END, w.polled_at)
                       AS polled
              FROM unnest(p_sources) AS n(name)
              JOIN ggzy.stream s ON s.kind = split_part(n.name, '.', 1)
              LEFT JOIN ggzy.source src ON src.name = n.name
              LEFT JOIN ggzy.stream_state st ON st.stream = s.id AND st.source = src.id
              LEFT JOIN ggzy.watermark w ON w.stream = s.name AND n.name = s.kind
             WHERE NOT s.derived AND (NOT s.optional OR st.stream IS NOT NULL)) x
$$;
