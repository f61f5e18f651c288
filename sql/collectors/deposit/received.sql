-- The deposit_received stream (SPEC §3): one image per deposit, on its
-- received_at day, per centre, category and kind; the inflow of the
-- deposits held (a stock: deposit_released is its outflow). person is the
-- bidder:
-- the daemon keeps only its keyed hash (SPEC §2). See
-- sql/collectors/trading/deals.sql for the columns. $1 the time zone, $2 the
-- fingerprints' salt.
SELECT i.*,
       hashtextextended($2::text || ROW(i.key, i.day, i.center, i.category, i.kind,
                                  md5($2::text || i.person), i.ref, i.deposits_count,
                                  i.deposit_amount, i.deposit_held_count,
                                  i.deposit_held_amount)::text, 0) AS fingerprint
  FROM (SELECT p.deposit_id AS key,
               (p.received_at AT TIME ZONE $1::text)::date AS day,
               p.received_at AS event_at,
               p.updated_at,
               p.center_code AS center,
               p.category,
               p.kind,
               p.bidder_id AS person,
               p.deal_id AS ref,
               1 AS deposits_count,
               p.amount AS deposit_amount,
               1 AS deposit_held_count,
               p.amount AS deposit_held_amount
          FROM deposits p) i
