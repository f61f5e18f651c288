-- ggzy.diff_keys: the row-by-row comparison of the months a reconciliation
-- found different. pg_temp.ggzy_stage holds the source's keys and
-- fingerprints of those months (p_months, their first days); the result is
-- every key to fetch from the source again: those the store lacks or holds
-- with another fingerprint (may_delete false), and those the store holds
-- in these months that the source did not list (may_delete true: moved to
-- another month, or gone; the daemon asks the source by key, and retracts
-- those it no longer has).
CREATE OR REPLACE FUNCTION ggzy.diff_keys(p_stream smallint, p_source integer, p_months date[])
RETURNS TABLE (key text, may_delete boolean)
LANGUAGE sql STABLE AS $$
    WITH listed AS MATERIALIZED (
        SELECT DISTINCT ON (s.key) s.key, s.fingerprint FROM pg_temp.ggzy_stage s ORDER BY s.key
    ),
    held AS MATERIALIZED (
        SELECT i.key, i.fingerprint
          FROM ggzy.image i,
               LATERAL unnest(p_months) AS m(first)
         WHERE i.stream = p_stream AND i.source = p_source
           AND i.day >= m.first AND i.day < (m.first + interval '1 month')::date
    )
    SELECT l.key, false
      FROM listed l
      LEFT JOIN ggzy.image i ON i.stream = p_stream AND i.source = p_source AND i.key = l.key
     WHERE i.key IS NULL OR i.fingerprint <> l.fingerprint
    UNION ALL
    SELECT h.key, true
      FROM held h
     WHERE NOT EXISTS (SELECT 1 FROM listed l WHERE l.key = h.key)
$$;
