-- Figures of metrics per label set over a day range, for /metrics (the year
-- to date). Every metric asked for is one element of the parallel arrays:
--   $1 name, $2 numerator metric (a distinct metric: the base metric whose
--   rows' people it counts), $3 denominator metric (NULL: not a ratio),
--   $4 kind excluded from the numerator (NULL: none), $5 label bits kept
--   (1 center, 2 category, 4 kind, 8 scope, 16 role), $6 decimals of a sum,
--   $9 how its value is made (sum | ratio | distinct | stock).
-- $7 first day, $8 last day (inclusive).
-- A sum comes back as exact text rounded to its decimals, a ratio as float8
-- text computed from the exact sums (NULL when the denominator is zero), a
-- stock as its value on $8 (every flow up to it), a distinct count per
-- centre from the images. The range's whole months are read from
-- ggzy.cells_month, its loose days from ggzy.cells_day, each base metric
-- and label set summed once.
WITH def AS (
    SELECT *
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[],
                  $9::text[]) AS d(name, num, den, excl, labels, scale, total)
),
wanted AS (
    SELECT array_agg(DISTINCT m) FILTER (WHERE def.total IN ('sum', 'ratio')) AS metrics,
           array_agg(DISTINCT m) FILTER (WHERE def.total = 'stock') AS stocks
      FROM def, unnest(ARRAY[def.num, def.den]) AS m
     WHERE m IS NOT NULL
),
span AS (
    SELECT CASE WHEN mf < mt THEN mf ELSE $8::date + 1 END AS mf,
           CASE WHEN mf < mt THEN mt ELSE $8::date + 1 END AS mt
      FROM (SELECT CASE WHEN $7::date = date_trunc('month', $7::date::timestamp)::date
                        THEN $7::date
                        ELSE (date_trunc('month', $7::date::timestamp)
                              + interval '1 month')::date END AS mf,
                   date_trunc('month', ($8::date + 1)::timestamp)::date AS mt) m
),
-- The bounds and the metrics are scalar subqueries (one-time values to the
-- planner), not joins with span and wanted: so they are pushed into the
-- scans of the totals under the views, instead of every row of the store
-- being unpivoted first and filtered after (1 s against 0.15 s at 300
-- centres, tests/bench/sources.py).
base AS MATERIALIZED (
    SELECT c.stock, c.metric, c.center, c.category, c.kind, c.scope, c.role,
           sum(c.value) AS value
      FROM (SELECT false AS stock, b.metric, b.center, b.category, b.kind, b.scope, b.role,
                   b.value
              FROM ggzy.cells_month b
             WHERE b.month >= (SELECT mf FROM span) AND b.month < (SELECT mt FROM span)
               AND b.metric = ANY ((SELECT metrics FROM wanted)::text[])
            UNION ALL
            SELECT false, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
              FROM ggzy.cells_day b
             -- the loose days [$7, mf) and [mt, $8]
             WHERE (b.day BETWEEN $7::date AND (SELECT mf - 1 FROM span)
                    OR b.day BETWEEN (SELECT mt FROM span) AND $8::date)
               AND b.metric = ANY ((SELECT metrics FROM wanted)::text[])
            UNION ALL
            -- stocks: every flow up to $8
            SELECT true, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
              FROM ggzy.cells_month b
             WHERE b.month < date_trunc('month', $8::date::timestamp)::date
               AND b.metric = ANY ((SELECT stocks FROM wanted)::text[])
            UNION ALL
            SELECT true, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
              FROM ggzy.cells_day b
             WHERE b.day BETWEEN date_trunc('month', $8::date::timestamp)::date AND $8::date
               AND b.metric = ANY ((SELECT stocks FROM wanted)::text[])) c
     GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT d.name,
       CASE WHEN d.labels & 1 <> 0 THEN b.center ELSE '' END AS center,
       CASE WHEN d.labels & 2 <> 0 THEN b.category ELSE '' END AS category,
       CASE WHEN d.labels & 4 <> 0 THEN b.kind ELSE '' END AS kind,
       CASE WHEN d.labels & 8 <> 0 THEN b.scope ELSE '' END AS scope,
       CASE WHEN d.labels & 16 <> 0 THEN b.role ELSE '' END AS role,
       CASE WHEN d.den IS NULL
            THEN round(coalesce(sum(b.value) FILTER (WHERE b.metric = d.num
                                   AND b.kind IS DISTINCT FROM d.excl), 0),
                       d.scale)::text
            ELSE (sum(b.value) FILTER (WHERE b.metric = d.num)
                  / nullif(sum(b.value) FILTER (WHERE b.metric = d.den), 0))::float8::text
       END AS value
  FROM def d
  JOIN base b ON b.metric IN (d.num, d.den) AND b.stock = (d.total = 'stock')
 WHERE d.total <> 'distinct'
 GROUP BY 1, 2, 3, 4, 5, 6, d.den, d.scale
UNION ALL
SELECT d.name, p.center, '', '', '', '', p.n::text
  FROM def d, LATERAL ggzy.distinct_count(d.num, $7::date, $8::date, NULL, true) p
 WHERE d.total = 'distinct'
 ORDER BY 1, 2, 3, 4, 5, 6
