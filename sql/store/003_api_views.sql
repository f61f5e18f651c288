-- Store schema, version 3: ggzy_api, the read-only view layer for Grafana
-- and other SQL readers.
--
-- The tables of schema ggzy are the daemon's own and may change shape in any
-- release; the views of ggzy_api are the interface that dashboards query, and
-- keep their names, columns and meaning (a later migration may add views or
-- columns, never rename or drop one). Amounts are exact numeric yuan, counts
-- numeric integers; days are calendar days in the daemon's configured zone.
--
-- Privileges: nothing here needs more than owning the store database (no
-- CREATEROLE). A DBA creates the reading roles with sql/grafana/readonly_role.sql;
-- when its group role ggzy_reader already exists, this migration grants it
-- SELECT itself, so the two may run in either order. A later migration that
-- adds a view calls ggzy.grant_api_read() at its end.

CREATE SCHEMA ggzy_api;
COMMENT ON SCHEMA ggzy_api IS
    'ggzy-metricsd: stable read-only views over the store (for Grafana and SQL readers)';

-- One row per metric, day and label set, as the daemon stores it: base
-- metrics only (derived rates are ratios of sums: sum the numerator and the
-- denominator over the period, then divide). Labels a metric does not carry
-- are ''. source is the source system the row comes from.
CREATE VIEW ggzy_api.daily_values AS
SELECT b.metric, b.day, b.center, b.category, b.kind, b.scope, b.role,
       b.value,
       CASE WHEN b.stream = 'deals' THEN 'trading'
            WHEN b.stream IN ('evaluations', 'assignments') THEN 'expert'
            WHEN b.stream IN ('deposit_received', 'deposit_refunded') THEN 'deposit'
            ELSE b.stream END AS source
  FROM ggzy.bucket b;
COMMENT ON VIEW ggzy_api.daily_values IS
    'one row per base metric, day (in the configured zone) and label set; value exact numeric';

-- The same summed per calendar month (month = its first day).
CREATE VIEW ggzy_api.monthly_values AS
SELECT b.metric, date_trunc('month', b.day)::date AS month, b.center, b.category,
       b.kind, b.scope, b.role, sum(b.value) AS value
  FROM ggzy.bucket b
 GROUP BY 1, 2, 3, 4, 5, 6, 7;
COMMENT ON VIEW ggzy_api.monthly_values IS
    'base metrics summed per month (month = first day) and label set';

-- The centre hierarchy copied from the trading source, with each centre's
-- depth and path from its root (cycles in the source are cut).
CREATE VIEW ggzy_api.centers AS
WITH RECURSIVE walk(center_code, name, parent_code, level, depth, path) AS (
    SELECT c.center_code, c.name, c.parent_code, c.level, 0, ARRAY[c.center_code]
      FROM ggzy.center c
     WHERE c.parent_code IS NULL
        OR NOT EXISTS (SELECT 1 FROM ggzy.center p WHERE p.center_code = c.parent_code)
    UNION ALL
    SELECT c.center_code, c.name, c.parent_code, c.level, w.depth + 1, w.path || c.center_code
      FROM ggzy.center c JOIN walk w ON c.parent_code = w.center_code
     WHERE c.center_code <> ALL (w.path)
)
SELECT center_code, name, parent_code, level, depth, path FROM walk;
COMMENT ON VIEW ggzy_api.centers IS
    'centre hierarchy: code, name, parent, level, depth from the root, path of codes';

-- Every centre with each of its descendants and itself (distance 0): a figure
-- "for centre C" is WHERE center IN (SELECT center_code FROM
-- ggzy_api.center_descendants WHERE ancestor_code = C), as the HTTP API counts.
CREATE VIEW ggzy_api.center_descendants AS
WITH RECURSIVE sub(ancestor_code, center_code, distance, path) AS (
    SELECT c.center_code, c.center_code, 0, ARRAY[c.center_code] FROM ggzy.center c
    UNION ALL
    SELECT s.ancestor_code, c.center_code, s.distance + 1, s.path || c.center_code
      FROM ggzy.center c JOIN sub s ON c.parent_code = s.center_code
     WHERE c.center_code <> ALL (s.path)
)
SELECT ancestor_code, center_code, distance FROM sub;
COMMENT ON VIEW ggzy_api.center_descendants IS
    'closure of the centre hierarchy: (ancestor_code, center_code, distance), itself at 0';

-- Per source stream: how far its incremental poll has read (watermark =
-- the newest updated_at seen), when it last committed, and the days it holds.
CREATE VIEW ggzy_api.source_status AS
SELECT s.stream,
       CASE WHEN s.stream = 'deals' THEN 'trading'
            WHEN s.stream IN ('evaluations', 'assignments') THEN 'expert'
            WHEN s.stream IN ('deposit_received', 'deposit_refunded') THEN 'deposit'
            ELSE s.stream END AS source,
       w.updated_at AS watermark,
       w.polled_at,
       d.first_day, d.last_day, d.days, d.source_rows
  FROM (SELECT stream FROM ggzy.watermark UNION SELECT stream FROM ggzy.day_state) s
  LEFT JOIN ggzy.watermark w ON w.stream = s.stream
  LEFT JOIN (SELECT stream, min(day) AS first_day, max(day) AS last_day,
                    count(*) AS days, sum(rows) AS source_rows
               FROM ggzy.day_state GROUP BY stream) d ON d.stream = s.stream;
COMMENT ON VIEW ggzy_api.source_status IS
    'per stream: watermark, last poll commit, days held and source rows behind them';

-- The daemon's target alerts (SPEC §8) as it last evaluated them; figures as
-- numbers (amounts exact), undelivered = a change a receiver has not yet
-- acknowledged.
CREATE VIEW ggzy_api.alerts AS
SELECT a.year, nullif(a.center, '') AS center, a.indicator, a.alertname, a.metric, a.state,
       a.since, a.starts_at, a.ends_at, a.evaluated_at,
       (a.figures->>'target')::numeric AS target,
       (a.figures->>'actual')::numeric AS actual,
       (a.figures->>'expected')::numeric AS expected,
       (a.figures->>'projected')::numeric AS projected,
       (a.figures->>'pace_ratio')::numeric AS pace_ratio,
       (a.figures->>'completion')::numeric AS completion,
       a.labels->>'severity' AS severity,
       a.annotations->>'summary' AS summary,
       a.delivered_seq < a.seq AS undelivered
  FROM ggzy.alert a;
COMMENT ON VIEW ggzy_api.alerts IS
    'target alerts: state, since, figures (target, actual, expected, projected, pace_ratio, completion)';

-- The store schema version and when each was applied.
CREATE VIEW ggzy_api.schema_version AS
SELECT version, applied_at FROM ggzy.schema_version;

-- Grants SELECT on every ggzy_api view to the group role ggzy_reader, when a
-- DBA has created it (sql/grafana/readonly_role.sql); a no-op otherwise.
CREATE FUNCTION ggzy.grant_api_read() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ggzy_reader') THEN
        GRANT USAGE ON SCHEMA ggzy_api TO ggzy_reader;
        GRANT SELECT ON ALL TABLES IN SCHEMA ggzy_api TO ggzy_reader;
    END IF;
END $$;
SELECT ggzy.grant_api_read();
