-- GET /api/v1/alerts: every alert of the current year ($1) and the one
-- before, as the store holds it, in one JSON document.
SELECT json_build_object(
           'year', $1::int,
           'firing', count(*) FILTER (WHERE state = 'firing'),
           'alerts', coalesce(json_agg(json_build_object(
               'alertname', alertname, 'year', year, 'center', nullif(center, ''),
               'indicator', indicator, 'metric', metric, 'labels', labels,
               'state', state, 'since', since, 'starts_at', starts_at, 'ends_at', ends_at,
               'evaluated_at', evaluated_at, 'target', figures->'target',
               'actual', figures->'actual', 'expected', figures->'expected',
               'projected', figures->'projected', 'pace_ratio', figures->'pace_ratio',
               'completion', figures->'completion', 'pacing', figures->'pacing',
               'display', figures->'display', 'summary', annotations->'summary',
               'undelivered', seq > delivered_seq)
               ORDER BY year DESC, center, indicator, alertname), '[]'))::text
  FROM ggzy.alert
 WHERE year BETWEEN $1::int - 1 AND $1::int
