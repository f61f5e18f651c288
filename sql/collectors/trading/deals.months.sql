-- Per-month fingerprint of the source for reconciliation.
-- $1 time zone. rows and fingerprint must equal what deals.recompute.sql
-- reports for the same days, so that a month whose store differs from the
-- source in any row (deleted, moved, corrected, committed late) is found.
SELECT date_trunc('month', deal_at AT TIME ZONE $1)::date AS month,
       count(*) AS rows,
       sum(hashtextextended(concat_ws('|', deal_id, (deal_at AT TIME ZONE $1)::date,
           center_code, category, status, budget_amount, reserve_price, deal_amount,
           opened_at IS NOT NULL, fully_electronic, remote_opening, service_fee), 0))
           AS fingerprint,
       max(max(updated_at)) OVER () AS watermark
  FROM deals
 GROUP BY 1
 ORDER BY 1
