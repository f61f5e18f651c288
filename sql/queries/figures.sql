-- Sums of metrics per label set over a day range, for /metrics and the series
-- API. Every metric asked for is one element of the parallel arrays:
--   $1 name, $2 numerator metric, $3 denominator metric (NULL: a sum),
--   $4 kind excluded from the numerator (NULL: none), $5 label bits kept
--   (1 center, 2 category, 4 kind, 8 scope, 16 role), $6 decimals of a sum.
-- $7 first day, $8 last day (inclusive).
-- A sum comes back as exact text rounded to its decimals, a ratio as float8
-- text computed from the exact sums (NULL when the denominator is zero).
WITH def AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[])
                  AS d(name, num, den, excl, labels, scale)
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
  JOIN ggzy.bucket b ON b.metric IN (d.num, d.den)
 WHERE b.day BETWEEN $7::date AND $8::date
 GROUP BY 1, 2, 3, 4, 5, 6, d.den, d.scale
 ORDER BY 1, 2, 3, 4, 5, 6
