-- The source rows whose contribution to a published year changed after a
-- version was published (SPEC §11, /api/v1/report/changes): the version's
-- snapshot of the year's images (and centre's, with its descendants)
-- joined with the current images by stream, source and key (exact also in
-- a consolidated store, whose images arrive by replication). A row is
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
    SELECT i.stream, i.source, i.key, i.day, i.center, i.category, i.kind, i.scope, i.role,
           i.m1, i.m2, i.m3, i.m4, i.m5, i.m6, i.m7, i.m8, i.m9, i.m10, i.m11, i.m12
      FROM r, ggzy.image i
      JOIN ggzy.stream st ON st.id = i.stream AND NOT st.derived
     WHERE i.day BETWEEN make_date(r.year, 1, 1) AND make_date(r.year, 12, 31)
       AND ($2::text = '' OR i.center IN (SELECT ggzy.center_subtree($2::text)))
),
j AS (
    -- One hash join of the snapshot with the year's images, compared column
    -- by column (only the rows that differ are rendered as JSON below).
    SELECT coalesce(s.stream, c.stream) AS stream, coalesce(s.source, c.source) AS source,
           coalesce(s.key, c.key) AS key, c.key IS NOT NULL AS now_in,
           s.day AS s_day, s.center AS s_center, s.category AS s_category, s.kind AS s_kind,
           s.scope AS s_scope, s.role AS s_role,
           ARRAY[s.m1, s.m2, s.m3, s.m4, s.m5, s.m6, s.m7, s.m8, s.m9, s.m10, s.m11, s.m12] AS s_m,
           c.day AS c_day, c.center AS c_center, c.category AS c_category, c.kind AS c_kind,
           c.scope AS c_scope, c.role AS c_role,
           ARRAY[c.m1, c.m2, c.m3, c.m4, c.m5, c.m6, c.m7, c.m8, c.m9, c.m10, c.m11, c.m12] AS c_m
      FROM s FULL JOIN c ON c.stream = s.stream AND c.source = s.source AND c.key = s.key
     WHERE s.key IS NULL OR c.key IS NULL
        OR (s.day, s.center, s.category, s.kind, s.scope, s.role, s.m1, s.m2, s.m3, s.m4, s.m5, s.m6, s.m7, s.m8, s.m9, s.m10, s.m11, s.m12) IS DISTINCT FROM (c.day, c.center, c.category, c.kind, c.scope, c.role, c.m1, c.m2, c.m3, c.m4, c.m5, c.m6, c.m7, c.m8, c.m9, c.m10, c.m11, c.m12)
),
d AS (
    -- A row no longer in the year or centre: its image wherever it is now
    -- (a primary-key lookup), NULL when it is gone.
    SELECT j.stream, j.source, j.key,
           ggzy.published_row_json(j.stream, j.s_day, j.s_center, j.s_category, j.s_kind,
                                   j.s_scope, j.s_role, j.s_m) AS before,
           CASE WHEN j.now_in
                THEN ggzy.published_row_json(j.stream, j.c_day, j.c_center, j.c_category,
                                             j.c_kind, j.c_scope, j.c_role, j.c_m)
                ELSE (SELECT ggzy.published_row_json(
                                 i.stream, i.day, i.center, i.category, i.kind, i.scope, i.role,
                                 ARRAY[i.m1, i.m2, i.m3, i.m4, i.m5, i.m6, i.m7, i.m8, i.m9,
                                       i.m10, i.m11, i.m12])
                        FROM ggzy.image i
                       WHERE i.stream = j.stream AND i.source = j.source AND i.key = j.key)
           END AS after
      FROM j
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
