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
-- centre (ggzy.distinct_count). The range's whole months are read from
-- ggzy.month_total, its loose days from ggzy.day_total, each total once.
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
-- The streams whose measures are asked for: summed over the range (flows)
-- or up to $8 (stocks).
streams AS (
    SELECT array_agg(DISTINCT m.stream) FILTER (WHERE m.metric = ANY (w.metrics)) AS flows,
           array_agg(DISTINCT m.stream) FILTER (WHERE m.metric = ANY (w.stocks)) AS stocks
      FROM ggzy.measure m, wanted w
),
-- Each total row is read once, its twelve measures at a time, and summed
-- per label set before it is split into metrics: split first, every row
-- was read once per metric of its stream (27 times for the deals' month
-- totals; 1.4 s of the 2.0 s this query took at 1 M deals). The bounds and
-- the streams are scalar subqueries (one-time values to the planner), so
-- that each branch is a range of the totals' primary key (stream, day or
-- month), not a scan of every total.
totals AS MATERIALIZED (
    SELECT t.stock, t.stream, t.center, t.category, t.kind, t.scope, t.role,
           sum(t.m1) AS m1, sum(t.m2) AS m2, sum(t.m3) AS m3, sum(t.m4) AS m4,
           sum(t.m5) AS m5, sum(t.m6) AS m6, sum(t.m7) AS m7, sum(t.m8) AS m8,
           sum(t.m9) AS m9, sum(t.m10) AS m10, sum(t.m11) AS m11, sum(t.m12) AS m12
      FROM (SELECT false AS stock, stream, center, category, kind, scope, role,
                   m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12
              FROM ggzy.month_total
             WHERE stream = ANY ((SELECT flows FROM streams)::smallint[])
               AND month >= (SELECT mf FROM span) AND month < (SELECT mt FROM span)
            UNION ALL
            -- the loose days [$7, mf) and [mt, $8]
            SELECT false, stream, center, category, kind, scope, role,
                   m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12
              FROM ggzy.day_total
             WHERE stream = ANY ((SELECT flows FROM streams)::smallint[])
               AND day BETWEEN $7::date AND (SELECT mf - 1 FROM span)
            UNION ALL
            SELECT false, stream, center, category, kind, scope, role,
                   m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12
              FROM ggzy.day_total
             WHERE stream = ANY ((SELECT flows FROM streams)::smallint[])
               AND day BETWEEN (SELECT mt FROM span) AND $8::date
            UNION ALL
            -- stocks: every flow up to $8
            SELECT true, stream, center, category, kind, scope, role,
                   m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12
              FROM ggzy.month_total
             WHERE stream = ANY ((SELECT stocks FROM streams)::smallint[])
               AND month < date_trunc('month', $8::date::timestamp)::date
            UNION ALL
            SELECT true, stream, center, category, kind, scope, role,
                   m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12
              FROM ggzy.day_total
             WHERE stream = ANY ((SELECT stocks FROM streams)::smallint[])
               AND day BETWEEN date_trunc('month', $8::date::timestamp)::date AND $8::date) t
     GROUP BY 1, 2, 3, 4, 5, 6, 7
),
-- Per metric and label set (the measure's labels kept), split as
-- ggzy.cells_month and ggzy.cells_day split them (ggzy.measure_value,
-- ggzy.label_kept; migration 015) but after the sums, with version 8's totals (ggzy.bucket_month,
-- ggzy.bucket) that an upgraded store serves while it loads the images.
base AS MATERIALIZED (
    SELECT c.stock, c.metric, c.center, c.category, c.kind, c.scope, c.role,
           sum(c.value) AS value
      FROM (SELECT t.stock, m.metric,
                   ggzy.label_kept(m.labels, 1, t.center) AS center,
                   ggzy.label_kept(m.labels, 2, t.category) AS category,
                   ggzy.label_kept(m.labels, 4, t.kind) AS kind,
                   ggzy.label_kept(m.labels, 8, t.scope) AS scope,
                   ggzy.label_kept(m.labels, 16, t.role) AS role,
                   coalesce(ggzy.measure_value(m.position, t.m1, t.m2, t.m3, t.m4, t.m5, t.m6,
                                                t.m7, t.m8, t.m9, t.m10, t.m11, t.m12),
                            0) AS value
              FROM totals t
              JOIN ggzy.measure m ON m.stream = t.stream
             WHERE m.metric = ANY (CASE WHEN t.stock THEN (SELECT stocks FROM wanted)
                                        ELSE (SELECT metrics FROM wanted) END)
            UNION ALL
            SELECT false, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
              FROM ggzy.bucket_month b
             WHERE b.month >= (SELECT mf FROM span) AND b.month < (SELECT mt FROM span)
               AND b.metric = ANY ((SELECT metrics FROM wanted)::text[])
            UNION ALL
            SELECT false, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
              FROM ggzy.bucket b
             WHERE (b.day BETWEEN $7::date AND (SELECT mf - 1 FROM span)
                    OR b.day BETWEEN (SELECT mt FROM span) AND $8::date)
               AND b.metric = ANY ((SELECT metrics FROM wanted)::text[])
            UNION ALL
            SELECT true, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
              FROM ggzy.bucket_month b
             WHERE b.month < date_trunc('month', $8::date::timestamp)::date
               AND b.metric = ANY ((SELECT stocks FROM wanted)::text[])
            UNION ALL
            SELECT true, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
              FROM ggzy.bucket b
             WHERE b.day BETWEEN date_trunc('month', $8::date::timestamp)::date AND $8::date
               AND b.metric = ANY ((SELECT stocks FROM wanted)::text[])) c
     GROUP BY 1, 2, 3, 4, 5, 6, 7
)
SELECT d.name,
       ggzy.label_kept(d.labels, 1, b.center) AS center,
       ggzy.label_kept(d.labels, 2, b.category) AS category,
       ggzy.label_kept(d.labels, 4, b.kind) AS kind,
       ggzy.label_kept(d.labels, 8, b.scope) AS scope,
       ggzy.label_kept(d.labels, 16, b.role) AS role,
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
