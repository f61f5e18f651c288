-- The source rows whose contribution to a published year changed after a
-- version was published (SPEC §11, /api/v1/report/changes): the version's
-- snapshot of the year's images (and centre's, with its descendants)
-- joined with the current images by stream, source and key. A row is
-- listed when its day, labels or measures differ; after is its current
-- image wherever it is now (moved out of the year or the centre), NULL
-- when it is gone; before is NULL for a row that came into the year.
-- $1 year, $2 centre ('' for all), $3 version (NULL: the latest).
-- Returns one row: the version (NULL: none such) and the changes as a
-- JSON array, ordered by source, id and stream.
WITH r AS (
    SELECT id, year, version
      FROM ggzy.published_report
     WHERE year = $1::integer AND center = $2::text
       AND ($3::integer IS NULL OR version = $3::integer)
     ORDER BY version DESC
     LIMIT 1
),
s AS (
    SELECT p.* FROM ggzy.published_image p JOIN r ON p.report = r.id
),
c AS (
    SELECT i.stream, i.source, i.key
      FROM r, ggzy.image i
      JOIN ggzy.stream st ON st.id = i.stream AND NOT st.derived
     WHERE i.day BETWEEN make_date(r.year, 1, 1) AND make_date(r.year, 12, 31)
       AND ($2::text = '' OR i.center IN (SELECT ggzy.center_subtree($2::text)))
),
k AS (
    SELECT stream, source, key FROM s
    UNION
    SELECT stream, source, key FROM c
),
d AS (
    SELECT k.stream, k.source, k.key,
           ggzy.published_row_json(k.stream, s.day, s.center, s.category, s.kind, s.scope, s.role,
                                   ARRAY[s.m1, s.m2, s.m3, s.m4, s.m5, s.m6, s.m7, s.m8, s.m9,
                                         s.m10, s.m11, s.m12]) AS before,
           ggzy.published_row_json(k.stream, i.day, i.center, i.category, i.kind, i.scope, i.role,
                                   ARRAY[i.m1, i.m2, i.m3, i.m4, i.m5, i.m6, i.m7, i.m8, i.m9,
                                         i.m10, i.m11, i.m12]) AS after
      FROM k
      LEFT JOIN s ON s.stream = k.stream AND s.source = k.source AND s.key = k.key
      LEFT JOIN ggzy.image i ON i.stream = k.stream AND i.source = k.source AND i.key = k.key
)
SELECT (SELECT version FROM r) AS version,
       coalesce((
           SELECT json_agg(json_build_object(
                      'source', src.name, 'id', d.key, 'stream', st.name,
                      'seen_at', to_char(l.seen_at, 'YYYY-MM-DD"T"HH24:MI:SS')
                                 || to_char(l.seen_at, 'TZH:TZM'),
                      'before', d.before, 'after', d.after)
                      ORDER BY src.name, d.key, st.name)
             FROM d
             JOIN ggzy.source src ON src.id = d.source
             JOIN ggzy.stream st ON st.id = d.stream
             LEFT JOIN ggzy.image_change l
               ON l.stream = d.stream AND l.source = d.source AND l.key = d.key
            WHERE d.before IS DISTINCT FROM d.after), '[]') AS changes
