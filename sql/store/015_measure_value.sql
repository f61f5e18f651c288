-- Store schema, migration 15: one definition of how a total row is split
-- into a metric's value and labels.
--
-- A total (ggzy.day_total, ggzy.month_total) and an image (ggzy.image)
-- hold a stream's measures as columns m1..m12; ggzy.measure says which
-- column is which metric (position) and which labels the metric keeps (a
-- mask over center 1, category 2, kind 4, scope 8, role 16). The views
-- below, the figures of /metrics (sql/queries/figures.sql), the rows API
-- and the people of a distinct count (ggzy.merge_images,
-- ggzy.total_images) all split rows that way; each used to spell the
-- twelve-way CASE and the mask out again. These two functions are that
-- rule, once.
--
-- They are defined here rather than in sql/functions/ because the views
-- depend on them and migrations run before sql/functions is applied. They
-- are the only definition: a change to either is a new migration
-- (CREATE OR REPLACE, same arguments). Plain SQL, IMMUTABLE and not
-- STRICT, so that the planner inlines them into each query as the CASE
-- they are (the plans are the ones of the spelled-out CASE).

CREATE FUNCTION ggzy.measure_value(measure_position smallint,
                                   m1 numeric, m2 numeric, m3 numeric, m4 numeric,
                                   m5 numeric, m6 numeric, m7 numeric, m8 numeric,
                                   m9 numeric, m10 numeric, m11 numeric, m12 numeric)
RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE measure_position WHEN 1 THEN m1 WHEN 2 THEN m2 WHEN 3 THEN m3 WHEN 4 THEN m4
                                 WHEN 5 THEN m5 WHEN 6 THEN m6 WHEN 7 THEN m7 WHEN 8 THEN m8
                                 WHEN 9 THEN m9 WHEN 10 THEN m10 WHEN 11 THEN m11
                                 WHEN 12 THEN m12 END
$$;

-- A label's value if the metric keeps it (labels & label_bit), else '' (the
-- metric is summed over it).
CREATE FUNCTION ggzy.label_kept(labels integer, label_bit integer, value text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN labels & label_bit <> 0 THEN value ELSE '' END
$$;

-- The views of migration 9, their names, columns and meaning kept.
CREATE OR REPLACE VIEW ggzy.cells_day AS
SELECT m.metric, t.day,
       ggzy.label_kept(m.labels, 1, t.center) AS center,
       ggzy.label_kept(m.labels, 2, t.category) AS category,
       ggzy.label_kept(m.labels, 4, t.kind) AS kind,
       ggzy.label_kept(m.labels, 8, t.scope) AS scope,
       ggzy.label_kept(m.labels, 16, t.role) AS role,
       coalesce(ggzy.measure_value(m.position, t.m1, t.m2, t.m3, t.m4, t.m5, t.m6, t.m7,
                                   t.m8, t.m9, t.m10, t.m11, t.m12), 0) AS value,
       t.stream
  FROM ggzy.measure m
  JOIN ggzy.day_total t ON t.stream = m.stream
UNION ALL
SELECT b.metric, b.day, b.center, b.category, b.kind, b.scope, b.role, b.value, m.stream
  FROM ggzy.bucket b
  JOIN ggzy.measure m ON m.metric = b.metric;

CREATE OR REPLACE VIEW ggzy.cells_month AS
SELECT m.metric, t.month,
       ggzy.label_kept(m.labels, 1, t.center) AS center,
       ggzy.label_kept(m.labels, 2, t.category) AS category,
       ggzy.label_kept(m.labels, 4, t.kind) AS kind,
       ggzy.label_kept(m.labels, 8, t.scope) AS scope,
       ggzy.label_kept(m.labels, 16, t.role) AS role,
       coalesce(ggzy.measure_value(m.position, t.m1, t.m2, t.m3, t.m4, t.m5, t.m6, t.m7,
                                   t.m8, t.m9, t.m10, t.m11, t.m12), 0) AS value,
       t.stream
  FROM ggzy.measure m
  JOIN ggzy.month_total t ON t.stream = m.stream
UNION ALL
SELECT b.metric, b.month, b.center, b.category, b.kind, b.scope, b.role, b.value, m.stream
  FROM ggzy.bucket_month b
  JOIN ggzy.measure m ON m.metric = b.metric;
