-- The deposit_refunded stream (SPEC §3): one image per deposit that has
-- left the account, on its refunded_at day, whatever day it was received
-- (a refund moves only the refund series): refunded to the bidder
-- (refunds_*), or forfeited or remitted to the treasury (remitted_*). A
-- deposit without refunded_at counts for nothing here (day NULL), so a
-- withdrawn refund is retracted by the poll that sees it. See
-- sql/collectors/trading/deals.sql for the columns. $1 the time zone, $2 the
-- fingerprints' salt.
SELECT i.*,
       hashtextextended($2::text || ROW(i.key, i.day, i.center, i.category, i.kind,
                                  md5($2::text || i.person), i.ref, i.refunds_count,
                                  i.refund_amount, i.remitted_count,
                                  i.remitted_amount)::text, 0) AS fingerprint
  FROM (SELECT p.deposit_id AS key,
               (p.refunded_at AT TIME ZONE $1::text)::date AS day,
               p.refunded_at AS event_at,
               p.updated_at,
               p.center_code AS center,
               p.category,
               p.kind,
               p.bidder_id AS person,
               p.deal_id AS ref,
               (p.status = 'refunded')::int AS refunds_count,
               CASE WHEN p.status = 'refunded' THEN p.refund_amount END AS refund_amount,
               (p.status IN ('forfeited', 'remitted'))::int AS remitted_count,
               CASE WHEN p.status IN ('forfeited', 'remitted') THEN p.refund_amount END
                   AS remitted_amount
          FROM deposits p) i
