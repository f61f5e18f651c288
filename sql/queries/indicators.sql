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
WITH ind AS (
    SELECT *
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                  $6::text[], $7::text[])
           WITH ORDINALITY AS i(num, den, excl, category, kind, scope, role, n)
),
centers AS (
    SELECT ggzy.center_subtree($8::text) AS center
)
SELECT i.n,
       coalesce(s.num_cur, 0)::text,
       coalesce(s.den_cur, 0)::text,
       coalesce(s.num_prev, 0)::text,
       coalesce(s.den_prev, 0)::text
  FROM ind i
  LEFT JOIN LATERAL (
      SELECT sum(b.value) FILTER (WHERE b.metric = i.num AND b.kind IS DISTINCT FROM i.excl
                                    AND b.day BETWEEN $9::date AND $10::date) AS num_cur,
             sum(b.value) FILTER (WHERE b.metric = i.den
                                    AND b.day BETWEEN $9::date AND $10::date) AS den_cur,
             sum(b.value) FILTER (WHERE b.metric = i.num AND b.kind IS DISTINCT FROM i.excl
                                    AND b.day BETWEEN $11::date AND $12::date) AS num_prev,
             sum(b.value) FILTER (WHERE b.metric = i.den
                                    AND b.day BETWEEN $11::date AND $12::date) AS den_prev
        FROM ggzy.bucket b
       WHERE b.metric IN (i.num, i.den)
         AND (b.day BETWEEN $9::date AND $10::date OR b.day BETWEEN $11::date AND $12::date)
         AND ($8::text IS NULL OR b.center IN (SELECT center FROM centers))
         AND (i.category IS NULL OR b.category = i.category)
         AND (i.kind IS NULL OR b.kind = i.kind)
         AND (i.scope IS NULL OR b.scope = i.scope)
         AND (i.role IS NULL OR b.role = i.role)
  ) s ON true
 ORDER BY i.n
