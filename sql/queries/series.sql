-- One metric as a series of periods (the series API).
-- $1 numerator metric (a distinct metric: the base metric whose rows'
-- people it counts), $2 denominator metric (NULL: not a ratio), $3 kind
-- excluded from the numerator (NULL: none), $4 from, $5 to (inclusive
-- dates), $6 step (day | week | month | quarter | year), $7 centres (each
-- with its descendants), $8 category, $9 kind, $10 scope, $11 role (each a
-- comma-separated list of values, their union; NULL: any), $12 cumulative,
-- $13 decimals of a sum, $14 how a period's value is made (catalog.h:
-- sum | ratio | distinct | stock).
-- A period that starts before $4 is reported from $4. Centres the store
-- does not know give no periods at all. Steps made of months read whole
-- months from ggzy.cells_month, the rest from ggzy.cells_day. A stock's
-- point is its value on the point's last day: its flows before $4 (its
-- opening) plus those up to that day. A distinct point counts people over
-- the point (cumulative: from $4 to its end), from the images.
WITH periods AS (
    SELECT p::date AS pstart, greatest(p::date, $4::date) AS start,
           least((p + CASE $6 WHEN 'quarter' THEN interval '3 months'
                              ELSE ('1 ' || $6)::interval END)::date - 1,
                 $5::date) AS last
      FROM generate_series(date_trunc($6, $4::date::timestamp), $5::date::timestamp,
                           CASE $6 WHEN 'quarter' THEN interval '3 months'
                                   ELSE ('1 ' || $6)::interval END) AS p
     WHERE $7::text IS NULL
        OR EXISTS (SELECT 1 FROM ggzy.center
                    WHERE center_code = ANY (string_to_array($7::text, ',')))
),
centers AS MATERIALIZED (
    SELECT DISTINCT ggzy.center_subtree(c) AS center
      FROM unnest(string_to_array($7::text, ',')) AS c
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
-- The bounds are scalar subqueries (one-time values to the planner), not
-- joins with span: so they are pushed into the scans of the totals under
-- the views, instead of every row of the store being unpivoted first and
-- filtered after (1 s against 0.15 s at 300 centres).
cell AS (
    SELECT b.month AS day, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
      FROM ggzy.cells_month b
     WHERE b.month >= (SELECT mf FROM span) AND b.month < (SELECT mt FROM span)
       AND b.metric IN ($1, $2) AND $14::text <> 'distinct'
    UNION ALL
    -- the loose days [$4, mf) and [mt, $5]
    SELECT b.day, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
      FROM ggzy.cells_day b
     WHERE (b.day BETWEEN $4::date AND (SELECT mf - 1 FROM span)
            OR b.day BETWEEN (SELECT mt FROM span) AND $5::date)
       AND b.metric IN ($1, $2) AND $14::text <> 'distinct'
    UNION ALL
    -- A stock's flows before the range (day NULL: its opening).
    SELECT NULL, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
      FROM ggzy.cells_month b
     WHERE $14::text = 'stock' AND b.metric = $1
       AND b.month < date_trunc('month', $4::date::timestamp)::date
    UNION ALL
    SELECT NULL, b.metric, b.center, b.category, b.kind, b.scope, b.role, b.value
      FROM ggzy.cells_day b
     WHERE $14::text = 'stock' AND b.metric = $1
       AND b.day >= date_trunc('month', $4::date::timestamp)::date AND b.day < $4::date
),
filtered AS (
    SELECT c.*
      FROM cell c
     WHERE ($7::text IS NULL OR c.center IN (SELECT center FROM centers))
       AND ($8::text IS NULL OR c.category = ANY (string_to_array($8::text, ',')))
       AND ($9::text IS NULL OR c.kind = ANY (string_to_array($9::text, ',')))
       AND ($10::text IS NULL OR c.scope = ANY (string_to_array($10::text, ',')))
       AND ($11::text IS NULL OR c.role = ANY (string_to_array($11::text, ',')))
),
agg AS (
    SELECT date_trunc($6, c.day::timestamp)::date AS pstart,
           sum(c.value) FILTER (WHERE c.metric = $1 AND c.kind IS DISTINCT FROM $3) AS num,
           sum(c.value) FILTER (WHERE c.metric = $2) AS den
      FROM filtered c
     WHERE c.day IS NOT NULL
     GROUP BY 1
),
opening AS (
    SELECT coalesce(sum(c.value), 0) AS num FROM filtered c WHERE c.day IS NULL
),
running AS (
    SELECT p.start, p.last,
           CASE WHEN $14::text = 'stock'
                THEN (SELECT num FROM opening) + sum(coalesce(a.num, 0)) OVER w
                WHEN $12::boolean THEN sum(coalesce(a.num, 0)) OVER w
                ELSE coalesce(a.num, 0) END AS num,
           CASE WHEN $12::boolean THEN sum(coalesce(a.den, 0)) OVER w
                ELSE coalesce(a.den, 0) END AS den
      FROM periods p LEFT JOIN agg a USING (pstart)
    WINDOW w AS (ORDER BY p.pstart)
)
SELECT to_char(r.start, 'YYYY-MM-DD'),
       CASE WHEN $14::text = 'distinct'
            THEN (SELECT coalesce(sum(d.n), 0)
                    FROM ggzy.distinct_count($1, CASE WHEN $12::boolean THEN $4::date
                                                      ELSE r.start END,
                                             r.last, (SELECT array_agg(center) FROM centers),
                                             false) d)::text
            ELSE round(r.num, $13::int)::text END,
       (r.num / nullif(r.den, 0))::float8::text
  FROM running r
 ORDER BY r.start
