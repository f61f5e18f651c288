-- The store's side of GET /api/v1/status, for the built-in page.
-- $1 the configured sources' names (text[]).
-- as_of: ggzy.as_of of those sources, as in report_meta.sql.
-- first_day, last_day: the range of days that hold figures (NULL: none);
--   min/max per stream walk the primary keys' (stream, day) prefix; the
--   expert pool's enrolments (years before any deal) are not such days.
-- centers: the centre hierarchy, each centre after its parent, with depth.
-- leases: who polls which source when several daemons share the store.
-- conflicts: centres a source reported that another of its kind claims.
WITH RECURSIVE tree AS (
    SELECT center_code, name, parent_code, level, 0 AS depth, ARRAY[center_code] AS path
      FROM ggzy.center
     WHERE parent_code IS NULL
        OR parent_code NOT IN (SELECT center_code FROM ggzy.center)
    UNION ALL
    SELECT c.center_code, c.name, c.parent_code, c.level, t.depth + 1, t.path || c.center_code
      FROM ggzy.center c
      JOIN tree t ON c.parent_code = t.center_code
     WHERE NOT c.center_code = ANY (t.path)
), span AS (
    SELECT (SELECT min(day) FROM ggzy.day_total t WHERE t.stream = s.id) AS first_day,
           (SELECT max(day) FROM ggzy.day_total t WHERE t.stream = s.id) AS last_day
      FROM ggzy.stream s
     WHERE NOT s.optional
     UNION ALL
    SELECT (SELECT min(day) FROM ggzy.bucket b WHERE b.stream = s.name),
           (SELECT max(day) FROM ggzy.bucket b WHERE b.stream = s.name)
      FROM ggzy.stream s
)
SELECT ggzy.as_of($1::text[]) AS as_of,
       (SELECT min(first_day)::text FROM span) AS first_day,
       (SELECT max(last_day)::text FROM span) AS last_day,
       (SELECT coalesce(json_agg(json_build_object('code', center_code, 'name', name,
                                                   'parent', parent_code, 'level', level,
                                                   'depth', depth) ORDER BY path), '[]')
          FROM tree)::text AS centers,
       (SELECT coalesce(json_agg(json_build_object('source', source, 'instance', instance,
                                                   'since', since, 'renewed_at', renewed_at)
                                 ORDER BY source), '[]')
          FROM ggzy.lease)::text AS leases,
       (SELECT coalesce(json_agg(json_build_object('source', s.name, 'kind', c.kind,
                                                   'center', c.center, 'claimed_by', o.name,
                                                   'rows', c.rows, 'last_seen', c.last_seen)
                                 ORDER BY s.name, c.center), '[]')
          FROM ggzy.center_conflict c
          JOIN ggzy.source s ON s.id = c.source
          JOIN ggzy.source o ON o.id = c.claimed_by)::text AS conflicts
