-- Exact figures behind the indicators of the targets file (the year-end
-- report, alert pacing, the ranking), each over two periods of its own.
-- Parallel arrays, one element per indicator:
--   $1 numerator metric (a distinct metric: the base metric whose rows'
--   people it counts), $2 denominator metric (NULL: not a ratio),
--   $3 kind excluded from the numerator (NULL: none),
--   $4 category, $5 kind, $6 scope, $7 role (a comma-separated list of
--   values, their union; NULL: any value),
--   $9..$10 its first period, $11..$12 its second (inclusive dates),
--   $13 how a period's value is made (sum | ratio | distinct | stock).
-- $8 centre, with its descendants (NULL: all centres).
-- Returns one row per indicator, in order, with exact numeric text; a sum
-- over no rows is 0. A stock's value is on its period's last day (every
-- flow up to it); a distinct count is over its period, from the images.
--
-- A period's whole months are read from the monthly totals
-- (ggzy.cells_month), its other days from the daily ones (ggzy.cells_day);
-- each distinct period is summed once per metric and label set, and each
-- indicator then adds up the few sums that match it.
WITH ind AS (
    SELECT i.*,
           CASE WHEN i.total = 'stock' THEN DATE '1900-01-01' ELSE i.f1 END AS s1,
           CASE WHEN i.total = 'stock' THEN DATE '1900-01-01' ELSE i.f2 END AS s2
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                  $6::text[], $7::text[], $9::date[], $10::date[], $11::date[], $12::date[],
                  $13::text[])
           WITH ORDINALITY AS i(num, den, excl, category, kind, scope, role, f1, t1, f2, t2,
                                total, n)
),
wanted AS (
    -- Per period (from, to): the metrics summed over it.
    SELECT v.f, v.t, array_agg(DISTINCT m) AS metrics
      FROM ind i,
           LATERAL (VALUES (i.s1, i.t1), (i.s2, i.t2)) AS v(f, t),
           unnest(ARRAY[i.num, i.den]) AS m
     WHERE m IS NOT NULL AND i.total <> 'distinct'
     GROUP BY v.f, v.t
),
period AS (
    -- Whole months [mf, mt) and loose days [f, mf) and [mt, t]; a period
    -- without a whole month is all loose days (mf = mt = t + 1).
    SELECT f, t, metrics,
           CASE WHEN mf < mt THEN mf ELSE t + 1 END AS mf,
           CASE WHEN mf < mt THEN mt ELSE t + 1 END AS mt
      FROM (SELECT f, t, metrics,
                   CASE WHEN f = date_trunc('month', f::timestamp)::date THEN f
                        ELSE (date_trunc('month', f::timestamp) + interval '1 month')::date
                   END AS mf,
                   date_trunc('month', (t + 1)::timestamp)::date AS mt
              FROM wanted) p
),
loose AS (
    -- The loose days as inclusive ranges, none of them empty.
    SELECT p.f, p.t, p.metrics, d1, d2
      FROM period p,
           LATERAL (VALUES (p.f, p.mf - 1), (p.mt, p.t)) AS r(d1, d2)
     WHERE d1 <= d2
),
centers AS (
    SELECT ggzy.center_subtree($8::text) AS center
),
-- Besides the joins with each period, the scans get the bounds of all
-- periods and the metrics of any as scalar subqueries (one-time values to
-- the planner), which it pushes into the scans of the totals under the
-- views: otherwise every row of the store is unpivoted before the join.
cell AS (
    SELECT p.f, p.t, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
      FROM period p
      JOIN ggzy.cells_month b ON b.month >= p.mf AND b.month < p.mt
     WHERE b.metric = ANY (p.metrics)
       AND b.month >= (SELECT min(mf) FROM period) AND b.month < (SELECT max(mt) FROM period)
       AND b.metric = ANY ((SELECT array_agg(DISTINCT m) FROM wanted, unnest(metrics) m)::text[])
    UNION ALL
    SELECT l.f, l.t, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
      FROM loose l
      JOIN ggzy.cells_day b ON b.day BETWEEN l.d1 AND l.d2
     WHERE b.metric = ANY (l.metrics)
       AND b.day >= (SELECT min(d1) FROM loose) AND b.day <= (SELECT max(d2) FROM loose)
       AND b.metric = ANY ((SELECT array_agg(DISTINCT m) FROM wanted, unnest(metrics) m)::text[])
),
total AS MATERIALIZED (
    SELECT f, t, metric, category, kind, scope, role, sum(value) AS value
      FROM cell
     WHERE $8::text IS NULL OR center IN (SELECT center FROM centers)
     GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT i.n,
       coalesce(CASE WHEN i.total = 'distinct' THEN
                    (SELECT sum(d.n) FROM ggzy.distinct_count(
                         i.num, i.f1, i.t1,
                         CASE WHEN $8::text IS NOT NULL
                              THEN (SELECT array_agg(center) FROM centers) END, false) d)
                ELSE s.num_cur END, 0)::text,
       coalesce(s.den_cur, 0)::text,
       coalesce(CASE WHEN i.total = 'distinct' THEN
                    (SELECT sum(d.n) FROM ggzy.distinct_count(
                         i.num, i.f2, i.t2,
                         CASE WHEN $8::text IS NOT NULL
                              THEN (SELECT array_agg(center) FROM centers) END, false) d)
                ELSE s.num_prev END, 0)::text,
       coalesce(s.den_prev, 0)::text
  FROM ind i
  LEFT JOIN LATERAL (
      SELECT sum(t.value) FILTER (WHERE t.metric = i.num AND t.kind IS DISTINCT FROM i.excl
                                    AND t.f = i.s1 AND t.t = i.t1) AS num_cur,
             sum(t.value) FILTER (WHERE t.metric = i.den AND t.f = i.s1 AND t.t = i.t1)
                 AS den_cur,
             sum(t.value) FILTER (WHERE t.metric = i.num AND t.kind IS DISTINCT FROM i.excl
                                    AND t.f = i.s2 AND t.t = i.t2) AS num_prev,
             sum(t.value) FILTER (WHERE t.metric = i.den AND t.f = i.s2 AND t.t = i.t2)
                 AS den_prev
        FROM total t
       WHERE t.metric IN (i.num, i.den)
         AND (i.category IS NULL OR t.category = ANY (string_to_array(i.category, ',')))
         AND (i.kind IS NULL OR t.kind = ANY (string_to_array(i.kind, ',')))
         AND (i.scope IS NULL OR t.scope = ANY (string_to_array(i.scope, ',')))
         AND (i.role IS NULL OR t.role = ANY (string_to_array(i.role, ',')))
  ) s ON i.total <> 'distinct'
 ORDER BY i.n
