-- Per-month fingerprint of deposits by refund day ($1 time zone).
SELECT date_trunc('month', refunded_at AT TIME ZONE $1)::date AS month,
       count(*) AS rows,
       sum(hashtextextended(concat_ws('|', deposit_id, (refunded_at AT TIME ZONE $1)::date,
           center_code, category, kind, refund_amount), 0)) AS fingerprint,
       max(max(updated_at)) OVER () AS watermark
  FROM deposits
 WHERE refunded_at IS NOT NULL
 GROUP BY 1
 ORDER BY 1
