-- Evaluation metrics for the given days ($1 time zone, $2 date[]), per centre,
-- category, remote scope and venue role. evaluations_count does not carry
-- scope and role: the daemon drops those labels and the store sums.
SELECT d.day,
       e.center_code AS center,
       e.category,
       coalesce(e.remote_scope, '') AS scope,
       coalesce(e.venue_role, '') AS role,
       count(*) AS rows,
       sum(hashtextextended(concat_ws('|', e.evaluation_id, d.day, e.center_code, e.category,
           e.remote, e.remote_scope, e.venue_role, e.status), 0)) AS fingerprint,
       count(*) FILTER (WHERE e.status = 'done') AS evaluations_count,
       count(*) FILTER (WHERE e.status = 'done' AND e.remote) AS remote_evaluations_count
  FROM unnest($2::date[]) AS d(day)
  JOIN evaluations e
    ON e.started_at >= d.day::timestamp AT TIME ZONE $1
   AND e.started_at < (d.day + 1)::timestamp AT TIME ZONE $1
 GROUP BY 1, 2, 3, 4, 5
