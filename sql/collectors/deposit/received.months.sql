-- Per-month fingerprint of deposits by receipt day ($1 time zone).
SELECT date_trunc('month', received_at AT TIME ZONE $1)::date AS month,
       count(*) AS rows,
       sum(hashtextextended(concat_ws('|', deposit_id, (received_at AT TIME ZONE $1)::date,
           center_code, category, kind, amount), 0)) AS fingerprint,
       max(max(updated_at)) OVER () AS watermark
  FROM deposits
 GROUP BY 1
 ORDER BY 1
