-- Per-month fingerprint of evaluations for reconciliation ($1 time zone); must
-- match rows and fingerprint of evaluations.recompute.sql.
SELECT date_trunc('month', started_at AT TIME ZONE $1)::date AS month,
       count(*) AS rows,
       sum(hashtextextended(concat_ws('|', evaluation_id, (started_at AT TIME ZONE $1)::date,
           center_code, category, remote, remote_scope, venue_role, status), 0)) AS fingerprint,
       max(max(updated_at)) OVER () AS watermark
  FROM evaluations
 GROUP BY 1
 ORDER BY 1
