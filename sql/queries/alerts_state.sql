-- The stored state of the alerts of a year and the one before (alerts.c).
-- $1 the current year. Times as epoch seconds; missed: whether a
-- GgzyTargetMissed alert's figure missed its target when last evaluated
-- (rows saved before that was recorded were all about missed targets).
SELECT year, center, indicator, alertname, state,
       extract(epoch FROM since)::bigint,
       extract(epoch FROM starts_at)::bigint,
       extract(epoch FROM ends_at)::bigint,
       coalesce((figures->>'missed')::boolean, true)
  FROM ggzy.alert
 WHERE year BETWEEN $1::int - 1 AND $1::int
