-- Every trading metric of SPEC §3 for the given days, per centre and category.
-- $1 time zone, $2 the days (date[]). Columns after the labels are named
-- after the catalogue's metrics; rows and fingerprint feed reconciliation.
SELECT d.day,
       t.center_code AS center,
       t.category,
       count(*) AS rows,
       sum(hashtextextended(concat_ws('|', t.deal_id, d.day, t.center_code, t.category,
           t.status, t.budget_amount, t.reserve_price, t.deal_amount,
           t.opened_at IS NOT NULL, t.fully_electronic, t.remote_opening,
           t.service_fee), 0)) AS fingerprint,
       count(*) FILTER (WHERE a) AS deals_count,
       coalesce(sum(t.deal_amount) FILTER (WHERE a), 0) AS deal_amount,
       coalesce(sum(t.budget_amount) FILTER (WHERE a), 0) AS budget_amount,
       coalesce(sum(t.budget_amount - t.deal_amount)
                    FILTER (WHERE a AND t.budget_amount IS NOT NULL), 0) AS savings_amount,
       coalesce(sum(t.reserve_price) FILTER (WHERE a), 0) AS reserve_amount,
       coalesce(sum(t.deal_amount - t.reserve_price)
                    FILTER (WHERE a AND t.reserve_price IS NOT NULL), 0) AS premium_amount,
       count(*) FILTER (WHERE a AND t.fully_electronic) AS fully_electronic_count,
       count(*) FILTER (WHERE a AND t.opened_at IS NOT NULL) AS opened_count,
       count(*) FILTER (WHERE a AND t.opened_at IS NOT NULL AND t.remote_opening)
           AS remote_opening_count,
       coalesce(sum(t.service_fee) FILTER (WHERE a), 0) AS service_fee_amount,
       count(*) FILTER (WHERE t.status = 'cancelled') AS cancelled_count
  FROM unnest($2::date[]) AS d(day)
  JOIN deals t
    ON t.deal_at >= d.day::timestamp AT TIME ZONE $1
   AND t.deal_at < (d.day + 1)::timestamp AT TIME ZONE $1
 CROSS JOIN LATERAL (SELECT t.status = 'awarded') AS s(a)
 GROUP BY 1, 2, 3
