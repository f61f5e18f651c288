-- Deposits received on the given days ($1 time zone, $2 date[]), per centre,
-- category and kind.
SELECT d.day,
       p.center_code AS center,
       p.category,
       p.kind,
       count(*) AS rows,
       sum(hashtextextended(concat_ws('|', p.deposit_id, d.day, p.center_code, p.category,
           p.kind, p.amount), 0)) AS fingerprint,
       count(*) AS deposits_count,
       sum(p.amount) AS deposit_amount
  FROM unnest($2::date[]) AS d(day)
  JOIN deposits p
    ON p.received_at >= d.day::timestamp AT TIME ZONE $1
   AND p.received_at < (d.day + 1)::timestamp AT TIME ZONE $1
 GROUP BY 1, 2, 3, 4
