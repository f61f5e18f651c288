-- Deposits refunded on the given days ($1 time zone, $2 date[]), per centre,
-- category and kind, whatever day they were received.
SELECT d.day,
       p.center_code AS center,
       p.category,
       p.kind,
       count(*) AS rows,
       sum(hashtextextended(concat_ws('|', p.deposit_id, d.day, p.center_code, p.category,
           p.kind, p.refund_amount), 0)) AS fingerprint,
       count(*) AS refunds_count,
       coalesce(sum(p.refund_amount), 0) AS refund_amount
  FROM unnest($2::date[]) AS d(day)
  JOIN deposits p
    ON p.refunded_at >= d.day::timestamp AT TIME ZONE $1
   AND p.refunded_at < (d.day + 1)::timestamp AT TIME ZONE $1
 GROUP BY 1, 2, 3, 4
