-- Expert draw metrics for the given days ($1 time zone, $2 date[]), per centre.
SELECT d.day,
       a.center_code AS center,
       count(*) AS rows,
       sum(hashtextextended(concat_ws('|', a.assignment_id, d.day, a.center_code, a.attended,
           a.fee_amount, a.fee_paid_online, a.rating IS NOT NULL, a.violation), 0)) AS fingerprint,
       count(*) AS expert_draws_count,
       count(*) FILTER (WHERE a.attended) AS expert_attended_count,
       sum(a.fee_amount) AS expert_fee_amount,
       coalesce(sum(a.fee_amount) FILTER (WHERE a.fee_paid_online), 0) AS expert_fee_online_amount,
       count(*) FILTER (WHERE a.rating IS NOT NULL) AS expert_reviews_count,
       count(*) FILTER (WHERE a.violation) AS expert_violations_count
  FROM unnest($2::date[]) AS d(day)
  JOIN assignments a
    ON a.drawn_at >= d.day::timestamp AT TIME ZONE $1
   AND a.drawn_at < (d.day + 1)::timestamp AT TIME ZONE $1
 GROUP BY 1, 2
