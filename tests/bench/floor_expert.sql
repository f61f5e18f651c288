-- The database floor for the expert source (see floor_trading.sql).
SELECT (started_at AT TIME ZONE 'Asia/Shanghai')::date AS day, center_code, category,
       remote_scope, venue_role,
       count(*) FILTER (WHERE status = 'done'),
       count(*) FILTER (WHERE status = 'done' AND remote)
  FROM evaluations
 GROUP BY 1, 2, 3, 4, 5;
SELECT (drawn_at AT TIME ZONE 'Asia/Shanghai')::date AS day, center_code,
       count(*), count(*) FILTER (WHERE attended), sum(fee_amount),
       sum(fee_amount) FILTER (WHERE fee_paid_online),
       count(*) FILTER (WHERE rating IS NOT NULL), count(*) FILTER (WHERE violation)
  FROM assignments
 GROUP BY 1, 2;
