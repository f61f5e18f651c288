-- Per-month fingerprint of assignments for reconciliation ($1 time zone).
SELECT date_trunc('month', drawn_at AT TIME ZONE $1)::date AS month,
       count(*) AS rows,
       sum(hashtextextended(concat_ws('|', assignment_id, (drawn_at AT TIME ZONE $1)::date,
           center_code, attended, fee_amount, fee_paid_online, rating IS NOT NULL, violation), 0))
           AS fingerprint,
       max(max(updated_at)) OVER () AS watermark
  FROM assignments
 GROUP BY 1
 ORDER BY 1
