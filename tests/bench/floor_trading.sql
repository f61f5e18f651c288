-- The database floor for the trading source: every trading metric of every
-- day, per centre and category, as one bare GROUP BY over the whole table
-- (what a cold backfill must at least cost). Output discarded by the driver.
SELECT (deal_at AT TIME ZONE 'Asia/Shanghai')::date AS day, center_code, category,
       count(*) FILTER (WHERE status = 'awarded'),
       sum(deal_amount) FILTER (WHERE status = 'awarded'),
       sum(budget_amount) FILTER (WHERE status = 'awarded'),
       sum(budget_amount - deal_amount) FILTER (WHERE status = 'awarded' AND budget_amount IS NOT NULL),
       sum(reserve_price) FILTER (WHERE status = 'awarded'),
       sum(deal_amount - reserve_price) FILTER (WHERE status = 'awarded' AND reserve_price IS NOT NULL),
       count(*) FILTER (WHERE status = 'awarded' AND fully_electronic),
       count(*) FILTER (WHERE status = 'awarded' AND opened_at IS NOT NULL),
       count(*) FILTER (WHERE status = 'awarded' AND opened_at IS NOT NULL AND remote_opening),
       sum(service_fee) FILTER (WHERE status = 'awarded'),
       count(*) FILTER (WHERE status = 'cancelled')
  FROM deals
 GROUP BY 1, 2, 3;
