-- The source rows behind one figure (GET /api/v1/rows, SPEC §11), from the
-- row images of the store, never from a source, one page at a time.
-- $1 the base metric whose measure columns are read (the metric itself, a
-- derived sum's numerator, a distinct metric's distinct_of), $2 kind left
-- out (liquidity_released_amount: cash; NULL: none), $3 from, $4 to
-- (inclusive dates), $5 centres (each with its descendants), $6 category,
-- $7 kind, $8 scope, $9 role (each a comma-separated list, their union;
-- NULL: any), $10 how the figure is made (catalog.h: sum | stock |
-- distinct), $11 decimals of a value, $12 rows per page, $13 $14 $15 the
-- sort key (source, stream, key) of the previous page's last row (NULL:
-- the first page).
--
-- The same figure as sql/queries/series.sql, row by row:
--   * sum: every image of the metric's stream with a value in the period
--     (the images of loaded streams: those are what the totals hold);
--   * stock: its flows up to $4 whatever $3 (a stock's value on the last
--     day), netted per source row: a deposit or an expert held on $4, on
--     the day of its inflow; rows whose flows cancel out are not listed;
--   * distinct: one row per person (the keyed hash, never the identity) of
--     the images where the metric is not 0, as ggzy.distinct_count counts
--     them, on the first day they appear in the period.
-- Every row of the answer also carries the count and the sum of all the
-- rows (one snapshot: the page and the totals agree); a page with no rows
-- is one row with only those. Pages are in (source, stream, key) order, in
-- the "C" collation, and a page starts after the previous page's last key,
-- so that a row that exists throughout a walk over the pages is listed
-- exactly once however the rows around it change meanwhile.
WITH centers AS MATERIALIZED (
    SELECT DISTINCT ggzy.center_subtree(c) AS center
      FROM unnest(string_to_array($5::text, ',')) AS c
),
img AS (
    SELECT i.stream, i.source, i.key, i.day, i.center, i.category, i.kind, i.scope, i.role,
           i.person,
           ggzy.measure_value(ms.position, i.m1, i.m2, i.m3, i.m4, i.m5, i.m6, i.m7, i.m8,
                              i.m9, i.m10, i.m11, i.m12) AS value
      FROM ggzy.measure ms
      JOIN ggzy.image i ON i.stream = ms.stream
     WHERE ms.metric = $1::text
       AND i.day <= $4::date
       AND ($10::text = 'stock' OR i.day >= $3::date)
       -- distinct_count reads the images as they stand; the sums and
       -- stocks are the totals of loaded streams (ggzy.cells_day).
       AND ($10::text = 'distinct'
            OR EXISTS (SELECT 1 FROM ggzy.stream_state st
                        WHERE st.stream = i.stream AND st.source = i.source
                          AND st.state = 'loaded'))
       -- Centres the store does not know give no figure at all.
       AND ($5::text IS NULL
            OR (i.center IN (SELECT center FROM centers)
                AND EXISTS (SELECT 1 FROM ggzy.center
                             WHERE center_code = ANY (string_to_array($5::text, ',')))))
       AND ($6::text IS NULL OR i.category = ANY (string_to_array($6::text, ',')))
       AND ($7::text IS NULL OR i.kind = ANY (string_to_array($7::text, ',')))
       AND ($8::text IS NULL OR i.scope = ANY (string_to_array($8::text, ',')))
       AND ($9::text IS NULL OR i.role = ANY (string_to_array($9::text, ',')))
       AND i.kind IS DISTINCT FROM $2::text
),
item AS (
    SELECT src.name AS source, src.name AS sort_source, i.stream, i.key AS id, i.day,
           i.center, i.category, i.kind, i.scope, i.role, i.value
      FROM img i JOIN ggzy.source src ON src.id = i.source
     WHERE $10::text = 'sum' AND i.value <> 0
    UNION ALL
    -- The inflow's day is never after the outflow's (collectors: the later
    -- of the two days); both images of a row carry its labels, so min()
    -- picks them without an ordered aggregate (a hash aggregate: no sort
    -- of every flow up to $4).
    SELECT src.name, src.name, min(i.stream), i.key, min(i.day), min(i.center),
           min(i.category), min(i.kind), min(i.scope), min(i.role), sum(i.value)
      FROM img i JOIN ggzy.source src ON src.id = i.source
     WHERE $10::text = 'stock' AND i.value IS NOT NULL
     GROUP BY src.name, i.key
    HAVING sum(i.value) <> 0
    UNION ALL
    -- A person is one row whichever source and centre they appear in: the
    -- sort key is the hash alone, the source and centre shown the first
    -- row's.
    SELECT (array_agg(src.name ORDER BY i.day, src.name, i.key))[1], '', min(i.stream),
           encode(i.person, 'hex'), min(i.day),
           (array_agg(i.center ORDER BY i.day, src.name, i.key))[1], '', '', '', '', 1
      FROM img i JOIN ggzy.source src ON src.id = i.source
     WHERE $10::text = 'distinct' AND i.value IS NOT NULL AND i.person IS NOT NULL
     GROUP BY i.person
),
total AS (
    SELECT count(*) AS n, coalesce(sum(value), 0) AS value FROM item
),
page AS (
    SELECT *
      FROM item
     WHERE $13::text IS NULL
        OR (sort_source COLLATE "C", stream, id COLLATE "C")
           > ($13::text COLLATE "C", $14::smallint, $15::text COLLATE "C")
     ORDER BY sort_source COLLATE "C", stream, id COLLATE "C"
     LIMIT $12::int + 1
)
SELECT t.n, round(t.value, $11::int)::text,
       p.source, p.sort_source, p.stream, p.id, to_char(p.day, 'YYYY-MM-DD'),
       p.center, p.category, p.kind, p.scope, p.role, round(p.value, $11::int)::text
  FROM total t LEFT JOIN page p ON true
 ORDER BY p.sort_source COLLATE "C", p.stream, p.id COLLATE "C"
