-- One metric as a series of periods (the series API).
-- $1 numerator metric, $2 denominator metric (NULL: a sum), $3 kind excluded
-- from the numerator (NULL: none), $4 from, $5 to (inclusive dates),
-- $6 step (day | week | month | quarter | year), $7 centre (with its
-- descendants), $8 category, $9 kind, $10 scope, $11 role (NULL: any),
-- $12 cumulative, $13 decimals of a sum.
-- A period that starts before $4 is reported from $4. A centre the store does
-- not know gives no periods at all. Steps made of months read whole months
-- from ggzy.cells_month, the rest from ggzy.cells_day (migration 009).
WITH periods AS (
    SELECT p::date AS pstart, greatest(p::date, $4::date) AS start
      FROM generate_series(date_trunc($6, $4::date::timestamp), $5::date::timestamp,
                           CASE $6 WHEN 'quarter' THEN interval '3 months'
                                   ELSE ('1 ' || $6)::interval END) AS p
     WHERE $7::text IS NULL OR EXISTS (SELECT 1 FROM ggzy.center WHERE center_code = $7)
),
span AS (
    -- With a step made of months, the whole months [mf, mt) of the range
    -- are read from the monthly totals and only the loose days at its ends
    -- from the daily totals; otherwise every day is loose (mf = mt).
    SELECT CASE WHEN $6 IN ('month', 'quarter', 'year') AND mf < mt THEN mf
                ELSE $5::date + 1 END AS mf,
           CASE WHEN $6 IN ('month', 'quarter', 'year') AND mf < mt THEN mt
                ELSE $5::date + 1 END AS mt
      FROM (SELECT CASE WHEN $4::date = date_trunc('month', $4::date::timestamp)::date
                        THEN $4::date
                        ELSE (date_trunc('month', $4::date::timestamp)
                              + interval '1 month')::date END AS mf,
                   date_trunc('month', ($5::date + 1)::timestamp)::date AS mt) m
),
loose AS (
    SELECT d1, d2
      FROM span s, LATERAL (VALUES ($4::date, s.mf - 1), (s.mt, $5::date)) AS r(d1, d2)
     WHERE d1 <= d2
),
cell AS (
    SELECT b.month AS day, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
      FROM span s
      JOIN ggzy.cells_month b ON b.month >= s.mf AND b.month < s.mt
     WHERE b.metric IN ($1, $2)
    UNION ALL
    SELECT b.day, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
      FROM loose l
      JOIN ggzy.cells_day b ON b.day BETWEEN l.d1 AND l.d2
     WHERE b.metric IN ($1, $2)
),
agg AS (
    SELECT date_trunc($6, c.day::timestamp)::date AS pstart,
           sum(c.value) FILTER (WHERE c.metric = $1 AND c.kind IS DISTINCT FROM $3) AS num,
           sum(c.value) FILTER (WHERE c.metric = $2) AS den
      FROM cell c
     WHERE ($7::text IS NULL OR c.center IN (SELECT ggzy.center_subtree($7)))
       AND ($8::text IS NULL OR c.category = $8)
       AND ($9::text IS NULL OR c.kind = $9)
       AND ($10::text IS NULL OR c.scope = $10)
       AND ($11::text IS NULL OR c.role = $11)
     GROUP BY 1
),
running AS (
    SELECT p.start,
           CASE WHEN $12::boolean THEN sum(coalesce(a.num, 0)) OVER w ELSE coalesce(a.num, 0) END AS num,
           CASE WHEN $12::boolean THEN sum(coalesce(a.den, 0)) OVER w ELSE coalesce(a.den, 0) END AS den
      FROM periods p LEFT JOIN agg a USING (pstart)
    WINDOW w AS (ORDER BY p.pstart)
)
SELECT to_char(start, 'YYYY-MM-DD'),
       round(num, $13::int)::text,
       (num / nullif(den, 0))::float8::text
  FROM running
 ORDER BY start
