-- The database floor for the deposit source (see floor_trading.sql).
SELECT (received_at AT TIME ZONE 'Asia/Shanghai')::date AS day, center_code, category, kind,
       count(*), sum(amount)
  FROM deposits
 GROUP BY 1, 2, 3, 4;
SELECT (refunded_at AT TIME ZONE 'Asia/Shanghai')::date AS day, center_code, category, kind,
       count(*), sum(refund_amount)
  FROM deposits
 WHERE refunded_at IS NOT NULL
 GROUP BY 1, 2, 3, 4;
