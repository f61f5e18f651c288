-- Exact sums behind the indicators of the targets file (the year-end report,
-- alert pacing), over two periods at once.
-- Parallel arrays, one element per indicator:
--   $1 numerator metric, $2 denominator metric (NULL: the indicator is a sum),
--   $3 kind excluded from the numerator (NULL: none),
--   $4 category, $5 kind, $6 scope, $7 role (NULL: any value).
-- $8 centre, with its descendants (NULL: all centres);
-- $9..$10 the first period, $11..$12 the second (inclusive dates).
-- Returns one row per indicator, in order, with exact numeric text; a sum
-- over no rows is 0.
--
-- A period's whole months are read from the monthly totals
-- (ggzy.cells_month), its other days from the daily ones (ggzy.cells_day);
-- both are
-- summed once per metric and label set, and each indicator then adds up
-- the few sums that match it.
WITH ind AS (
    SELECT *
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                  $6::text[], $7::text[])
           WITH ORDINALITY AS i(num, den, excl, category, kind, scope, role, n)
),
wanted AS (
    SELECT array_agg(DISTINCT m) AS metrics
      FROM ind, unnest(ARRAY[ind.num, ind.den]) AS m
     WHERE m IS NOT NULL
),
period AS (
    -- Whole months [mf, mt) and loose days [f, mf) and [mt, t]; a period
    -- without a whole month is all loose days (mf = mt = t + 1).
    SELECT k, f, t,
           CASE WHEN mf < mt THEN mf ELSE t + 1 END AS mf,
           CASE WHEN mf < mt THEN mt ELSE t + 1 END AS mt
      FROM (SELECT k, f, t,
                   CASE WHEN f = date_trunc('month', f::timestamp)::date THEN f
                        ELSE (date_trunc('month', f::timestamp) + interval '1 month')::date
                   END AS mf,
                   date_trunc('month', (t + 1)::timestamp)::date AS mt
              FROM (VALUES (1, $9::date, $10::date), (2, $11::date, $12::date)) AS v(k, f, t)) p
),
loose AS (
    -- The loose days as inclusive ranges, none of them empty.
    SELECT k, d1, d2
      FROM period p,
           LATERAL (VALUES (p.f, p.mf - 1), (p.mt, p.t)) AS r(d1, d2)
     WHERE d1 <= d2
),
centers AS (
    SELECT ggzy.center_subtree($8::text) AS center
),
cell AS (
    SELECT p.k, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
      FROM period p CROSS JOIN wanted w
      JOIN ggzy.cells_month b ON b.month >= p.mf AND b.month < p.mt
     WHERE b.metric = ANY (w.metrics)
    UNION ALL
    SELECT l.k, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
      FROM loose l CROSS JOIN wanted w
      JOIN ggzy.cells_day b ON b.day BETWEEN l.d1 AND l.d2
     WHERE b.metric = ANY (w.metrics)
),
total AS MATERIALIZED (
    SELECT k, metric, category, kind, scope, role, sum(value) AS value
      FROM cell
     WHERE $8::text IS NULL OR center IN (SELECT center FROM centers)
     GROUP BY 1, 2, 3, 4, 5, 6
)
SELECT i.n,
       coalesce(s.num_cur, 0)::text,
       coalesce(s.den_cur, 0)::text,
       coalesce(s.num_prev, 0)::text,
       coalesce(s.den_prev, 0)::text
  FROM ind i
  LEFT JOIN LATERAL (
      SELECT sum(t.value) FILTER (WHERE t.metric = i.num AND t.kind IS DISTINCT FROM i.excl
                                    AND t.k = 1) AS num_cur,
             sum(t.value) FILTER (WHERE t.metric = i.den AND t.k = 1) AS den_cur,
             sum(t.value) FILTER (WHERE t.metric = i.num AND t.kind IS DISTINCT FROM i.excl
                                    AND t.k = 2) AS num_prev,
             sum(t.value) FILTER (WHERE t.metric = i.den AND t.k = 2) AS den_prev
        FROM total t
       WHERE t.metric IN (i.num, i.den)
         AND (i.category IS NULL OR t.category = i.category)
         AND (i.kind IS NULL OR t.kind = i.kind)
         AND (i.scope IS NULL OR t.scope = i.scope)
         AND (i.role IS NULL OR t.role = i.role)
  ) s ON true
 ORDER BY i.n
